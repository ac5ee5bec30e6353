package isolate

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sweepDeadPID is above the largest pid_max Linux allows (2^22), so no process
// can ever have it: a certainly dead owner.
const sweepDeadPID = 1<<22 + 7

// sweepStartNamed runs `sleep 30` under another name (comm is taken from the
// file name executed), so the test has a live process named as it likes.
func sweepStartNamed(t *testing.T, name string) int {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(sleep, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd.Process.Pid
}

func TestSweepFixture(t *testing.T) {
	root := fakeV1(t, true)
	fixtureFile(t, root, "unified/cgroup.controllers", "")
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	liveProcbox := sweepStartNamed(t, "procbox")
	reused := sweepStartNamed(t, "procbox") // a pid that now belongs to another process, even one called procbox

	keep := []string{
		"memory/" + cgroupName(os.Getpid(), 900),    // ours
		"pids/" + cgroupName(liveProcbox, 1),        // a live procbox
		"memory/procbox-notanumber-1",               // not ours to judge
		"memory/someone-else",                       // not procbox's
		"cpu,cpuacct/" + cgroupName(liveProcbox, 2), // live, in the co-mounted hierarchy
	}
	gone := []string{
		"memory/" + cgroupName(sweepDeadPID, 1),
		"pids/" + cgroupName(sweepDeadPID, 1),
		"cpu,cpuacct/" + cgroupName(sweepDeadPID, 1),
		"unified/" + cgroupName(sweepDeadPID, 3),
		"pids/" + cgroupName(reused, 1),
	}
	for _, d := range append(append([]string{}, keep...), gone...) {
		// A made-up pid in cgroup.procs: a fixture sweep must never signal it.
		fixtureFile(t, root, d+"/cgroup.procs", "1\n")
	}
	fixtureFile(t, root, "memory/"+cgroupName(sweepDeadPID, 1)+"/nested/cgroup.procs", "")
	// The reused pid's process started after its cgroup was made: date the
	// cgroup a minute back, as a SIGKILLed procbox's would be.
	past := time.Now().Add(-time.Minute)
	if err := os.Chtimes(filepath.Join(root, "pids", cgroupName(reused, 1)), past, past); err != nil {
		t.Fatal(err)
	}

	removed, err := Sweep(l)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range gone {
		want = append(want, filepath.Join(root, d))
	}
	sort.Strings(want)
	sort.Strings(removed)
	if !reflect.DeepEqual(removed, want) {
		t.Errorf("Sweep removed\n %q\nwant\n %q", removed, want)
	}
	for _, d := range keep {
		if _, err := os.Stat(filepath.Join(root, d)); err != nil {
			t.Errorf("%s was swept: %v", d, err)
		}
	}
	for _, d := range gone {
		if _, err := os.Stat(filepath.Join(root, d)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there: %v", d, err)
		}
	}
	// Nothing left to sweep the second time.
	if again, err := Sweep(l); err != nil || len(again) != 0 {
		t.Errorf("second Sweep: %v %v", again, err)
	}
}

func TestSweepOwnerAlive(t *testing.T) {
	now := time.Now()
	if !sweepOwnerAlive(os.Getpid(), now) {
		t.Error("this test binary is not seen as a live owner")
	}
	if sweepOwnerAlive(sweepDeadPID, now) {
		t.Error("an impossible pid is seen as alive")
	}
	// A process started after the cgroup was made holds a reused pid: dead owner,
	// whatever its name.
	if sweepOwnerAlive(sweepStartNamed(t, "procbox"), now.Add(-time.Minute)) {
		t.Error("a pid reused after the cgroup was created is seen as its owner")
	}
	// A killed owner its parent has not reaped yet (a zombie) owns nothing.
	zombie := exec.Command("true")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = zombie.Wait() })
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, st, _ := processStartTime(zombie.Process.Pid); st == "Z" {
			break
		}
	}
	if sweepOwnerAlive(zombie.Process.Pid, time.Now().Add(time.Minute)) {
		t.Error("an unreaped zombie is seen as a live owner")
	}
	// A renamed procbox that made the cgroup after it started is alive.
	renamed := sweepStartNamed(t, "pbx-renamed")
	if !sweepOwnerAlive(renamed, time.Now().Add(2*time.Second)) {
		t.Error("a live owner with another name is seen as dead")
	}
}

