package inspect

import (
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLiveRuncContainerIsNamed runs a real runc container from a busybox
// bundle built here (runc(8): `runc spec`, then `runc run -d`), and checks
// that Snapshot and Table name its runtime, id and name from runc's own
// state, as an operator would see them.
func TestLiveRuncContainerIsNamed(t *testing.T) {
	runc := requireRunc(t)
	name := "inspect-runc-" + strconv.Itoa(os.Getpid())
	pid := runcRun(t, runc, name, nil)

	s, err := DefaultFS().Snapshot(pid, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Container
	if c.Runtime != "runc" || c.ID != name || c.Name != name || c.Isolation != IsolationIsolated {
		t.Errorf("snapshot of runc's container process %d: %+v, want runtime runc, id and name %s; errors %v", pid, c, name, s.Errors)
	}
	if !strings.HasSuffix(c.StateFile, "/"+name+"/state.json") {
		t.Errorf("state file %q: want runc's state.json", c.StateFile)
	}

	rows, err := DefaultFS().Table()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.PID == pid {
			found = true
			if r.Container != "runc" || r.ContainerID != name || r.ContainerName != name {
				t.Errorf("table row: container %q id %q name %q, want runc %s %s", r.Container, r.ContainerID, r.ContainerName, name, name)
			}
		}
	}
	if !found {
		t.Errorf("table has no row for pid %d", pid)
	}
}

// TestLiveRuncEffectiveLimits is the case: runc gives its container
// 128M and 1000 pids, under a parent cgroup holding 64M and 20 pids. The
// kernel enforces the parent's; Snapshot must say so, and name the parent.
func TestLiveRuncEffectiveLimits(t *testing.T) {
	runc := requireRunc(t)
	mode, _ := cgroupMode("/sys/fs/cgroup")
	if mode != CgroupV1 && mode != CgroupHybrid {
		t.Skipf("cgroup mode %s: this test builds its parent cgroup on v1 (v2 is covered by TestReadLimitsEffective's tree)", mode)
	}
	parent := "/inspect-parent-" + strconv.Itoa(os.Getpid())
	// runc makes the parent in every hierarchy (blkio, cpu, …) and removes
	// only its own leaf: remove the parent wherever it is, last.
	t.Cleanup(func() {
		dirs, _ := filepath.Glob("/sys/fs/cgroup/*" + parent)
		for _, d := range dirs {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				t.Errorf("leak: %s: %v", d, err)
			}
		}
	})
	for ctrl, files := range map[string]map[string]string{
		"memory": {"memory.limit_in_bytes": "67108864"},
		"pids":   {"pids.max": "20"},
	} {
		dir := filepath.Join("/sys/fs/cgroup", ctrl, parent)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Skipf("cannot make a %s cgroup: %v", ctrl, err)
		}
		for f, v := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(v), 0o644); err != nil {
				t.Fatalf("%s/%s: %v", dir, f, err)
			}
		}
	}
	name := "inspect-lim-" + strconv.Itoa(os.Getpid())
	leaf := parent + "/" + name
	pid := runcRun(t, runc, name, func(cfg map[string]any) {
		linux := cfg["linux"].(map[string]any)
		linux["cgroupsPath"] = leaf
		linux["resources"] = map[string]any{"memory": map[string]any{"limit": 128 << 20}, "pids": map[string]any{"limit": 1000}}
	})
	s, err := DefaultFS().Snapshot(pid, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := s.Limits
	if l.MemoryMax != 64<<20 || l.MemoryMaxSetBy != parent || l.MemoryMaxLeaf != 128<<20 {
		t.Errorf("memory: effective %d set by %q, leaf %d; want 64M set by %s, leaf 128M (errors %v)", l.MemoryMax, l.MemoryMaxSetBy, l.MemoryMaxLeaf, parent, s.Errors)
	}
	if l.PidsMax != 20 || l.PidsMaxSetBy != parent || l.PidsMaxLeaf != 1000 {
		t.Errorf("pids: effective %d set by %q, leaf %d; want 20 set by %s, leaf 1000", l.PidsMax, l.PidsMaxSetBy, l.PidsMaxLeaf, parent)
	}
	// The kernel's own account of the memory limit agrees.
	if b, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/memory", leaf, "memory.stat")); err == nil &&
		!strings.Contains(string(b), "hierarchical_memory_limit 67108864") {
		t.Errorf("memory.stat does not say 64M: the test's premise is wrong:\n%s", b)
	}
}

// requireRunc skips unless runc, root and a static busybox are there.
func requireRunc(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a container")
	}
	if os.Geteuid() != 0 {
		t.Skip("runc run needs root")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc is not installed (Debian: apt-get install runc)")
	}
	if staticBusybox() == "" {
		t.Skip("no statically linked busybox to build the bundle from (Debian: apt-get install busybox-static)")
	}
	return runc
}

func staticBusybox() string {
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if isStaticELF(p) {
			return p
		}
	}
	return ""
}

