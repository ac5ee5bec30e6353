package isolate

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// sweepDeadPID is above the largest pid_max Linux allows (2^22), so no process
// can ever have it.
const sweepDeadPID = 1<<22 + 7

// writeDeadLock plants a lock file nobody holds, as a procbox killed with
// SIGKILL leaves it (or as a hostile child forges it), listing items.
func writeDeadLock(t *testing.T, items ...ownedItem) string {
	t.Helper()
	if err := ownerDirOpen(OwnerDir()); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(OwnerDir(), "test-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".lock")
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.kind + " " + strconv.Quote(it.value) + "\n")
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(p) })
	return p
}

// inCgroup reports whether pid's /proc/PID/cgroup names dir's cgroup.
func inCgroup(pid int, name string) bool {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	return strings.Contains(string(b), name)
}

// TestOwnerLockFile: the lock is held for the process's life, by a
// close-on-exec descriptor (a child never inherits it), in a 0700 directory,
// and lists what was claimed.
func TestOwnerLockFile(t *testing.T) {
	if len(ownerSelfItems()) != 0 {
		t.Skip("this test process owns something already")
	}
	if err := Claim(OwnRootfs, "/nonexistent/procbox-rootfs-test"); err != nil {
		t.Skipf("cannot keep a lock file here: %v", err)
	}
	f := owner.f
	defer func() {
		// Once nothing is owned, the lock file is gone.
		Unclaim(OwnRootfs, "/nonexistent/procbox-rootfs-test")
		if _, err := os.Stat(f.Name()); !os.IsNotExist(err) {
			t.Errorf("lock file %s left after the last Unclaim: %v", f.Name(), err)
		}
	}()
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("lock descriptor is not close-on-exec: %#x %v", flags, err)
	}
	fd, err := unix.Open(f.Name(), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err == nil {
		t.Error("a second open of the lock file could take the lock: the owner does not hold it")
	}
	if items := readOwned(f); !slices.Contains(items, ownedItem{OwnRootfs, "/nonexistent/procbox-rootfs-test"}) {
		b, _ := os.ReadFile(f.Name())
		t.Errorf("lock file does not list the claim: %q", b)
	}
	var st unix.Stat_t
	if unix.Lstat(OwnerDir(), &st) != nil || st.Mode&0o077 != 0 || int(st.Uid) != os.Geteuid() {
		t.Errorf("lock dir %s: mode %#o uid %d", OwnerDir(), st.Mode&0o7777, st.Uid)
	}
	if os.Geteuid() != 0 && strings.HasPrefix(OwnerDir(), ownerRunDir) {
		t.Errorf("a non-root procbox uses root's %s", ownerRunDir)
	}
}

// TestSweepForgedLockFiles replays a hostile child's attempts on the sweep:
// a live owner's cgroup with its mtime set to 2000-01-01 and also listed in
// a forged (unlocked) lock file survives, and a forged entry naming /etc, a
// symlink or a non-procbox directory is ignored.
func TestSweepForgedLockFiles(t *testing.T) {
	l := cgLiveLayout(t, "pids")
	ours := cgNew(t, l, Spec{PidsMax: 8})
	past := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range ours.Dirs() {
		os.Chtimes(d, past, past)
	}
	victim := t.TempDir()
	os.WriteFile(filepath.Join(victim, "keep"), []byte("x"), 0o600)
	link := filepath.Join(os.TempDir(), DemoRootfsPrefix+"forged-link")
	os.Symlink(victim, link)
	t.Cleanup(func() { os.Remove(link) })
	var items []ownedItem
	for _, d := range ours.Dirs() {
		items = append(items, ownedItem{OwnCgroup, d})
	}
	items = append(items, ownedItem{OwnRootfs, "/etc"}, ownedItem{OwnRootfs, link},
		ownedItem{OwnRootfs, victim}, ownedItem{OwnCgroup, "/etc"}, ownedItem{OwnVeth, "lo"})
	forged := writeDeadLock(t, items...)

	rep, err := SweepOwned(false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ours.Dirs() {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("a live owner's cgroup %s was removed: %v", d, err)
		}
	}
	if _, err := os.Stat(filepath.Join(victim, "keep")); err != nil {
		t.Errorf("forged rootfs entries removed a directory: %v", err)
	}
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Errorf("/etc: %v", err)
	}
	if _, err := os.Stat(forged); !os.IsNotExist(err) {
		t.Errorf("the forged (dead) lock file should be gone: %v", err)
	}
	if len(rep.Removed) != 0 {
		t.Errorf("removed %q from a forged lock file", rep.Removed)
	}
}

// sweepOwnerEnv marks the re-exec of this test binary that plays a procbox
// about to be killed with SIGKILL.
const sweepOwnerEnv = "PROCBOX_TEST_SWEEP_OWNER"

// TestSweepOwnerHelper is not a test on its own: run by TestSweepAfterSIGKILL
// with sweepOwnerEnv set, it creates a limited cgroup, starts a process in it
// in its own session and WITHOUT a parent-death signal (the worst case),
// records it as launch does, prints both, and waits to be killed.
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
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddProc(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	proof := newTreeProof(cmd.Process.Pid)
	if err := Claim(ownTree, proof.record()); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("ready " + strings.Join(c.Dirs(), ",") + " " + strconv.Itoa(cmd.Process.Pid) + "\n")
	select {} // until SIGKILL
}

