package isolate

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/internal/testtree"

	"golang.org/x/sys/unix"
)

// TestReadUnifiedGroup reads a group of a temp-dir cgroup2 tree in the three
// shapes a learner meets: a pure v2 host, where the parent passed memory and
// cpu down (memory.high, memory.events, cpu.weight); a hybrid host, where the
// v2 tree holds core files only; and a kernel with no PSI.
func TestReadUnifiedGroup(t *testing.T) {
	root := t.TempDir()
	psi := "some avg10=1.50 avg60=0.40 avg300=0.10 total=%d\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n"
	testtree.Write(t, filepath.Join(root, "v2", "learner"), map[string]string{
		"cgroup.controllers":     "cpuset cpu io memory pids\n",
		"cgroup.subtree_control": "\n",
		"cpu.stat":               "usage_usec 2500000\nuser_usec 2400000\nsystem_usec 100000\nnr_periods 0\n",
		"cpu.pressure":           strings.Replace(psi, "%d", "812345", 1),
		"memory.pressure":        strings.Replace(psi, "%d", "4000", 1),
		"io.pressure":            strings.Replace(psi, "%d", "0", 1),
		"memory.high":            "16777216\n",
		"memory.events":          "low 0\nhigh 37\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
		"cpu.weight":             "50\n",
	})
	testtree.Write(t, filepath.Join(root, "hybrid", "learner"), map[string]string{
		"cgroup.controllers":     "\n",
		"cgroup.subtree_control": "\n",
		"cpu.stat":               "usage_usec 900\nuser_usec 600\nsystem_usec 300\n",
		"cpu.pressure":           strings.Replace(psi, "%d", "12", 1),
		"memory.pressure":        strings.Replace(psi, "%d", "0", 1),
		"io.pressure":            strings.Replace(psi, "%d", "0", 1),
	})
	testtree.Write(t, filepath.Join(root, "nopsi", "learner"), map[string]string{
		"cgroup.controllers": "memory\n",
		"cpu.stat":           "usage_usec 5\n",
		"memory.high":        "max\n",
		"memory.events":      "low 0\nhigh 0\nmax 0\n",
	})

	g, err := ReadUnifiedGroup(filepath.Join(root, "v2"), "/learner")
	if err != nil {
		t.Fatal(err)
	}
	want := UnifiedGroup{Path: "/learner", Controllers: []string{"cpuset", "cpu", "io", "memory", "pids"},
		CPUUsageUsec: 2500000, CPUSomeUsec: 812345, MemorySomeUsec: 4000, IOSomeUsec: 0,
		MemoryHigh: 16 << 20, MemoryHighEvents: 37, CPUWeight: 50}
	if !unifiedEqual(g, want) {
		t.Errorf("v2 group:\n got %+v\nwant %+v", g, want)
	}
	if !g.Has("memory") || g.Has("hugetlb") {
		t.Errorf("Has: memory %v hugetlb %v", g.Has("memory"), g.Has("hugetlb"))
	}

	g, err = ReadUnifiedGroup(filepath.Join(root, "hybrid"), "/learner")
	if err != nil {
		t.Fatal(err)
	}
	want = UnifiedGroup{Path: "/learner", CPUUsageUsec: 900, CPUSomeUsec: 12, MemorySomeUsec: 0, IOSomeUsec: 0}
	if !unifiedEqual(g, want) || g.Has("memory") {
		t.Errorf("hybrid group (core files only):\n got %+v\nwant %+v", g, want)
	}

	g, err = ReadUnifiedGroup(filepath.Join(root, "nopsi"), "/learner")
	if err != nil {
		t.Fatal(err)
	}
	if g.CPUSomeUsec != -1 || g.MemorySomeUsec != -1 || g.IOSomeUsec != -1 || g.MemoryHigh != -1 || g.CPUWeight != 0 {
		t.Errorf("no PSI, memory.high max, no cpu controller: %+v", g)
	}

	g, err = ReadUnifiedGroup(root, "/gone")
	if err != nil || g.CPUUsageUsec != -1 || g.Controllers != nil {
		t.Errorf("a group that is not there: %+v, %v", g, err)
	}

	if os.Getuid() != 0 { // root reads a 0000 file anyway
		testtree.Write(t, filepath.Join(root, "locked", "learner"), map[string]string{"cpu.stat": "usage_usec 1\n"})
		os.Chmod(filepath.Join(root, "locked", "learner", "cpu.stat"), 0)
		if _, err := ReadUnifiedGroup(filepath.Join(root, "locked"), "/learner"); err == nil {
			t.Error("an unreadable cpu.stat gave no error")
		}
	}
	testtree.Write(t, filepath.Join(root, "bad", "learner"), map[string]string{"memory.high": "lots\n"})
	if _, err := ReadUnifiedGroup(filepath.Join(root, "bad"), "/learner"); err == nil {
		t.Error("memory.high 'lots' gave no error")
	}
}