// runcRun builds a busybox bundle (`runc spec`, edited by edit), starts it
// detached as name with a long sleep, and returns the container's process
// on the host. The container is killed and deleted at cleanup.
func runcRun(t *testing.T, runc, name string, edit func(cfg map[string]any)) int {
	t.Helper()
	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	for _, d := range []string{"bin", "proc", "dev", "sys", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(staticBusybox())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "sleep"} {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(runc, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		t.Fatalf("runc spec: %v: %s", err, out)
	}
	// Detached, no terminal, a long sleep as the container's process.
	cfgPath := filepath.Join(bundle, "config.json")
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	proc := cfg["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = []string{"/bin/sleep", "600"}
	if edit != nil {
		edit(cfg)
	}
	if raw, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	run := exec.Command(runc, "run", "-d", "--bundle", bundle, name)
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	// A file, not a pipe: the detached container inherits stderr, and Run
	// would wait for a pipe's writers, the container's process among them.
	stderr, err := os.CreateTemp(t.TempDir(), "runc-stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	run.Stdin, run.Stdout, run.Stderr = devnull, devnull, stderr
	if err := run.Run(); err != nil {
		exec.Command(runc, "delete", "-f", name).Run()
		msg, _ := os.ReadFile(stderr.Name())
		t.Skipf("runc run cannot start a container on this host: %v: %s", err, msg)
	}
	t.Cleanup(func() {
		exec.Command(runc, "kill", name, "KILL").Run()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if exec.Command(runc, "delete", "-f", name).Run() == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := os.Stat(filepath.Join("/run/runc", name)); err == nil {
			t.Errorf("leak: runc state /run/runc/%s still there", name)
		}
		if m, _ := filepath.Glob("/sys/fs/cgroup/*/" + name); len(m) > 0 {
			t.Errorf("leak: cgroups %v", m)
		}
	})
	out, err := exec.Command(runc, "state", name).Output()
	if err != nil {
		t.Fatalf("runc state: %v", err)
	}
	var st struct {
		PID int `json:"pid"`
	}
	if err := json.Unmarshal(out, &st); err != nil || st.PID <= 0 {
		t.Fatalf("runc state %s: %v %s", name, err, out)
	}
	return st.PID
}

// isStaticELF reports whether path is an ELF executable with no program
// interpreter: it runs in an empty rootfs with no libc beside it.
func isStaticELF(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// TestLiveBwrapSandboxIsNamed: bubblewrap keeps no state and makes no
// cgroup; its process above the sandbox names it, in Snapshot and Table.
func TestLiveBwrapSandboxIsNamed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a sandbox")
	}
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		t.Skip("bwrap is not installed (Debian: apt-get install bubblewrap)")
	}
	// --die-with-parent: the sandbox goes when the outer bwrap is killed.
	cmd := exec.Command(bwrap, "--die-with-parent", "--unshare-pid", "--unshare-uts", "--unshare-ipc", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("bwrap cannot start here: %v", err)
	}
	var sandboxed []int // killed too, and waited for: nothing is left behind
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		for _, pid := range sandboxed {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			alive := false
			for _, pid := range sandboxed {
				alive = alive || syscall.Kill(pid, 0) == nil
			}
			if !alive {
				return
			}
		}
		t.Errorf("leak: sandboxed processes %v still alive", sandboxed)
	})
	outer := cmd.Process.Pid
	// The sandbox's sleep: a descendant of the bwrap process, named sleep.
	sleepPID := 0
	for deadline := time.Now().Add(10 * time.Second); sleepPID == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		rows, err := DefaultFS().Table()
		if err != nil {
			t.Fatal(err)
		}
		parent := map[int]int{}
		for _, r := range rows {
			parent[r.PID] = r.PPID
		}
		for _, r := range rows {
			if r.Comm != "sleep" {
				continue
			}
			for p := r.PPID; p > 1; p = parent[p] {
				if p == outer {
					sleepPID = r.PID
					sandboxed = append(sandboxed, r.PID)
					if r.PPID != outer { // the sandbox's own bwrap (pid 1 inside); never the reaped outer one
						sandboxed = append(sandboxed, r.PPID)
					}
					if r.Container != "bwrap" || r.ContainerID != strconv.Itoa(outer) {
						t.Errorf("table row of the sandboxed sleep: container %q id %q, want bwrap %d", r.Container, r.ContainerID, outer)
					}
					break
				}
			}
		}
	}
	if sleepPID == 0 {
		t.Skip("bwrap started no sleep within 10s (user namespaces or setuid bwrap not usable here?)")
	}
	s, err := DefaultFS().Snapshot(sleepPID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Container.Runtime != "bwrap" || s.Container.ID != strconv.Itoa(outer) || s.Container.Isolation != IsolationIsolated {
		t.Errorf("snapshot of the sandboxed sleep %d: %+v, want bwrap %d", sleepPID, s.Container, outer)
	}
}
