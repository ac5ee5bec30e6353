package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/internal/leakcheck"

	"golang.org/x/sys/unix"
)

// TestFaultKillAtEveryStep SIGKILLs `procbox run` at random points of child
// setup and teardown. Every time, the child must be gone at once (Pdeathsig and
// the pid namespace take it down with procbox), and the next
// `procbox doctor --clean` must sweep the cgroup the dead procbox left.
func TestFaultKillAtEveryStep(t *testing.T) {
	requireRoot(t)
	faultKillRounds(t, 8)
}

// faultKillRounds runs n kill rounds; TestSoakKill runs more of them.
func faultKillRounds(t *testing.T, n int) {
	bin := faultBuild(t)
	before := takeInventory(t)

	// Orphans of the killed procbox come to us instead of PID 1, so we can see
	// them die and reap them (PID 1 on some hosts never reaps: zombies would pile up).
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	t.Cleanup(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x70726f63))
	t.Logf("seed %d", seed)

	var owners []int
	for i := 0; i < n; i++ {
		delay := time.Duration(rng.IntN(301)) * time.Millisecond
		// The first rounds hit the exact moments: before anything, once the
		// cgroup exists, once the child exists.
		point := "after " + delay.String()
		switch i {
		case 0:
			delay, point = 0, "at once"
		case 1:
			delay, point = -1, "when the cgroup appears"
		case 2:
			delay, point = -2, "when the child appears"
		}
		// Odd rounds run a command that ends on its own within the delay
		// range, so the kill also lands in teardown (reaping, cgroup removal).
		argv := []string{"sleep", "30"}
		if i > 2 && i%2 == 1 {
			argv = []string{"sleep", "0.05"}
			delay = time.Duration(30+rng.IntN(90)) * time.Millisecond
			point = "after " + delay.String() + " (command ends after 50ms)"
		}
		if i == 3 {
			delay, point = -3, "when the command has exited (teardown)"
		}
		// Every third round the sweep is left to the next `procbox run`,
		// which must sweep before it starts (as a user would find it).
		sweeper := []string{"doctor", "--clean"}
		if i%3 == 2 {
			sweeper = []string{"run", "--ns", "uts", "--", "true"}
		}
		pid, kids := faultKillOnce(t, bin, delay, point, argv, sweeper)
		owners = append(owners, pid)
		owners = append(owners, kids...)
	}

	if leaks := before.leaksSince(takeInventory(t), ownedBy(owners...)); len(leaks) > 0 {
		t.Errorf("left on the host after %d kills: %v", n, leaks)
	}
}

