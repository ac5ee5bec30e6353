package isolate

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// endless is a reader that never sends a newline and counts what was read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadControlLineBounded(t *testing.T) {
	src := &endless{}
	_, err := readControlLine(bufio.NewReaderSize(src, 4096), maxControlLine)
	if !errors.Is(err, errControlTooLong) {
		t.Fatalf("err = %v, want errControlTooLong", err)
	}
	if src.n > maxControlLine+4096 {
		t.Errorf("read %d bytes of an endless line; the bound is %d", src.n, maxControlLine)
	}
	line, err := readControlLine(bufio.NewReader(strings.NewReader("{\"ok\":1}\nrest")), maxControlLine)
	if err != nil || string(line) != "{\"ok\":1}\n" {
		t.Errorf("a short line: %q %v", line, err)
	}
	exact := strings.Repeat("a", maxControlLine-1) + "\n"
	if line, err := readControlLine(bufio.NewReaderSize(strings.NewReader(exact), 4096), maxControlLine); err != nil || len(line) != maxControlLine {
		t.Errorf("a line of exactly the limit: %d %v", len(line), err)
	}
	if _, err := readControlLine(bufio.NewReader(strings.NewReader("no newline")), maxControlLine); err != io.EOF {
		t.Errorf("a cut line: %v, want io.EOF", err)
	}
	if got := clipForLog([]byte(strings.Repeat("\x1b[5m", 100))); len(got) > 300 || strings.ContainsRune(got, 0x1b) {
		t.Errorf("clipForLog: %q", got)
	}
}

// TestFitReplyCapsLists: a view from a namespace with hundreds of
// interfaces is cut to fit the bound, and says so.
func TestFitReplyCapsLists(t *testing.T) {
	v := View{Side: "child"}
	for i := range 2000 {
		v.Interfaces = append(v.Interfaces, Interface{Name: "eth" + strconv.Itoa(i), Up: true, Addrs: []string{"10.0.0.1/24"}})
	}
	var a agent
	r, w, _ := os.Pipe()
	defer r.Close()
	a.ctl = w
	go func() { a.reply(agentResponse{View: &v}); w.Close() }()
	line, err := readControlLine(bufio.NewReader(r), maxControlLine)
	if err != nil {
		t.Fatalf("the agent's answer is refused: %v", err)
	}
	if !strings.Contains(string(line), "interfaces shown") {
		t.Errorf("the cut view does not say so: %.200s", line)
	}
}

// vmHWM reads a field (kB) of /proc/self/status: VmHWM is the peak RSS.
func vmStatus(t *testing.T, key string) int64 {
	t.Helper()
	st, err := readStatusOf("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(st[key]), " kB"), 10, 64)
	if err != nil {
		t.Fatalf("%s: %q", key, st[key])
	}
	return kb << 10
}

// TestHostileControlChannel replays the attack: something in the child
// takes the agent's control socket (pidfd_getfd, as root in the child can)
// and writes 200 MB without a newline. procbox (this test process is the
// Lab's host side) must stay small, end the child and say why in one line.
func TestHostileControlChannel(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	c := startChild(t, Spec{})
	pidfd, err := unix.PidfdOpen(c.PID(), 0)
	if err != nil {
		t.Skipf("pidfd_open: %v", err)
	}
	defer unix.Close(pidfd)
	fd, err := unix.PidfdGetfd(pidfd, controlFD, 0)
	if err != nil {
		t.Skipf("pidfd_getfd (Linux 5.6+): %v", err)
	}
	unix.SetNonblock(fd, true)
	stolen := os.NewFile(uintptr(fd), "stolen-control")
	defer stolen.Close()
	stolen.SetWriteDeadline(time.Now().Add(20 * time.Second))

	rssBefore, hwmBefore := vmStatus(t, "VmRSS"), vmStatus(t, "VmHWM")
	const total = 200 << 20
	wrote := make(chan int64, 1)
	go func() {
		chunk := make([]byte, 1<<20)
		for i := range chunk {
			chunk[i] = 'A'
		}
		var n int64
		for n < total {
			m, err := stolen.Write(chunk)
			n += int64(m)
			if err != nil {
				break
			}
		}
		wrote <- n
	}()
	time.Sleep(50 * time.Millisecond) // the flood comes first
	_, verr := c.ChildView()
	n := <-wrote
	hwm := vmStatus(t, "VmHWM")
	t.Logf("the child wrote %d bytes; VmRSS before %d MiB, VmHWM %d -> %d MiB", n, rssBefore>>20, hwmBefore>>20, hwm>>20)
	if verr == nil || !strings.Contains(verr.Error(), "longer than 16 KiB") || !strings.Contains(verr.Error(), "ended the child") ||
		strings.Contains(verr.Error(), "\n") || len(verr.Error()) > 200 {
		t.Errorf("want one short line saying the child was ended, got %v", verr)
	}
	if limit := max(hwmBefore, rssBefore+64<<20); hwm > limit {
		t.Errorf("procbox's peak RSS grew to %d MiB (before: RSS %d MiB, peak %d MiB)", hwm>>20, rssBefore>>20, hwmBefore>>20)
	}
	if _, err := c.ChildView(); err == nil {
		t.Error("the child still answers after it was ended")
	}
	select {
	case <-c.l.waited:
	case <-time.After(5 * time.Second):
		t.Errorf("the agent %d was not ended", c.l.cmd.Process.Pid)
	}
}
