package main

// The lesson player end to end: the built binary in a private tmux server,
// driven by keys the way a learner would, through the first namespace step.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/internal/leakcheck"
	"procbox/lessons"
	"procbox/ui"
)

// learnTmux drives one tmux server of its own (never the user's), whose
// socket lives in the test's temp dir so nothing is left in /tmp/tmux-UID.
type learnTmux struct {
	t      *testing.T
	socket string
}

// startLearn runs command (procbox learn, or a wrapper that execs it) in a
// detached 120×40 tmux window named learn with XDG_STATE_HOME=state, and
// returns the session and the pane's PID. The tmux server goes with the test.
func startLearn(t *testing.T, state, command string) (learnTmux, int) {
	t.Helper()
	x := learnTmux{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	t.Cleanup(func() { exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
	// remain-on-exit: if procbox dies (a panic, a signal), its pane and last
	// words stay on screen for the failure message instead of "no server".
	x.run("new-session", "-d", "-s", "learn", "-x", "120", "-y", "40", "-e", "XDG_STATE_HOME="+state, command,
		";", "set-option", "-t", "learn", "remain-on-exit", "on")
	pid, err := strconv.Atoi(strings.TrimSpace(x.run("display-message", "-p", "-t", "learn", "#{pane_pid}")))
	if err != nil {
		t.Fatalf("pane pid: %v", err)
	}
	return x, pid
}

// quit presses q in the learn window and waits until procbox pid is gone
// (or a zombie): it saves progress on its way out, and must be done before
// the test's temp dirs are removed.
func (x learnTmux) quit(pid int) {
	x.t.Helper()
	x.run("send-keys", "-t", "learn", "q")
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			return
		}
		if _, st, ok := leakcheck.PPIDState(pid); ok && st == "Z" {
			return
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("procbox %d did not quit on q:\n%s", pid, x.screen())
		}
	}
}

func (x learnTmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (x learnTmux) screen() string {
	out, _ := exec.Command("tmux", "-S", x.socket, "capture-pane", "-p", "-t", "learn").CombinedOutput()
	return string(out)
}

// waitFor polls the screen until it shows want; the deadline only bounds a
// broken run, it is not a timing assertion.
func (x learnTmux) waitFor(want string, within time.Duration) string {
	x.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := x.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("the screen never showed %q; last screen:\n%s", want, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestLearnEndToEndInTmux opens `procbox learn namespaces`, performs the pid
// step's action with a, sees the check pass, checks the saved progress, quits,
// and checks nothing of this run is left behind.
func TestLearnEndToEndInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts real isolated children; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: the step creates pid and mount namespaces")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	bin := faultBuild(t)
	state := t.TempDir()
	before := takeInventory(t)
	x, pid := startLearn(t, state, "exec "+bin+" learn namespaces")

	x.waitFor("pid: its own process numbers", 60*time.Second)
	x.waitFor("child ", 60*time.Second) // the header names the live demo child
	x.run("send-keys", "-t", "learn", "a")
	s := x.waitFor("✓ passed", 60*time.Second)
	if !strings.Contains(s, "re-created") {
		t.Errorf("the panel does not say the child was re-created:\n%s", s)
	}

	// The pass was saved where the XDG spec says.
	var p ui.Progress
	path := filepath.Join(state, "procbox", "progress.json")
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(b, &p) == nil && p.Completed["namespaces/pid"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("progress %s never recorded namespaces/pid: %s (%v)", path, b, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	x.quit(pid)
	if kids := leakcheck.Children(pid, false); len(kids) > 0 {
		t.Errorf("children of procbox still running: %v", kids)
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(pid)); len(leaks) > 0 {
		t.Errorf("left behind: %v", leaks)
	}
}

// TestLearnByHandInTmux completes the by-hand lesson the way a learner does:
// the real binary in tmux, s on each step, the step's commands typed into
// the shell one line at a time, exit, and the check passing on what they
// built. Progress must say every step passed by hand.
func TestLearnByHandInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and builds a container by hand; skipped with -short")
	}
	requireRoot(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	skipUnlessByHandHost(t)
	bin := faultBuild(t)
	state := t.TempDir()
	// procbox and the learner's shells run in a private mount namespace: the
	// overlay the lesson mounts never shows in the host's mount table, where
	// other tests running at the same time count mounts as leaks.
	x, pid := startLearn(t, state, "exec unshare --mount --propagation private -- "+bin+" learn byhand")
	l, _ := lessons.Find("byhand")
	for i, s := range l.Steps {
		x.waitFor(fmt.Sprintf("Step %d/%d · %s", i+1, len(l.Steps), s.Title), 60*time.Second)
		x.run("send-keys", "-t", "learn", "s")
		x.waitFor("Your own shell for", 30*time.Second)
		for _, line := range s.DIY.Commands {
			if line == "exit" {
				time.Sleep(3 * watchEvery) // let procbox see what the lines built
			}
			x.run("send-keys", "-t", "learn", "-l", line)
			x.run("send-keys", "-t", "learn", "Enter")
			time.Sleep(300 * time.Millisecond) // a person's pace: one line at a time
		}
		// The container's shell was left; the learner's own shell is left too.
		for try := 0; try < 3 && !strings.Contains(x.screen(), "passed"); try++ {
			if strings.Contains(x.screen(), "The last exit brings you back") { // still in the shell
				x.run("send-keys", "-t", "learn", "-l", "exit")
				x.run("send-keys", "-t", "learn", "Enter")
			}
			time.Sleep(time.Second)
		}
		screen := x.waitFor("passed by hand", 30*time.Second)
		if !strings.Contains(screen, "your shell") {
			t.Errorf("the panel does not list what the shell did:\n%s", screen)
		}
		x.run("send-keys", "-t", "learn", "Enter")
	}
	var p ui.Progress
	path := filepath.Join(state, "procbox", "progress.json")
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(b, &p) == nil && p.Via["byhand/enter"] == lessons.PathShell {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("progress %s never recorded byhand/enter as passed by hand: %s (%v)", path, b, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, s := range l.Steps {
		if k := lessons.Key("byhand", s.ID); !p.Completed[k] || p.Via[k] != lessons.PathShell {
			t.Errorf("%s: completed %v via %q, want passed by hand", k, p.Completed[k], p.Via[k])
		}
	}
	// Quit and wait until procbox is gone: it saves progress on its way out,
	// and must be done before the test's temp dirs are removed.
	x.quit(pid)
}
