package main

// Ownership by lock (isolate/owner_linux.go) replayed through the binary:
// what a live procbox made survives every other procbox's sweep, from any pid
// namespace and whatever a child does to names and mtimes; what a dead one
// made is swept.

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
)

// procboxCgroupDirsOf maps the procbox cgroups in /proc/PID/cgroup to their
// directories under /sys/fs/cgroup.
func procboxCgroupDirsOf(pid int) []string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 || !strings.Contains(f[2], "procbox-") {
			continue
		}
		var cands []string
		if f[0] == "0" {
			cands = []string{"/sys/fs/cgroup/unified" + f[2], "/sys/fs/cgroup" + f[2]}
		} else {
			cands = []string{"/sys/fs/cgroup/" + strings.TrimPrefix(f[1], "name=") + f[2]}
		}
		for _, c := range cands {
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// startOwned starts `procbox ARGS` (a run whose command is sleep) and waits
// until the sleep is in a procbox cgroup; it returns the command, the sleep's
// PID and its procbox cgroup directories. It skips the test if procbox ends
// first.
func startOwned(t *testing.T, bin string, args ...string) (*exec.Cmd, int, []string) {
	t.Helper()
	cmd, sleep, dirs, why := tryStartOwned(t, bin, args...)
	if cmd == nil {
		t.Skipf("procbox %v ended before its sleep was in a cgroup (this host may not allow it): %s", args, why)
	}
	return cmd, sleep, dirs
}

// startNested starts `procbox run --ns pid,mnt -- procbox run --mem 64M --
// sleep 120` (through sh, to choose the inner PID). A child with a mount namespace sees cgroupfs read-only (so it
// cannot leave its limits), and then the inner run cannot make a cgroup; the
// case that matters for ownership, a procbox that sees itself as PID 1 and
// names its cgroup procbox-1-N, is then made with --ns pid alone.
func startNested(t *testing.T, bin string) (*exec.Cmd, int, []string) {
	t.Helper()
	for _, ns := range []string{"pid,mnt", "pid"} {
		// The inner procbox gets a PID near the top of the range in its
		// namespace (ns_last_pid), one no host process is likely to have:
		// an owner judged by the PID in the name looked dead to the host.
		high := 30000
		if b, err := os.ReadFile("/proc/sys/kernel/pid_max"); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 1000 {
				high = n - 700
			}
		}
		inner := "echo " + strconv.Itoa(high) + " > /proc/sys/kernel/ns_last_pid; " + bin + " run --mem 64M -- sleep 120"
		args := []string{"run", "--ns", ns, "--", "sh", "-c", inner}
		cmd, sleep, dirs, why := tryStartOwned(t, bin, args...)
		if cmd != nil {
			t.Logf("nested run with --ns %s", ns)
			return cmd, sleep, dirs
		}
		t.Logf("nested run with --ns %s: %s", ns, why)
	}
	t.Skip("no nested procbox run could make a cgroup here")
	return nil, 0, nil
}

// tryStartOwned is startOwned that reports, instead of skipping, why procbox
// ended early (its stderr).
func tryStartOwned(t *testing.T, bin string, args ...string) (*exec.Cmd, int, []string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, k := range descendants(cmd.Process.Pid) {
			if commOf(k) == "sleep" {
				if dirs := procboxCgroupDirsOf(k); len(dirs) > 0 {
					return cmd, k, dirs, ""
				}
			}
		}
		select {
		case <-done:
			return nil, 0, nil, strings.TrimSpace(stderr.String())
		default:
		}
	}
	t.Fatalf("procbox %v: no sleep in a procbox cgroup after 10s", args)
	return nil, 0, nil, ""
}

// assertSurvives checks a live owner's sleep and cgroups are still there.
func assertSurvives(t *testing.T, what string, sleep int, dirs []string) {
	t.Helper()
	if !leakcheck.Alive(sleep) {
		t.Errorf("%s killed a live owner's process %d", what, sleep)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed a live owner's cgroup %s", what, d)
		}
	}
}

// TestOwnershipNestedRunSurvives: a procbox run inside `procbox run --ns
// pid,mnt` numbers its cgroup with the PID it sees (1 or so); host-side
// starts and doctor --clean used to take that for a dead owner's and kill it.
func TestOwnershipNestedRunSurvives(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	_, sleep, dirs := startNested(t, bin)
	for _, sweeper := range [][]string{{"run", "--mem", "64M", "--", "true"}, {"doctor", "--clean"}} {
		r := faultExec(t, 30*time.Second, bin, sweeper...)
		if r.code != 0 {
			t.Errorf("procbox %v: status %d: %s", sweeper, r.code, r.stderr)
		}
		assertSurvives(t, "procbox "+strings.Join(sweeper, " "), sleep, dirs)
	}
}

// TestOwnershipIgnoresMtime: a child that backdates its cgroup directory
// (touch -d 2000-01-01) cannot get its live owner's cgroup swept.
func TestOwnershipIgnoresMtime(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	// The child itself backdates every procbox cgroup directory it is in
	// (it has no mount namespace, so cgroupfs is writable to it), then sleeps.
	script := forEachOwnCgroup(`touch -d 2000-01-01 "$d"`) + "; exec sleep 60"
	_, sleep, dirs := startOwned(t, bin, "run", "--mem", "64M", "--", "sh", "-c", script)
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil || st.ModTime().Year() != 2000 {
			t.Fatalf("the child did not backdate %s: %v %v", d, st, err)
		}
	}
	r := faultExec(t, 30*time.Second, bin, "doctor", "--clean")
	if r.code != 0 {
		t.Errorf("doctor --clean: %d %s", r.code, r.stderr)
	}
	assertSurvives(t, "doctor --clean after the child's touch -d 2000-01-01", sleep, dirs)
}

