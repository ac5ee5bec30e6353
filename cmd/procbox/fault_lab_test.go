package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"procbox/internal/leakcheck"

	"golang.org/x/sys/unix"
)

// TestFaultLabSignals ends a running `procbox lab` (in tmux, with a live
// child in a pid namespace and a memory limit) the ways a terminal session
// ends: SIGTERM, SIGHUP (the terminal closing) and SIGKILL. After TERM and
// HUP nothing may be left at all; after KILL the child must die with procbox
// and `procbox doctor --clean` must sweep its cgroup.
func TestFaultLabSignals(t *testing.T) {
	requireRoot(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("needs tmux to give procbox lab a terminal")
	}
	bin := faultBuild(t)
	before := takeInventory(t)

	// The tmux server daemonizes; as subreaper we adopt it, and with it
	// whatever a killed procbox orphans, so nothing is left for PID 1.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	t.Cleanup(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })

	sock := filepath.Join(t.TempDir(), "tmux.sock")
	tmux := func(args ...string) (string, error) {
		out, err := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() {
		tmux("kill-server")
		reapOrphans(t)
		// The tmux server itself was adopted by us (subreaper): reap it.
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
			left := 0
			for _, p := range leakcheck.Children(os.Getpid(), true) {
				if strings.HasPrefix(commOf(p), "tmux") {
					left++
					var ws unix.WaitStatus
					unix.Wait4(p, &ws, unix.WNOHANG, nil)
				}
			}
			if left == 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	var owners []int
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGKILL} {
		name := "lab" + strconv.Itoa(i)
		if out, err := tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", name,
			"exec "+bin+" lab --ns pid,uts --hostname procbox-fault --mem 64M"); err != nil {
			t.Fatalf("tmux new-session: %v: %s", err, out)
		}
		out, err := tmux("display-message", "-p", "-t", name, "#{pane_pid}")
		if err != nil {
			t.Fatalf("tmux display-message: %v: %s", err, out)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(out))
		owners = append(owners, pid)

		// Wait for the Lab's child: an agent below procbox.
		var agent int
		for deadline := time.Now().Add(20 * time.Second); agent == 0 && time.Now().Before(deadline); {
			for _, d := range descendants(pid) {
				if cmdline(d) != "" && strings.Contains(cmdline(d), "__procbox_agent") {
					agent = d
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if agent == 0 {
			screen, _ := tmux("capture-pane", "-p", "-t", name)
			t.Fatalf("%s: procbox lab (pid %d) started no agent within 20s; screen:\n%s", sig, pid, screen)
		}
		kids := descendants(pid)
		owners = append(owners, kids...)
		if len(cgroupsOf(pid)) == 0 {
			t.Errorf("%s: the Lab child has no procbox-%d-* cgroup although --mem 64M was asked", sig, pid)
		}

		unix.Kill(pid, sig)
		gone := time.Now().Add(5 * time.Second)
		for (leakcheck.Alive(pid) || anyAlive(kids)) && time.Now().Before(gone) {
			time.Sleep(10 * time.Millisecond)
		}
		if leakcheck.Alive(pid) {
			t.Errorf("%s: procbox lab %d still running 5s later", sig, pid)
			unix.Kill(pid, syscall.SIGKILL)
		}
		for _, k := range kids {
			if leakcheck.Alive(k) {
				t.Errorf("%s: the Lab's process %d (%s) outlived procbox", sig, k, commOf(k))
				unix.Kill(k, syscall.SIGKILL)
			}
		}
		reapOrphans(t)

		if sig != syscall.SIGKILL {
			if left := cgroupsOf(pid); len(left) > 0 {
				t.Errorf("%s: procbox lab exited and left %v", sig, left)
			}
		} else {
			// The killed procbox must be reaped before the sweep: by tmux, or,
			// when its server exits with its last pane, by us (the subreaper).
			// A zombie owner is TestFaultSweepZombieOwner's case, not this one's.
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				var ws unix.WaitStatus
				unix.Wait4(pid, &ws, unix.WNOHANG, nil)
				if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); os.IsNotExist(err) {
					break
				}
			}
			r := faultExec(t, 30*time.Second, bin, "doctor", "--clean")
			if r.code != 0 {
				t.Errorf("doctor --clean after SIGKILL: status %d: %s", r.code, r.stderr)
			}
			if left := cgroupsOf(pid); len(left) > 0 {
				t.Errorf("SIGKILL: doctor --clean left %v", left)
			}
		}
		tmux("kill-session", "-t", name)
	}

	if leaks := before.leaksSince(takeInventory(t), ownedBy(owners...)); len(leaks) > 0 {
		t.Errorf("left on the host after the Lab was ended by signals: %v", leaks)
	}
}

// cmdline is pid's command line with spaces for NULs, or "".
func cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// anyAlive reports whether any of pids still runs.
func anyAlive(pids []int) bool {
	for _, p := range pids {
		if leakcheck.Alive(p) {
			return true
		}
	}
	return false
}
