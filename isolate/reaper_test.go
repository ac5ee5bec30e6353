//go:build linux

package isolate

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLabStopKillsOrphans: a shell in a Lab child that has no pid namespace
// and no cgroup leaves a process that escaped its session and lost its parent
// (setsid, double fork). The child is its subreaper, so Stop still finds it
// by its parent chain and kills it: nothing the child started outlives it.
func TestLabStopKillsOrphans(t *testing.T) {
	needRoot(t)
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh on this host")
	}
	checkNoLeaks(t)
	c, err := Start(Spec{Namespaces: []string{NSUTS}, Hostname: "orphans"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	cmd := c.ShellCmd()
	if cmd == nil {
		t.Fatal("ShellCmd returned nil")
	}
	var out bytes.Buffer
	// The orphan prints its PID, then sleeps where no session or parent
	// links it to the shell any more.
	cmd.Stdin = strings.NewReader("setsid sh -c 'sh -c \"echo \\$\\$; exec sleep 300 </dev/null >/dev/null 2>&1\" &'; sleep 0.3; exit 0\n")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("shell: %v (%q)", err, out.String())
	}
	f := strings.Fields(out.String())
	if len(f) == 0 {
		t.Fatalf("the orphan did not say its PID: %q", out.String())
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatalf("orphan PID %q: %v", f[0], err)
	}
	st, err := readProcStat(pid)
	if err != nil {
		t.Fatalf("the orphan is not running: %v", err)
	}
	if st.ppid != c.PID() {
		t.Errorf("the orphan's parent is %d, want the child %d (its subreaper)", st.ppid, c.PID())
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := readProcStat(pid)
		if err != nil || st.start != 0 && readState(pid) == "Z" {
			break // gone, or dead and waiting for init to reap it
		}
		if time.Now().After(deadline) {
			_ = killPID(pid)
			t.Fatalf("the orphan %d (%s) outlived the Lab child", pid, st.comm)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// readState is the state letter of /proc/PID/stat ("" if unreadable).
func readState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2 : i+3]
	}
	return ""
}

func killPID(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
