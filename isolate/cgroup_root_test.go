package isolate

// Integration tests on the live cgroupfs: they need root and skip, with the
// reason, on hosts without it or without the controller they exercise. Each
// checks the EFFECT of a limit on a real process, then that nothing is left.

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cgLiveLayout returns the host's layout or skips the test with the reason.
func cgLiveLayout(t *testing.T, need ...string) CgroupLayout {
	t.Helper()
	if testing.Short() {
		t.Skip("live cgroup test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	l, err := DetectCgroups("/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode == CgroupNone {
		t.Skip("no cgroup filesystem mounted at /sys/fs/cgroup")
	}
	for _, ctrl := range need {
		switch l.limitsOn() {
		case CgroupV1:
			if l.V1[ctrl] == "" {
				t.Skipf("cgroup v1 %s controller not mounted", ctrl)
			}
		case CgroupV2:
			if !cgroupContains(strings.Fields(cgroupReadString(filepath.Join(l.Unified, "cgroup.controllers"))), ctrl) {
				t.Skipf("cgroup v2 %s controller not available", ctrl)
			}
		}
	}
	return l
}

// cgNew creates a live cgroup and registers its removal plus a leak check.
func cgNew(t *testing.T, l CgroupLayout, spec Spec) *Cgroup {
	t.Helper()
	c, _, err := NewCgroup(l, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Remove(); err != nil {
			t.Errorf("Remove: %v", err)
		}
		cgAssertGone(t, c)
	})
	return c
}

// cgAssertGone checks that none of the cgroup's directories exist any more.
func cgAssertGone(t *testing.T, c *Cgroup) {
	t.Helper()
	for _, d := range c.Dirs() {
		if _, err := os.Stat(d); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cgroup dir %s left behind (%v)", d, err)
		}
	}
}

// cgChild starts `sh -c script` held at a `read` until release is called, so
// the script only runs once the process is in its cgroup. Its output is kept.
type cgChild struct {
	cmd     *exec.Cmd
	release io.WriteCloser
	out     *bytes.Buffer
	done    chan error
}

func cgStart(t *testing.T, script string) *cgChild {
	t.Helper()
	cmd := exec.Command("sh", "-c", "read _; "+script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Its own session (and so process group), as procbox's children have:
	// the test's cleanup can kill every process it forked, and Remove can
	// tell them by their session (treeProof) even once they are orphans.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &cgChild{cmd: cmd, release: in, out: &out, done: make(chan error, 1)}
	go func() { ch.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-ch.done
	})
	return ch
}

// wait returns the exit error, or fails the test if the child is still running
// after a generous bound (a hung child, not a timing measurement).
func (ch *cgChild) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-ch.done:
		ch.done <- err // keep it for the cleanup
		return err
	case <-time.After(60 * time.Second):
		t.Fatalf("child %d still running after 60s; output: %s", ch.cmd.Process.Pid, ch.out.String())
		return nil
	}
}