// TestSweepAfterSIGKILL kills an owner with SIGKILL while its cgroup holds
// its own process and a foreign one (moved in, as a hostile child would):
// the next sweep kills the owner's process, moves the foreign one out
// alive, and removes the cgroup.
func TestSweepAfterSIGKILL(t *testing.T) {
	cgLiveLayout(t, "pids")
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
		_ = cgroupRemoveDirs(dirs, false, nil, func(string) {})
	})
	foreign := exec.Command("sleep", "300")
	if err := foreign.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { foreign.Process.Kill(); foreign.Wait() })
	for _, d := range dirs {
		if err := cgroupWriteFile(filepath.Join(d, "cgroup.procs"), strconv.Itoa(foreign.Process.Pid), false); err != nil {
			t.Fatal(err)
		}
	}

	if err := owner.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()
	if !alivePID(orphan) {
		t.Fatalf("process %d died with its owner; nothing left to sweep", orphan)
	}

	rep, err := SweepOwned(false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !slices.Contains(rep.Removed, d) {
			t.Errorf("the sweep did not remove %s (removed %q)", d, rep.Removed)
		}
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s still there: %v", d, err)
		}
	}
	if alivePID(orphan) {
		t.Errorf("the dead owner's process %d survived the sweep", orphan)
	}
	if !alivePID(foreign.Process.Pid) {
		t.Errorf("the foreign process %d was killed", foreign.Process.Pid)
	}
	if inCgroup(foreign.Process.Pid, "procbox-") {
		t.Errorf("the foreign process is still in a procbox cgroup")
	}
	if len(rep.Notes) == 0 || !strings.Contains(strings.Join(rep.Notes, "\n"), strconv.Itoa(foreign.Process.Pid)) {
		t.Errorf("no note about the foreign process: %q", rep.Notes)
	}
}

// alivePID: running, not a zombie.
func alivePID(pid int) bool {
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(st), ") Z ")
}

// BenchmarkSweep measures what every start pays to look for leftovers.
func BenchmarkSweep(b *testing.B) {
	for b.Loop() {
		if _, err := SweepOwned(false, false); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCgroupNameTaken: a procbox in another pid namespace may have made a
// cgroup of the same name (procbox-1-1 for every nested one). Names carry no
// ownership, so NewCgroup takes the next free name and leaves the other alone.
func TestCgroupNameTaken(t *testing.T) {
	root := fakeV1(t, true)
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	taken := cgroupName(os.Getpid(), cgroupSeq.Load()+1)
	other := filepath.Join(root, "memory", taken)
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	fixtureFile(t, root, "memory/"+taken+"/cgroup.procs", "4242\n")
	c, _, err := NewCgroup(l, Spec{MemoryMax: 64 << 20})
	if err != nil {
		t.Fatalf("NewCgroup with its first name taken: %v", err)
	}
	defer c.Remove()
	if c.Name() == taken {
		t.Errorf("NewCgroup reused the taken name %s", taken)
	}
	if b, err := os.ReadFile(filepath.Join(other, "cgroup.procs")); err != nil || string(b) != "4242\n" {
		t.Errorf("the other procbox's cgroup was touched: %q %v", b, err)
	}
}

// TestOwnerDirMaskedInChild: a child with a mount namespace sees no lock
// files and cannot write any (a forged one could get a live owner swept).
func TestOwnerDirMaskedInChild(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	if err := Claim(OwnRootfs, "/nonexistent/procbox-rootfs-mask-test"); err != nil {
		t.Skip(err)
	}
	defer Unclaim(OwnRootfs, "/nonexistent/procbox-rootfs-mask-test")
	out, _ := run(t, Spec{Namespaces: []string{NSMnt, NSPID}},
		"echo entries=$(ls -A "+ownerRunDir+" | wc -l); touch "+ownerRunDir+"/forged.lock 2>/dev/null && echo wrote || echo refused")
	if !strings.Contains(out, "entries=0") || !strings.Contains(out, "refused") {
		t.Errorf("inside a mount namespace %s should be empty and read-only: %q", ownerRunDir, out)
	}
	if _, err := os.Stat(filepath.Join(ownerRunDir, "forged.lock")); err == nil {
		os.Remove(filepath.Join(ownerRunDir, "forged.lock"))
		t.Error("the child wrote a lock file on the host")
	}
}

// TestReadOwned: a lock file's list is read line by line; comments,
// malformed and unquoted lines are skipped, and a huge file is cut.
func TestReadOwned(t *testing.T) {
	in := "# procbox pid 7\n" +
		"cgroup \"/sys/fs/cgroup/pids/procbox-7-1\"\n" +
		"veth pbx8h\n" + // not quoted: skipped
		"garbage\n" +
		"rootfs \"/tmp/procbox-rootfs-x\\n\"\n" +
		"session \"12 4026531836 999\"\n"
	got := readOwned(strings.NewReader(in))
	want := []ownedItem{{OwnCgroup, "/sys/fs/cgroup/pids/procbox-7-1"}, {OwnRootfs, "/tmp/procbox-rootfs-x\n"}, {ownTree, "12 4026531836 999"}}
	if !slices.Equal(got, want) {
		t.Errorf("readOwned = %q, want %q", got, want)
	}
	huge := strings.Repeat("cgroup \"/x/procbox-1\"\n", maxLockFileBytes)
	if n := len(readOwned(strings.NewReader(huge))); n > maxLockFileBytes/20 {
		t.Errorf("read %d entries from a huge file", n)
	}
	// A forged rootfs entry with a newline in the name is not procbox's shape.
	var rep SweepReport
	if done, err := sweepItem(ownedItem{OwnRootfs, "/tmp/procbox-rootfs-x\n/../../etc"}, 0, nil, &rep); done != "" || err != nil {
		t.Errorf("sweepItem acted on a forged path: %q %v", done, err)
	}
}