// faultKillOnce starts one `procbox run`, kills it (after delay; -1: when its
// cgroup appears; -2: when its child appears; -3: when its child has exited
// and procbox is tearing down), and checks the aftermath. It
// returns procbox's PID and the PIDs of the processes it had started.
func faultKillOnce(t *testing.T, bin string, delay time.Duration, point string, argv, sweeper []string) (int, []int) {
	t.Helper()
	args := append([]string{"run", "--mem", "64M", "--pids", "32", "--ns", "pid,mnt,uts", "--"}, argv...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	deadline := time.Now().Add(5 * time.Second)
	switch {
	case delay >= 0:
		time.Sleep(delay)
	case delay == -1:
		for time.Now().Before(deadline) && len(cgroupsOf(pid)) == 0 {
			time.Sleep(time.Millisecond)
		}
	case delay == -2:
		for time.Now().Before(deadline) && len(descendants(pid)) == 0 {
			time.Sleep(time.Millisecond)
		}
	case delay == -3:
		for time.Now().Before(deadline) && len(descendants(pid)) == 0 {
			time.Sleep(time.Millisecond)
		}
		for time.Now().Before(deadline) && len(descendants(pid)) > 0 {
			time.Sleep(time.Millisecond)
		}
	}

	kids := descendants(pid)
	cmd.Process.Kill()
	cmd.Wait() // reap procbox: a zombie still looks like a live owner to a sweep
	killed = true

	// The child dies with procbox. Orphans are ours (subreaper): reap them.
	gone := time.Now().Add(3 * time.Second)
	for _, k := range kids {
		for leakcheck.Alive(k) && time.Now().Before(gone) {
			time.Sleep(5 * time.Millisecond)
		}
		if leakcheck.Alive(k) {
			t.Errorf("kill %s: child %d (%s) still alive 3s after procbox was killed", point, k, commOf(k))
			unix.Kill(k, unix.SIGKILL)
		}
		var ws unix.WaitStatus
		unix.Wait4(k, &ws, unix.WNOHANG, nil)
	}

	// A child forked after the descendants were listed came to us too.
	for _, k := range reapOrphans(t) {
		kids = append(kids, k)
		t.Logf("kill %s: reaped orphan %d, forked after the kill was decided", point, k)
	}

	stale := cgroupsOf(pid)
	sweep := "procbox " + strings.Join(sweeper, " ")
	r := faultExec(t, 30*time.Second, bin, sweeper...)
	if r.err != nil || r.code != 0 {
		t.Errorf("kill %s: %s: status %d, %v: %s", point, sweep, r.code, r.err, r.stderr)
	}
	if left := cgroupsOf(pid); len(left) > 0 {
		t.Errorf("kill %s: %s left %v (was %v); it said %q", point, sweep, left, stale, r.stdout+r.stderr)
	}
	// Grandchildren too: anything that was in the cgroup is gone.
	for _, k := range kids {
		if leakcheck.Alive(k) {
			t.Errorf("kill %s: process %d (%s) survived the sweep", point, k, commOf(k))
		}
	}
	t.Logf("kill %s: procbox %d, %d child processes, stale cgroups %d, all swept by %s", point, pid, len(kids), len(stale), sweep)
	return pid, kids
}

// cgroupsOf lists the cgroup directories owned by procbox PID pid.
func cgroupsOf(pid int) []string {
	var found []string
	for _, d := range procboxCgroups() {
		if strings.HasPrefix(filepath.Base(d), "procbox-"+strconv.Itoa(pid)+"-") {
			found = append(found, d)
		}
	}
	return found
}

// descendants lists every live process below pid.
func descendants(pid int) []int {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range leakcheck.Children(p, false) {
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out
}

// commOf is the command name of pid, for messages.
func commOf(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// reapOrphans waits for and reaps the processes procbox left to us (we are
// the subreaper): any child of ours named procbox or sleep, since every
// procbox and helper we started ourselves has been waited for already. It
// returns their PIDs.
func reapOrphans(t *testing.T) []int {
	t.Helper()
	self := os.Getpid()
	var reaped []int
	deadline := time.Now().Add(3 * time.Second)
	for {
		pending := 0
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			ppid, state, ok := leakcheck.PPIDState(pid)
			if !ok || ppid != self {
				continue
			}
			if c := commOf(pid); c != "procbox" && c != "sleep" && c != "exe" {
				continue
			}
			if state != "Z" {
				pending++
				continue
			}
			var ws unix.WaitStatus
			if p, _ := unix.Wait4(pid, &ws, unix.WNOHANG, nil); p == pid {
				reaped = append(reaped, pid)
			}
		}
		if pending == 0 {
			return reaped
		}
		if time.Now().After(deadline) {
			t.Errorf("%d processes left by a killed procbox still alive after 3s", pending)
			return reaped
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFaultKillNestedCgroup kills procbox while its child has made a cgroup
// of its own below procbox's (a container runtime inside the child would) and
// moved itself there. The sweep must remove the nested cgroup too: rmdir of
// a cgroup with children fails, so a careless sweep leaves everything behind.
func TestFaultKillNestedCgroup(t *testing.T) {
	requireRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/memory/cgroup.procs"); err != nil {
		t.Skip("needs the cgroup v1 memory hierarchy at /sys/fs/cgroup/memory (this host's layout)")
	}
	bin := faultBuild(t)
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	t.Cleanup(func() { unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) })
	before := takeInventory(t)

	// The child reads its own memory cgroup, makes "nested" below it and moves in.
	script := `cg=$(sed -n 's/^[0-9]*:memory:\(.*\)$/\1/p' /proc/self/cgroup)
d=/sys/fs/cgroup/memory$cg/nested
mkdir "$d" && echo $$ > "$d/cgroup.procs" && echo ready && exec sleep 30`
	cmd := exec.Command(bin, "run", "--mem", "64M", "--", "sh", "-c", script)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	buf := make([]byte, 64)
	n, _ := out.Read(buf) // "ready" once the child sits in the nested cgroup
	if !strings.Contains(string(buf[:n]), "ready") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child did not make its nested cgroup: %q", buf[:n])
	}
	var nested []string
	for _, d := range cgroupsOf(pid) {
		if fileExists(filepath.Join(d, "nested")) {
			nested = append(nested, filepath.Join(d, "nested"))
		}
	}
	if len(nested) == 0 {
		t.Fatalf("no nested cgroup below procbox-%d-*", pid)
	}
	kids := descendants(pid)
	cmd.Process.Kill()
	cmd.Wait()
	reapOrphans(t)

	r := faultExec(t, 30*time.Second, bin, "doctor", "--clean")
	if r.code != 0 {
		t.Errorf("doctor --clean: status %d: %s", r.code, r.stderr)
	}
	if left := cgroupsOf(pid); len(left) > 0 {
		t.Errorf("doctor --clean left %v (the child had nested %v); it said %q", left, nested, r.stdout+r.stderr)
	}
	for _, d := range nested {
		if _, err := os.Stat(d); err == nil {
			t.Errorf("nested cgroup %s survived the sweep", d)
		}
	}
	for _, k := range kids {
		if leakcheck.Alive(k) {
			t.Errorf("process %d (%s) of the killed run is still alive", k, commOf(k))
		}
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(append(kids, pid)...)); len(leaks) > 0 {
		t.Errorf("left on the host: %v", leaks)
	}
}