func TestCgroupLiveLimitsAndRemove(t *testing.T) {
	l := cgLiveLayout(t, "memory", "pids", "cpu")
	c := cgNew(t, l, Spec{MemoryMax: 32 << 20, PidsMax: 16, CPUMax: 0.2})
	ch := cgStart(t, "sleep 30")
	pid := ch.cmd.Process.Pid
	c.setProof(newTreeProof(pid)) // the test plays procbox: its child is this process
	if _, err := c.AddProc(pid); err != nil {
		t.Fatal(err)
	}

	// The kernel now names our cgroup for this process in every hierarchy used.
	procCgroup := cgroupReadString("/proc/" + strconv.Itoa(pid) + "/cgroup")
	for _, ctrl := range []string{"memory", "pids", "cpu"} {
		if l.limitsOn() == CgroupV1 && !cgHasLine(procCgroup, ctrl, c.PathIn(ctrl)) {
			t.Errorf("/proc/%d/cgroup does not show %s:%s:\n%s", pid, ctrl, c.PathIn(ctrl), procCgroup)
		}
	}
	if l.limitsOn() == CgroupV2 && !strings.Contains(procCgroup, "0::"+c.Path()+"\n") {
		t.Errorf("/proc/%d/cgroup does not show 0::%s:\n%s", pid, c.Path(), procCgroup)
	}

	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.MemoryMax != 32<<20 || s.PidsMax != 16 || s.CPUQuotaUsec != 20000 || s.CPUPeriodUsec != 100000 {
		t.Errorf("limits read back: %+v", s)
	}
	if s.PidsCurrent != 1 {
		t.Errorf("pids.current = %d, want 1", s.PidsCurrent)
	}
	procs, err := c.Procs()
	if err != nil || len(procs) != 1 || procs[0] != pid {
		t.Errorf("Procs() = %v %v, want [%d]", procs, err, pid)
	}
	// v1 does not move memory already charged elsewhere with the process
	// (memory.move_charge_at_immigrate is off), so usage shows once the child
	// allocates: here, once it runs sleep.
	_ = ch.release.Close()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s, err = c.Stats(); err != nil || s.MemoryCurrent > 0 {
			break
		}
	}
	if s.MemoryCurrent <= 0 {
		t.Errorf("memory usage not counted: %+v", s)
	}

	// Live change: the new value is what the kernel reports.
	if _, err := c.Update(Spec{MemoryMax: 48 << 20, PidsMax: 20, CPUMax: 0.5}); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Stats(); s.MemoryMax != 48<<20 || s.PidsMax != 20 || s.CPUQuotaUsec != 50000 {
		t.Errorf("after Update: %+v", s)
	}

	// Remove kills what is inside and leaves no directory.
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	err = ch.wait(t)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("child after Remove: %v, want killed by SIGKILL", err)
	}
	cgAssertGone(t, c)
	if err := c.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
}

// cgHasLine looks for "N:<ctrl>[,...]:path" in /proc/PID/cgroup.
func cgHasLine(procCgroup, ctrl, path string) bool {
	for _, line := range strings.Split(procCgroup, "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) == 3 && f[2] == path {
			for _, c := range strings.Split(f[1], ",") {
				if c == ctrl {
					return true
				}
			}
		}
	}
	return false
}

