package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newTmux starts a tmux server of the test's own running cmdline in a
// 100×30 session and returns it; the server is killed at the end.
func newTmux(t *testing.T, name, cmdline string) tmuxSession {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it): " + err.Error())
	}
	s := tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), name: fmt.Sprintf("%s-%d", name, os.Getpid())}
	t.Cleanup(func() { _ = s.cmd("kill-server").Run() })
	if out, err := s.cmd("-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", "-s", s.name, cmdline).CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	return s
}

// pidsOf is the PIDs whose command line is exactly argv.
func pidsOf(argv ...string) []int {
	want := strings.Join(argv, "\x00") + "\x00"
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && string(b) == want {
			out = append(out, pid)
		}
	}
	return out
}

// A procbox in its own session (setsid: the terminal's SIGHUP never reaches
// it) still exits when its terminal goes away, instead of rescanning /proc
// for nobody.
func TestE2EExitsWhenTheTerminalGoesAway(t *testing.T) {
	bin := buildProcbox(t)
	s := newTmux(t, "procbox-hup", "setsid -w "+bin+" ps")
	s.waitFor("procbox › Processes")
	if len(pidsOf(bin, "ps")) != 1 {
		t.Fatalf("procbox ps is not running once: %v", pidsOf(bin, "ps"))
	}
	if out, err := s.cmd("kill-session", "-t", s.name).CombinedOutput(); err != nil {
		t.Fatalf("kill-session: %v: %s", err, out)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && len(pidsOf(bin, "ps")) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	if left := pidsOf(bin, "ps"); len(left) > 0 {
		for _, p := range left {
			if pr, err := os.FindProcess(p); err == nil {
				_ = pr.Kill()
			}
		}
		t.Fatalf("procbox ps (pid %v) kept running after its terminal went away", left)
	}
}

// TERM=dumb cannot draw a full-screen UI: procbox ps prints the table as
// text and exits, as it does without a terminal.
func TestE2EDumbTerminalGetsPlainText(t *testing.T) {
	bin := buildProcbox(t)
	s := newTmux(t, "procbox-dumb", "env TERM=dumb "+bin+" ps; echo PROCBOX-EXIT=$?; sleep 30")
	v := s.waitFor("PROCBOX-EXIT=0")
	// The table scrolls past on a busy host; what matters is that it was
	// printed and procbox ended by itself, with no full-screen UI drawn.
	if strings.Contains(v, "procbox ›") || strings.Contains(v, "live ·") || !strings.Contains(v, " root ") {
		t.Fatalf("TERM=dumb did not get the plain table:\n%s", v)
	}
}

// A mistyped PID on a terminal is one line and status 1, as without one; it
// used to open the full-screen inspector on "Process N does not exist".
func TestE2EInspectMissingPIDOnTerminal(t *testing.T) {
	bin := buildProcbox(t)
	s := newTmux(t, "procbox-nopid", "env TERM=xterm-256color "+bin+" inspect 4194303; echo PROCBOX-EXIT=$?; sleep 30")
	v := s.waitFor("PROCBOX-EXIT=")
	if !strings.Contains(v, "procbox: no process with PID 4194303") || !strings.Contains(v, "PROCBOX-EXIT=1") {
		t.Fatalf("inspect of a missing PID on a terminal:\n%s", v)
	}
	if strings.Contains(v, "procbox ›") || strings.Contains(v, "Overview") {
		t.Fatalf("a full-screen inspector was drawn for a missing PID:\n%s", v)
	}
}