// TestSweepLive leaves a cgroup as a SIGKILLed procbox would (dead owner, a
// process still inside) and checks Sweep kills the process and removes it,
// while a live owner's cgroup stays.
func TestSweepLive(t *testing.T) {
	l := cgLiveLayout(t, "pids")
	ours := cgNew(t, l, Spec{PidsMax: 8})

	stale := &Cgroup{layout: l, name: cgroupName(sweepDeadPID, 1), version: l.limitsOn(), dirs: map[string]string{}}
	if l.limitsOn() == CgroupV1 {
		for _, ctrl := range []string{"pids", "memory"} {
			if l.V1[ctrl] != "" {
				stale.dirs[ctrl] = filepath.Join(l.V1[ctrl], stale.name)
			}
		}
	} else {
		stale.dirs[""] = filepath.Join(l.Unified, stale.name)
	}
	for _, d := range stale.Dirs() {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = stale.Remove()
		cgAssertGone(t, stale)
	})
	ch := cgStart(t, "sleep 30")
	if _, err := stale.AddProc(ch.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}

	removed, err := Sweep(l)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(removed)
	if want := stale.Dirs(); !reflect.DeepEqual(removed, want) {
		t.Errorf("Sweep removed %q, want %q", removed, want)
	}
	cgAssertGone(t, stale)
	if err := ch.wait(t); err == nil {
		t.Error("the process in the stale cgroup was not killed")
	}
	for _, d := range ours.Dirs() {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("Sweep removed a live owner's cgroup %s: %v", d, err)
		}
	}
	t.Logf("swept %d dirs of owner %s", len(removed), strconv.Itoa(sweepDeadPID))
}

// BenchmarkSweep measures what every start pays to look for leftovers on this
// host (cgroups and links), when there is nothing to sweep.
func BenchmarkSweep(b *testing.B) {
	l, err := DetectCgroups("")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Sweep(l); err != nil {
			b.Fatal(err)
		}
		if _, err := SweepVeths(); err != nil {
			b.Fatal(err)
		}
	}
}

// sweepOwnerEnv marks the re-exec of this test binary that plays a procbox
// about to be killed with SIGKILL.
const sweepOwnerEnv = "PROCBOX_TEST_SWEEP_OWNER"

// TestSweepOwnerHelper is not a test on its own: run by TestSweepAfterSIGKILL
// with sweepOwnerEnv set, it creates a limited cgroup, starts a process in it
// WITHOUT a parent-death signal (the worst case), prints both, and waits to be killed.
func TestSweepOwnerHelper(t *testing.T) {
	if os.Getenv(sweepOwnerEnv) != "1" {
		t.Skip("helper process for TestSweepAfterSIGKILL; runs only when re-executed by it")
	}
	l, err := DetectCgroups("")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := NewCgroup(l, Spec{PidsMax: 8})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "300")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddProc(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready " + strings.Join(c.Dirs(), ",") + " " + strconv.Itoa(cmd.Process.Pid) + "\n")
	select {} // until SIGKILL
}

// TestSweepAfterSIGKILL kills an owner with SIGKILL while its cgroup holds a
// process, then shows the next Sweep kills that process and removes the cgroup.
func TestSweepAfterSIGKILL(t *testing.T) {
	l := cgLiveLayout(t, "pids")
	owner := exec.Command(os.Args[0], "-test.run=^TestSweepOwnerHelper$", "-test.count=1")
	owner.Env = append(os.Environ(), sweepOwnerEnv+"=1")
	out, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	owner.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 3 || f[0] != "ready" {
		_ = owner.Process.Kill()
		_ = owner.Wait()
		t.Fatalf("helper said %q (%v)", line, err)
	}
	dirs := strings.Split(f[1], ",")
	orphan, _ := strconv.Atoi(f[2])
	t.Cleanup(func() {
		// Only if the test failed: never leave the orphan or its dirs.
		if orphan > 0 {
			_ = syscall.Kill(orphan, syscall.SIGKILL)
		}
		_ = cgroupRemoveDirs(dirs, false)
	})

	if err := owner.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()
	// The orphan lives on (reparented), still inside the stale cgroup.
	if cgroupReadString("/proc/"+strconv.Itoa(orphan)+"/stat") == "" {
		t.Fatalf("process %d died with its owner; nothing left to sweep", orphan)
	}

	removed, err := Sweep(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !slices.Contains(removed, d) {
			t.Errorf("Sweep did not remove %s (removed %q)", d, removed)
		}
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there: %v", d, err)
		}
	}
	// The orphan was killed: gone, or a zombie waiting for init to reap it.
	stat := cgroupReadString("/proc/" + strconv.Itoa(orphan) + "/stat")
	if stat != "" && !strings.Contains(stat, ") Z ") {
		t.Errorf("process %d survived the sweep: %s", orphan, stat)
	}
}