// forEachOwnCgroup is a shell loop, run inside a child, that sets $d to each
// procbox cgroup directory the child is in (from /proc/self/cgroup) and runs
// action.
func forEachOwnCgroup(action string) string {
	return `for l in $(cat /proc/self/cgroup); do
  c=${l#*:}; ctrl=${c%%:*}; p=${c#*:}
  case "$p" in */procbox-*) ;; *) continue;; esac
  d=/sys/fs/cgroup/${ctrl#name=}$p; [ "$ctrl" = "" ] && { d=/sys/fs/cgroup/unified$p; [ -d "$d" ] || d=/sys/fs/cgroup$p; }
  ` + action + `
done`
}

// TestOwnershipLiveRootfsSurvivesNestedClean: a live Learn's demo root
// filesystem survives `procbox run --ns pid,mnt -- procbox doctor --clean`,
// with --legacy too, and from a pid namespace without a mount namespace.
// (--legacy where the locks are visible is not run here: on a shared host it
// would remove other procboxes' unlisted state.)
// This test process plays the Learn: it makes the root as Learn does.
func TestOwnershipLiveRootfsSurvivesNestedClean(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	root, err := makeDemoRootfs()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeDemoRootfs(root) })
	for _, args := range [][]string{
		{"run", "--ns", "pid,mnt", "--", bin, "doctor", "--clean"},
		{"run", "--ns", "pid", "--", bin, "doctor", "--clean"},
		// Here /run/procbox is masked: every lock is out of sight, so the
		// unlisted state must not be removed at all (it refuses, status 1).
		{"run", "--ns", "pid,mnt", "--", bin, "doctor", "--clean", "--legacy"},
	} {
		r := faultExec(t, 30*time.Second, bin, args...)
		legacyMasked := args[2] == "pid,mnt" && args[len(args)-1] == "--legacy"
		if (r.code != 0) != legacyMasked {
			t.Errorf("%v: status %d: %s", args, r.code, r.stderr)
		}
		if legacyMasked && !strings.Contains(r.stderr, "not removing unlisted state") {
			t.Errorf("%v: want a refusal, got %q", args, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(root, "etc", "os-release")); err != nil {
			t.Fatalf("%v removed a live Learn's root %s (it said %q): %v", args, root, r.stdout, err)
		}
	}
}

// TestOwnershipDeadOwnersSwept: SIGKILL the owner (a plain run, and the outer
// procbox of a nested one): the next doctor --clean removes their cgroups.
func TestOwnershipDeadOwnersSwept(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	for _, nested := range []bool{false, true} {
		args := "plain run"
		var cmd *exec.Cmd
		var dirs []string
		if nested {
			args = "nested run"
			cmd, _, dirs = startNested(t, bin)
		} else {
			cmd, _, dirs = startOwned(t, bin, "run", "--mem", "64M", "--", "sleep", "60")
		}
		// Every procbox of the tree must be gone (not only the sleep): a
		// process's lock is released when its last thread has exited.
		tree := append(descendants(cmd.Process.Pid), cmd.Process.Pid)
		cmd.Process.Kill()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && anyAlive(tree); {
			time.Sleep(10 * time.Millisecond)
		}
		r := faultExec(t, 30*time.Second, bin, "doctor", "--clean")
		if r.code != 0 {
			t.Errorf("doctor --clean: %d %s", r.code, r.stderr)
		}
		for _, d := range dirs {
			if _, err := os.Stat(d); !os.IsNotExist(err) {
				t.Errorf("%s: a SIGKILLed owner's cgroup %s was not swept (doctor said %q)", args, d, r.stdout)
				exec.Command(bin, "doctor", "--clean").Run()
			}
		}
	}
}

// TestCleanupSparesForeignProcess replays "cleanup as a weapon": a child with
// CAP_KILL dropped moves a host process of another uid (which it may not
// signal) into its own cgroup. Cleanup must leave that process alive, move
// it out of the procbox cgroup and say so (--report).
func TestCleanupSparesForeignProcess(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	victim := exec.Command("sleep", "60")
	victim.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}, Pdeathsig: syscall.SIGKILL}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { victim.Process.Kill(); victim.Wait() })
	vpid := strconv.Itoa(victim.Process.Pid)
	// The child finds its own cgroup in each hierarchy and writes the victim's
	// PID there; then it proves it could not have killed it itself.
	script := forEachOwnCgroup(`echo `+vpid+` > "$d/cgroup.procs" && echo moved`) + `
kill -0 ` + vpid + ` 2>/dev/null && echo could-signal || echo cannot-signal`
	r := faultExec(t, 30*time.Second, bin, "run", "--report", "--pids", "64", "--drop-caps", "cap_kill", "--", "sh", "-c", script)
	if !strings.Contains(r.stdout, "moved") {
		t.Skipf("the child could not move a process into its cgroup here (%q %q): nothing to replay", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "cannot-signal") {
		t.Fatalf("the child could signal the victim itself (%q): the attack needs one it cannot", r.stdout)
	}
	time.Sleep(100 * time.Millisecond)
	if !leakcheck.Alive(victim.Process.Pid) {
		t.Fatalf("cleanup killed the foreign process %s that the child moved into its cgroup (stderr %q)", vpid, r.stderr)
	}
	if d := procboxCgroupDirsOf(victim.Process.Pid); len(d) > 0 {
		t.Errorf("the foreign process is still in procbox cgroups %v", d)
	}
	if !strings.Contains(r.stderr, "process "+vpid) || !strings.Contains(r.stderr, "not killed") {
		t.Errorf("--report does not say the foreign process was moved out: %q", r.stderr)
	}
}
