package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
)

// tmuxSession is one tmux server of its own (its own socket file), so the
// test neither sees nor disturbs anyone else's sessions.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
}

func (s tmuxSession) cmd(args ...string) *exec.Cmd {
	return exec.Command("tmux", append([]string{"-S", s.socket}, args...)...)
}

// capture is the visible screen as text.
func (s tmuxSession) capture() string {
	out, err := s.cmd("capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// send types keys the way tmux names them ("Enter", "Tab", "q", "/").
func (s tmuxSession) send(keys ...string) {
	s.t.Helper()
	args := append([]string{"send-keys", "-t", s.name}, keys...)
	if out, err := s.cmd(args...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys %v: %v: %s", keys, err, out)
	}
}

// waitFor polls the screen until every string appears. It waits on the
// program, it does not time it: the bound only turns a hang into a failure.
func (s tmuxSession) waitFor(what ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var screen string
	for time.Now().Before(deadline) {
		screen = s.capture()
		ok := true
		for _, w := range what {
			if !strings.Contains(screen, w) {
				ok = false
				break
			}
		}
		if ok {
			return screen
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("screen never showed %q; last screen:\n%s", what, screen)
	return ""
}

// alive reports whether the session still exists.
func (s tmuxSession) alive() bool { return s.cmd("has-session", "-t", s.name).Run() == nil }

// TestE2ETmux runs the real binary in tmux: home appears, the picker lists
// this test's own child, the inspector shows its PID and namespaces, and q
// quits cleanly.
func TestE2ETmux(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it): " + err.Error())
	}
	bin := buildProcbox(t)

	child := exec.Command("sleep", "300")
	if err := child.Start(); err != nil {
		t.Fatalf("start the child: %v", err)
	}
	t.Cleanup(func() {
		_ = child.Process.Kill()
		_ = child.Wait()
	})
	pid := strconv.Itoa(child.Process.Pid)

	// The socket lives in the test's temp dir: tmux leaves its socket file
	// behind after kill-server, and t.TempDir removes it.
	s := tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), name: fmt.Sprintf("procbox-e2e-%d", os.Getpid())}
	t.Cleanup(func() { _ = s.cmd("kill-server").Run() })
	start := s.cmd("new-session", "-d", "-x", "120", "-y", "40", "-s", s.name, bin)
	start.Env = append(os.Environ(), "NO_COLOR=1")
	if out, err := start.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	panePID := ""
	if out, err := s.cmd("list-panes", "-t", s.name, "-F", "#{pane_pid}").Output(); err == nil {
		panePID = strings.TrimSpace(string(out))
	}

	s.waitFor("procbox › Home", "Learn", "Lab", "Inspect", "This host")

	s.send("i")
	s.waitFor("procbox › Processes", "PID", "COMMAND")
	s.send("/")
	s.send("-l", pid)
	s.send("Enter")
	s.waitFor(`filter "` + pid + `"`)
	// The filter line shows at once; the rows arrive with the first scan, which
	// runs in a command and may still be reading /proc on a busy machine.
	listed := func(screen string) bool {
		for _, l := range strings.Split(screen, "\n") {
			f := strings.Fields(l)
			if len(f) > 1 && f[0] == pid && strings.Contains(l, "sleep") {
				return true
			}
		}
		return false
	}
	var screen string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if screen = s.capture(); listed(screen) {
			break
		}
	}
	if !listed(screen) {
		t.Fatalf("picker does not list the child %s:\n%s", pid, screen)
	}

	s.send("Enter")
	s.waitFor("Inspect "+pid, "PID "+pid, "sleep")
	s.send("6")
	s.waitFor("Namespaces", "KIND", "INODE", "pid ", "net ", "shared")

	s.send("q") // back to the picker
	s.waitFor("procbox › Processes")
	s.send("q") // back home
	s.waitFor("procbox › Home")
	s.send("q") // quit

	deadline := time.Now().Add(20 * time.Second)
	for s.alive() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if s.alive() {
		t.Fatalf("q did not quit procbox; screen:\n%s", s.capture())
	}
	if panePID != "" {
		// Once the session is gone the process must be gone too (or a zombie
		// tmux has not reaped yet): poll, since reaping is asynchronous.
		for time.Now().Before(deadline.Add(10 * time.Second)) {
			if !procboxRunning(panePID) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("procbox (pid %s) is still running after quit", panePID)
	}
}

// procboxRunning reports whether pid is a live (not zombie) procbox process.
func procboxRunning(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || !strings.Contains(s[:i], "(procbox") {
		return false
	}
	f := strings.Fields(s[i+1:])
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// buildProcbox builds the static binary into a temporary directory.
func buildProcbox(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "procbox")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// TestE2EHomeWithoutTTY: procbox with no arguments and no terminal prints
// the usage on stderr and exits 2, without drawing anything on stdout.
func TestE2EHomeWithoutTTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	bin := buildProcbox(t)
	cmd := exec.Command(bin) // stdin /dev/null, stdout and stderr pipes: no terminal
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit = %v, want status 2", err)
	}
	if !strings.Contains(stderr.String(), "Usage:") || stdout.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q: want the usage on stderr only", stdout.String(), stderr.String())
	}
}

// TestGoldenHomeUsage pins the usage procbox prints when started without a
// terminal (TestE2EHomeWithoutTTY checks it is printed). It also gives this
// package the -update flag that `make golden` passes to it.
func TestGoldenHomeUsage(t *testing.T) {
	golden.RequireEqual(t, usageText)
}