func unifiedEqual(a, b UnifiedGroup) bool {
	return a.Path == b.Path && slices.Equal(a.Controllers, b.Controllers) && slices.Equal(a.SubtreeControl, b.SubtreeControl) &&
		a.CPUUsageUsec == b.CPUUsageUsec && a.CPUSomeUsec == b.CPUSomeUsec && a.MemorySomeUsec == b.MemorySomeUsec &&
		a.IOSomeUsec == b.IOSomeUsec && a.MemoryHigh == b.MemoryHigh && a.MemoryHighEvents == b.MemoryHighEvents &&
		a.CPUWeight == b.CPUWeight
}

func TestPSISomeTotal(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"some avg10=0.00 avg60=0.00 avg300=0.00 total=42\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n", 42, true},
		{"full avg10=0.00 avg60=0.00 avg300=0.00 total=7\nsome avg10=0.00 total=9", 9, true},
		{"some avg10=0.00 avg60=0.00 avg300=0.00\n", 0, false},
		{"some total=-5\n", 0, false},
		{"some total=x\n", 0, false},
		{"", 0, false},
	} {
		n, ok := psiSomeTotal(tt.in)
		if n != tt.want || ok != tt.ok {
			t.Errorf("psiSomeTotal(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.want, tt.ok)
		}
	}
}

func TestUnifiedPath(t *testing.T) {
	hybrid := "9:name=systemd:/x\n4:memory:/a/b\n0::/learner\n"
	if p := unifiedPath(hybrid); p != "/learner" {
		t.Errorf("hybrid: %q", p)
	}
	if p := unifiedPath("4:memory:/a/b\n1:cpu:/\n"); p != "" {
		t.Errorf("v1 only: %q", p)
	}
}

// TestObserveUnifiedGroup is the v2 step on the real kernel: a process moved
// into a group of its own on the v2 tree (the unified mount of a hybrid
// host) is read there, and the group's cpu.stat counts the CPU it burns.
func TestObserveUnifiedGroup(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root: makes a cgroup")
	}
	layout, err := DetectCgroups("")
	if err != nil || layout.Unified == "" {
		t.Skipf("this host has no cgroup v2 tree (%v)", err)
	}
	name := "/observe-unified-" + strconv.Itoa(os.Getpid())
	dir := filepath.Join(layout.Unified, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a group on the v2 tree: %v", err)
	}
	burner := exec.Command("sh", "-c", "while :; do :; done")
	t.Cleanup(func() {
		if burner.Process != nil {
			burner.Process.Kill()
			burner.Wait()
		}
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if err := unix.Rmdir(dir); err == nil || err == unix.ENOENT {
				return
			}
		}
		t.Errorf("leak: %s", dir)
	})
	if err := burner.Start(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(burner.Process.Pid)), 0o644); err != nil {
		t.Skipf("cannot move a process into %s: %v", dir, err)
	}
	first, err := Observe(burner.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if first.Unified.Path != name {
		t.Fatalf("unified path %q, want %q (errors %v)", first.Unified.Path, name, first.Errors)
	}
	var last Observed
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if last, err = Observe(burner.Process.Pid); err != nil {
			t.Fatal(err)
		}
		if last.Unified.CPUUsageUsec > first.Unified.CPUUsageUsec+100000 {
			break
		}
	}
	if last.Unified.CPUUsageUsec <= first.Unified.CPUUsageUsec {
		t.Errorf("cpu.stat usage_usec did not move under a busy loop: %d then %d", first.Unified.CPUUsageUsec, last.Unified.CPUUsageUsec)
	}
	if _, err := os.Stat("/proc/pressure/cpu"); err == nil && last.Unified.CPUSomeUsec < 0 {
		t.Errorf("the kernel has PSI but the group's cpu.pressure was not read: %+v %v", last.Unified, last.Errors)
	}
	if last.Errors["unified"] != "" {
		t.Errorf("reading the group: %s", last.Errors["unified"])
	}
	// On a hybrid host the v1 hierarchies hold memory: the v2 group cannot offer it.
	if layout.Mode == CgroupHybrid {
		if _, v1 := layout.V1["memory"]; v1 && last.Unified.Has("memory") {
			t.Errorf("memory is bound to v1 here, yet the v2 group lists it: %v", last.Unified.Controllers)
		}
	}
}