func TestCgroupLivePidsLimit(t *testing.T) {
	l := cgLiveLayout(t, "pids")
	c := cgNew(t, l, Spec{PidsMax: 10})
	ch := cgStart(t, "for i in $(seq 40); do sleep 1 & done; wait")
	c.setProof(newTreeProof(ch.cmd.Process.Pid)) // the test plays procbox: its child is this process
	if _, err := c.AddProc(ch.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	_ = ch.release.Close()
	_ = ch.wait(t)

	e, err := c.Events()
	if err != nil {
		t.Fatal(err)
	}
	if e.PidsMaxHits < 1 {
		t.Errorf("pids.events max = %d, want forks refused; output: %s", e.PidsMaxHits, ch.out.String())
	}
	out := ch.out.String()
	if !strings.Contains(out, "fork") && !strings.Contains(out, "Resource temporarily unavailable") {
		t.Errorf("the shell did not report a failed fork: %q", out)
	}
	// The host is not limited: it still forks.
	if err := exec.Command("true").Run(); err != nil {
		t.Errorf("host cannot fork after the test: %v", err)
	}
	t.Logf("forks refused at pids.max=10: %d", e.PidsMaxHits)
}

func TestCgroupLiveOOMKill(t *testing.T) {
	l := cgLiveLayout(t, "memory")
	c := cgNew(t, l, Spec{MemoryMax: 32 << 20})
	// tail must hold a whole "line" before printing it, and /dev/zero has no
	// newline, so it tries to keep all 100 MiB: far past 32 MiB.
	ch := cgStart(t, "head -c 100M /dev/zero | tail; echo tail=$?")
	c.setProof(newTreeProof(ch.cmd.Process.Pid)) // the test plays procbox: its child is this process
	if _, err := c.AddProc(ch.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	_ = ch.release.Close()
	_ = ch.wait(t)

	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.OOMKills < 1 {
		t.Errorf("oom_kill = %d, want the OOM killer to have run; output: %q", s.OOMKills, ch.out.String())
	}
	// 128+9: tail was killed by SIGKILL.
	if !strings.Contains(ch.out.String(), "tail=137") {
		t.Errorf("tail not killed by SIGKILL: %q", ch.out.String())
	}
	t.Logf("oom kills at 32 MiB: %d", s.OOMKills)
}

func TestCgroupLiveCPUThrottle(t *testing.T) {
	l := cgLiveLayout(t, "cpu")
	c := cgNew(t, l, Spec{CPUMax: 0.1})
	ch := cgStart(t, "while :; do :; done")
	c.setProof(newTreeProof(ch.cmd.Process.Pid)) // the test plays procbox: its child is this process
	if _, err := c.AddProc(ch.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	_ = ch.release.Close()
	// Poll until the kernel reports throttling; the bound only catches a hang.
	var s CgroupStats
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if s, err = c.Stats(); err != nil {
			t.Fatal(err)
		}
		if s.NrThrottled > 0 && s.ThrottledUsec > 0 {
			break
		}
	}
	if s.NrThrottled == 0 || s.ThrottledUsec == 0 {
		t.Errorf("a busy loop under a 0.1 CPU quota was never throttled: %+v", s)
	}
	if s.CPUUsageUsec <= 0 {
		t.Errorf("no CPU usage counted: %+v", s)
	}
	t.Logf("cpu 0.1: nr_throttled=%d throttled=%dµs usage=%dµs", s.NrThrottled, s.ThrottledUsec, s.CPUUsageUsec)
}

func TestCgroupLiveRemoveKillsForks(t *testing.T) {
	l := cgLiveLayout(t, "pids")
	c := cgNew(t, l, Spec{PidsMax: 100000}) // a cgroup only comes with a limit
	// A shell that keeps forking: Remove must chase every child.
	ch := cgStart(t, "while :; do sleep 30 & sleep 0.01; done")
	c.setProof(newTreeProof(ch.cmd.Process.Pid)) // the test plays procbox: its child is this process
	if _, err := c.AddProc(ch.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	_ = ch.release.Close()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if procs, _ := c.Procs(); len(procs) >= 5 {
			break
		}
	}
	procs, _ := c.Procs()
	if len(procs) < 5 {
		t.Fatalf("only %d processes in the cgroup", len(procs))
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	cgAssertGone(t, c)
	for _, pid := range procs {
		// Killed processes may linger as zombies of the shell until it is reaped;
		// what matters is that none is still running.
		stat := cgroupReadString("/proc/" + strconv.Itoa(pid) + "/stat")
		if stat != "" && !strings.Contains(stat, ") Z ") {
			t.Errorf("process %d survived Remove: %s", pid, stat)
		}
	}
}

func TestCgroupLiveDirFD(t *testing.T) {
	l := cgLiveLayout(t)
	c := cgNew(t, l, Spec{})
	fd, ok, err := c.DirFD()
	if err != nil {
		t.Fatal(err)
	}
	if l.limitsOn() == CgroupV1 {
		if ok {
			t.Error("DirFD ok on a v1 host")
		}
		return
	}
	if !ok {
		t.Fatal("DirFD not ok on v2")
	}
	closeFD(t, fd)
}

func TestDetectCgroupsLive(t *testing.T) {
	if _, err := os.Stat("/sys/fs/cgroup"); err != nil {
		t.Skip("no /sys/fs/cgroup")
	}
	l, err := DetectCgroups("")
	if err != nil {
		t.Fatal(err)
	}
	if l.fixture {
		t.Error("the live cgroupfs was taken for a fixture")
	}
	// Cross-check with the mount table.
	mounts := cgroupReadString("/proc/self/mountinfo")
	hasV2 := strings.Contains(mounts, " - cgroup2 ")
	hasV1 := strings.Contains(mounts, " - cgroup ")
	want := CgroupNone
	switch {
	case hasV1 && hasV2:
		want = CgroupHybrid
	case hasV1:
		want = CgroupV1
	case hasV2:
		want = CgroupV2
	}
	if l.Mode != want {
		t.Errorf("Mode = %s, mountinfo says %s (layout %+v)", l.Mode, want, l)
	}
	if want == CgroupHybrid && l.V1["memory"] == "" && strings.Contains(mounts, ",memory") {
		t.Errorf("memory controller not found: %+v", l)
	}
	t.Logf("layout: %+v", l)
}

// TestCgroupLiveV2OnUnified exercises the v2 code on a real cgroup2
// filesystem. On a hybrid host that is the unified mount: it has no
// controllers, so there are no limits to set, but the v2 mechanics are real —
// starting a child straight into the cgroup (CLONE_INTO_CGROUP through DirFD),
// cgroup.procs, cpu.stat, and Remove through cgroup.kill.
func TestCgroupLiveV2OnUnified(t *testing.T) {
	host := cgLiveLayout(t)
	if host.Unified == "" {
		t.Skip("no cgroup2 filesystem mounted")
	}
	l, err := DetectCgroups(host.Unified)
	if err != nil {
		t.Fatal(err)
	}
	if l.Mode != CgroupV2 || l.fixture {
		t.Fatalf("DetectCgroups(%s) = %+v, want a live v2 layout", host.Unified, l)
	}
	c := cgNew(t, l, Spec{})
	if c.Version() != CgroupV2 {
		t.Fatalf("Version() = %s", c.Version())
	}
	if !cgroupContains(strings.Fields(cgroupReadString(filepath.Join(l.Unified, "cgroup.controllers"))), "pids") {
		if _, _, err := NewCgroup(l, Spec{PidsMax: 4}); err == nil || !strings.Contains(err.Error(), "pids controller not available") {
			t.Errorf("a pids limit without the pids controller: err = %v", err)
		}
	}

	fd, ok, err := c.DirFD()
	if err != nil || !ok {
		t.Fatalf("DirFD = %v %v", ok, err)
	}
	cmd := exec.Command("sh", "-c", "sleep 30 & sleep 30 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		closeFD(t, fd)
		t.Skipf("cannot start a child into a cgroup (clone3 CLONE_INTO_CGROUP needs Linux 5.7): %v", err)
	}
	closeFD(t, fd)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	pid := cmd.Process.Pid
	c.setProof(newTreeProof(pid)) // the test plays procbox: its child is this process
	if got := cgroupReadString("/proc/" + strconv.Itoa(pid) + "/cgroup"); !strings.Contains(got, "0::"+c.Path()+"\n") {
		t.Errorf("child not started in %s:\n%s", c.Path(), got)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if procs, _ := c.Procs(); len(procs) == 3 {
			break
		}
	}
	if procs, err := c.Procs(); err != nil || len(procs) != 3 {
		t.Errorf("Procs() = %v %v, want the shell and two sleeps", procs, err)
	}
	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != "v2" || s.MemoryMax != -1 || s.PidsMax != -1 || s.CPUQuotaUsec != -1 {
		t.Errorf("Stats without controllers: %+v", s)
	}

	if !cgroupFileExists(filepath.Join(c.Dirs()[0], "cgroup.kill")) {
		t.Log("no cgroup.kill (Linux < 5.14): Remove uses the kill loop")
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	cgAssertGone(t, c)
	err = <-done
	done <- err
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("child after Remove: %v, want killed by SIGKILL", err)
	}
}

// BenchmarkCgroupLifecycle measures what a limited `procbox run` pays for its
// cgroup: create it with memory and pids limits, then remove it.
func BenchmarkCgroupLifecycle(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root to create cgroups")
	}
	l, err := DetectCgroups("")
	if err != nil || l.Mode == CgroupNone {
		b.Skipf("no cgroups: %v", err)
	}
	spec := Spec{MemoryMax: 64 << 20, PidsMax: 64}
	for b.Loop() {
		c, _, err := NewCgroup(l, spec)
		if err != nil {
			b.Fatal(err)
		}
		// No process is moved in: the only one at hand is this benchmark,
		// and Remove would have to wait for it to leave.
		if err := c.Remove(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCgroupLiveV1LimitBelowUsage: v1 refuses a memory limit below what the
// processes use (they cannot be reclaimed without swap); the error says so and
// the old limit stays in place, also for the next Update.
func TestCgroupLiveV1LimitBelowUsage(t *testing.T) {
	l := cgLiveLayout(t, "memory")
	if l.limitsOn() != CgroupV1 {
		t.Skip("v1 only: v2 reclaims or OOM-kills instead of refusing")
	}
	if cgroupHostHasSwap() {
		t.Skip("with swap the kernel can push the memory out and accept the limit")
	}
	c := cgNew(t, l, Spec{MemoryMax: 64 << 20})
	// The shell keeps 20 MB in a variable, then waits.
	ch := cgStart(t, `x=$(head -c 20000000 /dev/zero | tr '\0' a); echo held; sleep 30`)
	c.setProof(newTreeProof(ch.cmd.Process.Pid)) // the test plays procbox: its child is this process
	if _, err := c.AddProc(ch.cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	_ = ch.release.Close()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s, _ := c.Stats(); s.MemoryCurrent > 20e6 {
			break
		}
	}
	_, err := c.Update(Spec{MemoryMax: 1 << 20})
	if !errors.Is(err, syscall.EBUSY) || !strings.Contains(err.Error(), "use more than 1 MiB") {
		t.Fatalf("Update below usage: err = %v, want EBUSY with the reason", err)
	}
	if s, _ := c.Stats(); s.MemoryMax != 64<<20 {
		t.Errorf("limit after a refused Update = %d, want the old 64 MiB", s.MemoryMax)
	}
	// The refused value was not recorded: asking for 64 MiB again is a no-op,
	// and a reachable limit still works.
	if steps, err := c.Update(Spec{MemoryMax: 64 << 20}); err != nil || len(steps) != 0 {
		t.Errorf("Update back to 64 MiB: %q %v", commands(steps), err)
	}
	if _, err := c.Update(Spec{MemoryMax: 48 << 20}); err != nil {
		t.Errorf("Update to 48 MiB: %v", err)
	}
}

// TestCgroupLiveRemoveNested: a child with cgroupfs access may make cgroups of
// its own below procbox's; Remove empties and removes those too.
func TestCgroupLiveRemoveNested(t *testing.T) {
	l := cgLiveLayout(t, "pids")
	c := cgNew(t, l, Spec{PidsMax: 8})
	ch := cgStart(t, "sleep 30")
	c.setProof(newTreeProof(ch.cmd.Process.Pid))
	var nested []string
	for _, d := range c.Dirs() {
		n := filepath.Join(d, "inner", "deeper")
		if err := os.MkdirAll(n, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := cgroupWriteFile(filepath.Join(n, "cgroup.procs"), strconv.Itoa(ch.cmd.Process.Pid), false); err != nil {
			t.Fatal(err)
		}
		nested = append(nested, n)
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	for _, n := range nested {
		if _, err := os.Stat(n); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("nested cgroup %s left behind (%v)", n, err)
		}
	}
	if err := ch.wait(t); err == nil {
		t.Error("the process in the nested cgroup was not killed")
	}
}
