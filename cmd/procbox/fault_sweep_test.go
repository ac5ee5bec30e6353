package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"procbox/internal/leakcheck"
	"procbox/internal/testtree"

	"golang.org/x/sys/unix"
)

// TestFaultSweepSparesLiveRuns starts a `run` from a copy of procbox under
// another name (people rename binaries: pb, procbox-v2, ./bin/x), then runs
// `procbox doctor --clean` and `procbox run` — both sweep stale cgroups. The
// live run's cgroup and child must survive both: only the cgroups of dead
// owners may go, whatever the owner's binary is called.
func TestFaultSweepSparesLiveRuns(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	renamed := filepath.Join(t.TempDir(), "pb-renamed")
	testtree.CopyExecutable(t, bin, renamed)
	before := takeInventory(t)

	live := exec.Command(renamed, "run", "--mem", "64M", "--", "sleep", "30")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}) // closed once the run has been reaped
	var waitErr error
	go func() { waitErr = live.Wait(); close(done) }()
	t.Cleanup(func() {
		live.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			live.Process.Kill()
			<-done
		}
	})
	owner := live.Process.Pid
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && (len(cgroupsOf(owner)) == 0 || len(descendants(owner)) == 0); {
		time.Sleep(10 * time.Millisecond)
	}
	cgs, kids := cgroupsOf(owner), descendants(owner)
	if len(cgs) == 0 || len(kids) == 0 {
		t.Fatalf("the renamed procbox run has cgroups %v and children %v; want both", cgs, kids)
	}

	for _, sweeper := range [][]string{{"doctor", "--clean"}, {"run", "--ns", "uts", "--", "true"}} {
		r := faultExec(t, 30*time.Second, bin, sweeper...)
		if r.code != 0 {
			t.Errorf("procbox %v: status %d: %s", sweeper, r.code, r.stderr)
		}
		if left := cgroupsOf(owner); len(left) != len(cgs) {
			t.Errorf("procbox %v swept the cgroups of a LIVE run (%s, pid %d): %v remain of %v; it said %q",
				sweeper, filepath.Base(renamed), owner, left, cgs, r.stdout)
		}
		for _, k := range kids {
			if !leakcheck.Alive(k) {
				t.Errorf("procbox %v killed process %d of a live run", sweeper, k)
			}
		}
		select {
		case <-done:
			t.Fatalf("the live run ended while another procbox swept: %v", waitErr)
		default:
		}
	}

	// Ended politely, the run removes its own cgroup.
	live.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Errorf("the renamed run did not end within 10s of SIGTERM")
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(owner)); len(leaks) > 0 {
		t.Errorf("left on the host: %v", leaks)
	}
}

// TestFaultSweepZombieOwner kills `procbox run` and leaves it unreaped for a
// moment — as a busy parent shell or a terminal multiplexer does — before
// `procbox doctor --clean`. A zombie owns nothing and will never clean up:
// its cgroups are stale and must be swept.
func TestFaultSweepZombieOwner(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	t.Cleanup(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })
	before := takeInventory(t)

	cmd := exec.Command(bin, "run", "--mem", "64M", "--", "sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(descendants(pid)) == 0; {
		time.Sleep(10 * time.Millisecond)
	}
	kids := descendants(pid)
	if len(cgroupsOf(pid)) == 0 || len(kids) == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the run has cgroups %v and children %v; want both", cgroupsOf(pid), kids)
	}
	cmd.Process.Kill()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		// A zombie leader's other threads may still be exiting, and the
		// ownership lock goes with the last of them (isolate/owner_linux.go):
		// wait until the leader is the only task left.
		if _, state, _ := leakcheck.PPIDState(pid); state == "Z" {
			if tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task"); len(tasks) <= 1 {
				break
			}
		}
	}
	// procbox stays a zombie through the sweep: it is reaped only afterwards
	// (reapOrphans would reap it too, being our child named procbox).
	r := faultExec(t, 30*time.Second, bin, "doctor", "--clean")
	left := cgroupsOf(pid)
	cmd.Wait()
	reapOrphans(t)
	if r.code != 0 {
		t.Errorf("doctor --clean: status %d: %s", r.code, r.stderr)
	}
	if len(left) > 0 {
		t.Errorf("doctor --clean kept %v of a killed (zombie, unreaped) procbox; it said %q", left, r.stdout)
		faultExec(t, 30*time.Second, bin, "doctor", "--clean") // reaped now: clean up for the next test
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(append(kids, pid)...)); len(leaks) > 0 {
		t.Errorf("left on the host: %v", leaks)
	}
}
