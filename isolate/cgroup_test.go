package isolate

// Tests of the cgroup writers against temp-dir cgroupfs trees: no root needed.
// The trees hold the files a kernel would show at each hierarchy root; mkdir in a
// plain directory makes no control files, so NewCgroup creates them on a fixture
// and the tests read back exactly what was written.

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fixtureFile writes content to root/rel, making directories as needed.
func fixtureFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeV1 builds a v1 tree: one hierarchy per controller, cpu and cpuacct
// co-mounted when coMount is set (as most distributions do).
func fakeV1(t *testing.T, coMount bool) string {
	t.Helper()
	root := t.TempDir()
	ctrls := []string{"memory", "pids", "cpu", "cpuacct", "systemd"}
	if coMount {
		ctrls = []string{"memory", "pids", "cpu,cpuacct", "systemd"}
		// Distributions add aliases; they must not count twice.
		if err := os.Symlink("cpu,cpuacct", filepath.Join(root, "cpu")); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range ctrls {
		fixtureFile(t, root, c+"/cgroup.procs", "1\n")
	}
	return root
}

// fakeV2 builds a pure v2 tree with no controller enabled for children yet.
func fakeV2(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	fixtureFile(t, root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
	fixtureFile(t, root, "cgroup.subtree_control", "")
	fixtureFile(t, root, "cgroup.procs", "1\n")
	return root
}

func readFixture(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	return strings.TrimSpace(string(b))
}

func commands(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Command)
	}
	return out
}

func TestDetectCgroupsFixtures(t *testing.T) {
	v1 := fakeV1(t, false)
	hybrid := fakeV1(t, true)
	fixtureFile(t, hybrid, "unified/cgroup.controllers", "")
	fixtureFile(t, hybrid, "unified/cgroup.procs", "")
	v2 := fakeV2(t)
	empty := t.TempDir()

	tests := []struct {
		root    string
		mode    string
		unified string
		v1      map[string]string
	}{
		{v1, CgroupV1, "", map[string]string{
			"memory": v1 + "/memory", "pids": v1 + "/pids", "cpu": v1 + "/cpu", "cpuacct": v1 + "/cpuacct", "systemd": v1 + "/systemd"}},
		{hybrid, CgroupHybrid, hybrid + "/unified", map[string]string{
			"memory": hybrid + "/memory", "pids": hybrid + "/pids", "cpu": hybrid + "/cpu,cpuacct",
			"cpuacct": hybrid + "/cpu,cpuacct", "systemd": hybrid + "/systemd"}},
		{v2, CgroupV2, v2, map[string]string{}},
		{empty, CgroupNone, "", map[string]string{}},
		{filepath.Join(empty, "absent"), CgroupNone, "", map[string]string{}},
	}
	for _, tt := range tests {
		l, err := DetectCgroups(tt.root)
		if err != nil {
			t.Errorf("DetectCgroups(%s): %v", tt.root, err)
			continue
		}
		if l.Mode != tt.mode || l.Unified != tt.unified || !reflect.DeepEqual(l.V1, tt.v1) {
			t.Errorf("DetectCgroups(%s) = %+v, want mode %s unified %q v1 %v", tt.root, l, tt.mode, tt.unified, tt.v1)
		}
	}
}

func TestNewCgroupV1Fixture(t *testing.T) {
	root := fakeV1(t, true)
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	spec := Spec{MemoryMax: 32 << 20, PidsMax: 16, CPUMax: 0.2}
	c, steps, err := NewCgroup(l, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Remove() })

	name := c.Name()
	if owner, _, ok := parseCgroupName(name); !ok || owner != os.Getpid() {
		t.Fatalf("Name() = %q, want procbox-%d-<seq>", name, os.Getpid())
	}
	if c.Path() != "/"+name || c.Version() != CgroupV1 {
		t.Errorf("Path() = %q Version() = %q", c.Path(), c.Version())
	}
	mem, pids, cpu := root+"/memory/"+name, root+"/pids/"+name, root+"/cpu,cpuacct/"+name
	want := []string{
		"mkdir " + mem,
		"mkdir " + pids,
		"mkdir " + cpu, // cpu and cpuacct share it: one mkdir
		"echo 33554432 > " + mem + "/memory.limit_in_bytes",
		"echo 16 > " + pids + "/pids.max",
		"echo 100000 > " + cpu + "/cpu.cfs_period_us",
		"echo 20000 > " + cpu + "/cpu.cfs_quota_us",
	}
	if got := commands(steps); !reflect.DeepEqual(got, want) {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
	for file, val := range map[string]string{
		mem + "/memory.limit_in_bytes": "33554432",
		pids + "/pids.max":             "16",
		cpu + "/cpu.cfs_period_us":     "100000",
		cpu + "/cpu.cfs_quota_us":      "20000",
	} {
		if got := readFixture(t, file); got != val {
			t.Errorf("%s = %q, want %q", file, got, val)
		}
	}
	// No memsw: this tree has no swap accounting at the memory root.
	if _, err := os.Stat(mem + "/memory.memsw.limit_in_bytes"); err == nil {
		t.Error("memory.memsw.limit_in_bytes written without swap accounting")
	}
	if got := c.Dirs(); !reflect.DeepEqual(got, []string{cpu, mem, pids}) {
		t.Errorf("Dirs() = %v", got)
	}

	st, err := c.AddProc(4242)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{mem, pids, cpu} {
		if got := readFixture(t, d+"/cgroup.procs"); got != "4242" {
			t.Errorf("%s/cgroup.procs = %q, want 4242", d, got)
		}
	}
	if want := "echo 4242 | tee " + cpu + "/cgroup.procs " + mem + "/cgroup.procs " + pids + "/cgroup.procs >/dev/null"; st.Command != want {
		t.Errorf("AddProc command = %q, want %q", st.Command, want)
	}
	if _, ok, err := c.DirFD(); ok || err != nil {
		t.Errorf("DirFD on v1 = ok %v err %v, want not ok", ok, err)
	}
}

func TestCgroupV1Memsw(t *testing.T) {
	root := fakeV1(t, false)
	fixtureFile(t, root, "memory/memory.memsw.limit_in_bytes", "9223372036854771712\n")
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	c, steps, err := NewCgroup(l, Spec{MemoryMax: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Remove() })
	mem := root + "/memory/" + c.Name()
	// Lowering: the limit first, then memory+swap (memsw may never be below the limit).
	want := []string{
		"echo 67108864 > " + mem + "/memory.limit_in_bytes",
		"echo 67108864 > " + mem + "/memory.memsw.limit_in_bytes",
	}
	if got := commands(steps)[1:]; !reflect.DeepEqual(got, want) { // after the one mkdir
		t.Errorf("memory steps = %q, want %q", got, want)
	}
	// Raising: memsw first.
	steps, err = c.Update(Spec{MemoryMax: 128 << 20})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"echo 134217728 > " + mem + "/memory.memsw.limit_in_bytes",
		"echo 134217728 > " + mem + "/memory.limit_in_bytes",
	}
	if got := commands(steps); !reflect.DeepEqual(got, want) {
		t.Errorf("raise steps = %q, want %q", got, want)
	}
	// Removing the limit is raising it to "none".
	steps, err = c.Update(Spec{})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{
		"echo -1 > " + mem + "/memory.memsw.limit_in_bytes",
		"echo -1 > " + mem + "/memory.limit_in_bytes",
	}
	if got := commands(steps); !reflect.DeepEqual(got, want) {
		t.Errorf("unlimit steps = %q, want %q", got, want)
	}
}

func TestNewCgroupV2Fixture(t *testing.T) {
	root := fakeV2(t)
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	c, steps, err := NewCgroup(l, Spec{MemoryMax: 32 << 20, PidsMax: 16, CPUMax: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Remove() })
	dir := root + "/" + c.Name()
	want := []string{
		"echo '+memory +pids +cpu' > " + root + "/cgroup.subtree_control",
		"mkdir " + dir,
		"echo 33554432 > " + dir + "/memory.max",
		"echo 0 > " + dir + "/memory.swap.max",
		"echo 16 > " + dir + "/pids.max",
		"echo '20000 100000' > " + dir + "/cpu.max",
	}
	if got := commands(steps); !reflect.DeepEqual(got, want) {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
	for file, val := range map[string]string{
		root + "/cgroup.subtree_control": "+memory +pids +cpu",
		dir + "/memory.max":              "33554432",
		dir + "/memory.swap.max":         "0",
		dir + "/pids.max":                "16",
		dir + "/cpu.max":                 "20000 100000",
	} {
		if got := readFixture(t, file); got != val {
			t.Errorf("%s = %q, want %q", file, got, val)
		}
	}
	if c.Version() != CgroupV2 || c.Path() != "/"+c.Name() {
		t.Errorf("Version() = %q Path() = %q", c.Version(), c.Path())
	}

	// A second cgroup finds the controllers already enabled and skips that step.
	c2, steps2, err := NewCgroup(l, Spec{PidsMax: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c2.Remove() })
	if got := commands(steps2); len(got) != 2 || !strings.HasPrefix(got[0], "mkdir ") {
		t.Errorf("second cgroup steps = %q, want mkdir and pids.max only", got)
	}

	st, err := c.AddProc(4242)
	if err != nil {
		t.Fatal(err)
	}
	if st.Command != "echo 4242 > "+dir+"/cgroup.procs" || readFixture(t, dir+"/cgroup.procs") != "4242" {
		t.Errorf("AddProc step %q, file %q", st.Command, readFixture(t, dir+"/cgroup.procs"))
	}
	fd, ok, err := c.DirFD()
	if err != nil || !ok || fd < 0 {
		t.Fatalf("DirFD on v2 = %d %v %v", fd, ok, err)
	}
	closeFD(t, fd)
}

func closeFD(t *testing.T, fd int) {
	t.Helper()
	if err := os.NewFile(uintptr(fd), "cgroup").Close(); err != nil {
		t.Error(err)
	}
}

func TestCgroupUpdateFixture(t *testing.T) {
	for _, mode := range []string{CgroupV1, CgroupV2} {
		t.Run(mode, func(t *testing.T) {
			root := fakeV2(t)
			if mode == CgroupV1 {
				root = fakeV1(t, false)
			}
			l, err := DetectCgroups(root)
			if err != nil {
				t.Fatal(err)
			}
			c, _, err := NewCgroup(l, Spec{MemoryMax: 32 << 20, PidsMax: 16})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Remove() })

			// Only the pids limit changes, so only pids.max is written.
			steps, err := c.Update(Spec{MemoryMax: 32 << 20, PidsMax: 64})
			if err != nil {
				t.Fatal(err)
			}
			if len(steps) != 1 || !strings.HasSuffix(steps[0].Command, "/pids.max") || !strings.HasPrefix(steps[0].Command, "echo 64 > ") {
				t.Errorf("update steps = %q, want one pids.max write", commands(steps))
			}
			// Then limits go away and a CPU quota appears.
			steps, err = c.Update(Spec{CPUMax: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			s, err := c.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if s.MemoryMax != -1 || s.PidsMax != -1 || s.CPUQuotaUsec != 50000 || s.CPUPeriodUsec != 100000 {
				t.Errorf("after update: stats %+v (steps %q)", s, commands(steps))
			}
			if steps, err := c.Update(Spec{CPUMax: 0.5}); err != nil || len(steps) != 0 {
				t.Errorf("no-op update wrote %q, err %v", commands(steps), err)
			}
		})
	}
}

func TestCgroupStatsV1Fixture(t *testing.T) {
	root := fakeV1(t, false)
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := NewCgroup(l, Spec{MemoryMax: 32 << 20, PidsMax: 16, CPUMax: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Remove() })
	n := c.Name()
	fixtureFile(t, root, "memory/"+n+"/memory.usage_in_bytes", "1048576\n")
	fixtureFile(t, root, "memory/"+n+"/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")
	fixtureFile(t, root, "memory/"+n+"/memory.failcnt", "12\n")
	fixtureFile(t, root, "pids/"+n+"/pids.current", "5\n")
	fixtureFile(t, root, "pids/"+n+"/pids.events", "max 41\n")
	fixtureFile(t, root, "cpu/"+n+"/cpu.stat", "nr_periods 50\nnr_throttled 40\nthrottled_time 3000000000\n")
	fixtureFile(t, root, "cpuacct/"+n+"/cpuacct.usage", "1500000000\n")

	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := CgroupStats{Version: "v1", MemoryMax: 32 << 20, MemoryCurrent: 1 << 20, OOMKills: 3,
		PidsMax: 16, PidsCurrent: 5, CPUQuotaUsec: 20000, CPUPeriodUsec: 100000,
		CPUUsageUsec: 1500000, ThrottledUsec: 3000000, NrThrottled: 40}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Stats:\n got %+v\nwant %+v", s, want)
	}
	e, err := c.Events()
	if err != nil {
		t.Fatal(err)
	}
	if (e != CgroupEvents{PidsMaxHits: 41, MemFailcnt: 12, OOMKills: 3}) {
		t.Errorf("Events = %+v", e)
	}
}

func TestCgroupStatsV2Fixture(t *testing.T) {
	root := fakeV2(t)
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := NewCgroup(l, Spec{PidsMax: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Remove() })
	n := c.Name()
	fixtureFile(t, root, n+"/memory.max", "max\n")
	fixtureFile(t, root, n+"/memory.current", "2097152\n")
	fixtureFile(t, root, n+"/memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n")
	fixtureFile(t, root, n+"/pids.current", "3\n")
	fixtureFile(t, root, n+"/pids.events", "max 9\n")
	fixtureFile(t, root, n+"/cpu.max", "max 100000\n")
	fixtureFile(t, root, n+"/cpu.stat", "usage_usec 250000\nuser_usec 200000\nsystem_usec 50000\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n")

	s, err := c.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := CgroupStats{Version: "v2", MemoryMax: -1, MemoryCurrent: 2 << 20, OOMKills: 1,
		PidsMax: 16, PidsCurrent: 3, CPUQuotaUsec: -1, CPUPeriodUsec: 100000, CPUUsageUsec: 250000}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Stats:\n got %+v\nwant %+v", s, want)
	}
	e, err := c.Events()
	if err != nil {
		t.Fatal(err)
	}
	if (e != CgroupEvents{PidsMaxHits: 9, MemFailcnt: 7, OOMKills: 1}) {
		t.Errorf("Events = %+v", e)
	}
	// A malformed file is an error, with what could be read still returned.
	fixtureFile(t, root, n+"/pids.current", "lots\n")
	s, err = c.Stats()
	if err == nil || !strings.Contains(err.Error(), "pids.current") || s.MemoryCurrent != 2<<20 {
		t.Errorf("malformed pids.current: stats %+v err %v", s, err)
	}
}

func TestNewCgroupErrors(t *testing.T) {
	// A v1 host without the pids hierarchy: asking for a pids limit fails
	// before anything is created; not asking for one works without it.
	root := t.TempDir()
	fixtureFile(t, root, "memory/cgroup.procs", "")
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = NewCgroup(l, Spec{PidsMax: 10})
	if err == nil || err.Error() != "cgroup v1 pids controller not mounted under "+root {
		t.Errorf("err = %v, want the pids controller named", err)
	}
	if entries, _ := os.ReadDir(root + "/memory"); len(entries) != 1 {
		t.Errorf("something was created: %v", entries)
	}
	c, _, err := NewCgroup(l, Spec{MemoryMax: 1 << 20})
	if err != nil {
		t.Fatalf("memory only: %v", err)
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}

	// v2 without the memory controller.
	v2 := t.TempDir()
	fixtureFile(t, v2, "cgroup.controllers", "cpu pids\n")
	fixtureFile(t, v2, "cgroup.subtree_control", "")
	l2, _ := DetectCgroups(v2)
	if _, _, err := NewCgroup(l2, Spec{MemoryMax: 1 << 20}); err == nil || !strings.Contains(err.Error(), "memory controller not available") {
		t.Errorf("v2 without memory: err = %v", err)
	}

	// No cgroups at all.
	none := CgroupLayout{Mode: CgroupNone, Root: "/nowhere"}
	if _, _, err := NewCgroup(none, Spec{}); err == nil {
		t.Error("NewCgroup with no cgroup filesystem succeeded")
	}

	// Supports answers the same questions without creating anything.
	for _, tt := range []struct {
		l    CgroupLayout
		spec Spec
		want string
	}{
		{l, Spec{MemoryMax: 1}, ""},
		{l, Spec{CPUMax: 0.5}, "cgroup v1 cpu controller not mounted under " + root},
		{l2, Spec{PidsMax: 3, CPUMax: 1}, ""},
		{l2, Spec{MemoryMax: 1}, "cgroup v2 memory controller not available in " + v2 + "/cgroup.controllers"},
		{none, Spec{}, ""},
		{none, Spec{PidsMax: 3}, "a pids limit needs cgroups, and no cgroup filesystem is mounted under /nowhere"},
	} {
		err := tt.l.Supports(tt.spec)
		if (err == nil) != (tt.want == "") || (err != nil && err.Error() != tt.want) {
			t.Errorf("Supports(%+v) on %s = %v, want %q", tt.spec, tt.l.Mode, err, tt.want)
		}
	}
}

// TestNewCgroupUndoesHalfway makes the second mkdir fail and checks the first
// directory is gone again.
func TestNewCgroupUndoesHalfway(t *testing.T) {
	root := fakeV1(t, false)
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	next := cgroupName(os.Getpid(), cgroupSeq.Load()+1)
	fixtureFile(t, root, "pids/"+next, "in the way\n") // a file where the pids dir must go
	// The pids mkdir fails (EEXIST), the memory dir is undone, and NewCgroup
	// goes on with the next name (names carry no ownership).
	c, _, err := NewCgroup(l, Spec{MemoryMax: 1 << 20, PidsMax: 8})
	if err != nil || c.Name() == next {
		t.Fatalf("NewCgroup = %v, %v; want it to go on under another name than %s", c, err, next)
	}
	defer c.Remove()
	if _, err := os.Stat(root + "/memory/" + next); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("memory dir left behind after a failed NewCgroup: %v", err)
	}
}

func TestCgroupWriteError(t *testing.T) {
	// A control file that cannot be opened for writing (here: a directory
	// standing where cgroup.subtree_control should be) gives a clear error.
	root := t.TempDir()
	fixtureFile(t, root, "cgroup.controllers", "memory pids cpu\n")
	if err := os.Mkdir(root+"/cgroup.subtree_control", 0o755); err != nil {
		t.Fatal(err)
	}
	l, _ := DetectCgroups(root)
	_, _, err := NewCgroup(l, Spec{})
	if err == nil || err.Error() != "cannot write "+root+"/cgroup.subtree_control: is a directory" {
		t.Errorf("err = %v", err)
	}
}

func TestCgroupRemoveTwice(t *testing.T) {
	root := fakeV2(t)
	l, _ := DetectCgroups(root)
	c, _, err := NewCgroup(l, Spec{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := c.Remove(); err != nil {
		t.Fatalf("second Remove: %v", err)
	}
	if _, err := os.Stat(root + "/" + c.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dir still there: %v", err)
	}
	if _, err := c.Update(Spec{PidsMax: 1}); err == nil {
		t.Error("Update after Remove succeeded")
	}
}

func TestCgroupHelpers(t *testing.T) {
	for in, want := range map[float64]int64{0.2: 20000, 1.5: 150000, 0.001: 1000, 0.0001: 1000} {
		if got := cgroupCPUQuota(in); got != want {
			t.Errorf("cgroupCPUQuota(%g) = %d, want %d", in, got, want)
		}
	}
	if got := cgroupShellQuote("a'b c"); got != `'a'\''b c'` {
		t.Errorf("cgroupShellQuote = %s", got)
	}
	if got := strconv.Quote(cgroupShellQuote("64")); got != `"64"` {
		t.Errorf("plain value quoted: %s", got)
	}
}

// TestPlanCgroup checks --explain's steps are exactly what NewCgroup then does,
// and that planning creates nothing.
func TestPlanCgroup(t *testing.T) {
	for _, mode := range []string{CgroupV1, CgroupV2} {
		t.Run(mode, func(t *testing.T) {
			root := fakeV2(t)
			if mode == CgroupV1 {
				root = fakeV1(t, true)
			}
			l, err := DetectCgroups(root)
			if err != nil {
				t.Fatal(err)
			}
			spec := Spec{MemoryMax: 32 << 20, PidsMax: 16, CPUMax: 0.2}
			before, _ := os.ReadDir(root)
			plan, err := PlanCgroup(l, spec)
			if err != nil {
				t.Fatal(err)
			}
			after, _ := os.ReadDir(root)
			if len(before) != len(after) {
				t.Errorf("planning created something: %v -> %v", before, after)
			}
			if mode == CgroupV2 && readFixture(t, root+"/cgroup.subtree_control") != "" {
				t.Error("planning enabled controllers")
			}
			c, steps, err := NewCgroup(l, spec)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Remove() })
			st, err := c.AddProc(4242)
			if err != nil {
				t.Fatal(err)
			}
			want := commands(append(steps, st))
			want[len(want)-1] = strings.ReplaceAll(want[len(want)-1], "4242", "CHILD_PID")
			if got := commands(plan); !reflect.DeepEqual(got, want) {
				t.Errorf("plan:\n %q\nNewCgroup did:\n %q", got, want)
			}
		})
	}
	if _, err := PlanCgroup(CgroupLayout{Mode: CgroupNone}, Spec{}); err == nil {
		t.Error("PlanCgroup without cgroups succeeded")
	}
}

func TestCgroupLayoutDescribe(t *testing.T) {
	tests := []struct {
		l    CgroupLayout
		want string
	}{
		{CgroupLayout{Mode: CgroupV2, Root: "/sys/fs/cgroup", Unified: "/sys/fs/cgroup"},
			"cgroup v2: one unified hierarchy at /sys/fs/cgroup; limits go in memory.max, pids.max and cpu.max"},
		{CgroupLayout{Mode: CgroupHybrid, Root: "/r", Unified: "/r/unified", V1: map[string]string{"pids": "/r/pids", "memory": "/r/memory"}},
			"hybrid: cgroup v1 hierarchies under /r (memory, pids) carry the limits; the cgroup2 at /r/unified only tracks processes"},
		{CgroupLayout{Mode: CgroupV1, Root: "/r", V1: map[string]string{"cpu": "/r/cpu"}},
			"cgroup v1 hierarchies under /r (cpu); limits go in memory.limit_in_bytes, pids.max and cpu.cfs_quota_us"},
		{CgroupLayout{Mode: CgroupNone, Root: "/r"}, "no cgroup filesystem under /r: no memory, pids or CPU limits"},
	}
	for _, tt := range tests {
		if got := tt.l.Describe(); got != tt.want {
			t.Errorf("Describe() =\n %q\nwant\n %q", got, tt.want)
		}
	}
}

// TestCgroupUpdatePartial: when one write fails, the limits already written
// count as applied, so the retry only rewrites what is still missing.
func TestCgroupUpdatePartial(t *testing.T) {
	root := fakeV2(t)
	l, _ := DetectCgroups(root)
	c, _, err := NewCgroup(l, Spec{MemoryMax: 32 << 20, PidsMax: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Remove() })
	dir := root + "/" + c.Name()
	// A directory where pids.max should be: that write fails.
	if err := os.Remove(dir + "/pids.max"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir+"/pids.max", 0o755); err != nil {
		t.Fatal(err)
	}
	steps, err := c.Update(Spec{MemoryMax: 64 << 20, PidsMax: 32})
	if err == nil || !strings.Contains(err.Error(), "pids.max") {
		t.Fatalf("err = %v, want the pids.max write to fail", err)
	}
	if len(steps) != 1 || !strings.HasSuffix(steps[0].Command, "/memory.max") {
		t.Errorf("steps before the failure = %q, want memory.max only", commands(steps))
	}
	if err := os.Remove(dir + "/pids.max"); err != nil {
		t.Fatal(err)
	}
	steps, err = c.Update(Spec{MemoryMax: 64 << 20, PidsMax: 32})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"echo 32 > " + dir + "/pids.max"}; !reflect.DeepEqual(commands(steps), want) {
		t.Errorf("retry steps = %q, want %q", commands(steps), want)
	}
}

// TestCgroupBelowCaller (v2, temp-dir cgroupfs): procbox's cgroup goes below
// the caller's own cgroup, so its limits hold. The fixture plays the
// kernel's "no internal processes" rule (a cgroup with processes cannot enable
// controllers for children, EBUSY): the caller's cgroup /a/b holds the caller,
// so the cgroup goes to the nearest ancestor without processes, /a — but
// only when /a/b limits nothing, else procbox refuses.
func TestCgroupBelowCaller(t *testing.T) {
	spec := Spec{MemoryMax: 64 << 20}
	build := func(bProcs, bMemMax string) (string, CgroupLayout) {
		root := fakeV2(t)
		for _, d := range []string{"a", "a/b"} {
			fixtureFile(t, root, d+"/cgroup.controllers", "cpu memory pids\n")
			fixtureFile(t, root, d+"/cgroup.subtree_control", "")
			fixtureFile(t, root, d+"/cgroup.procs", "")
		}
		fixtureFile(t, root, "a/b/cgroup.procs", bProcs)
		fixtureFile(t, root, "a/b/memory.max", bMemMax)
		l, err := DetectCgroups(root)
		if err != nil {
			t.Fatal(err)
		}
		l.selfCgroup = "0::/a/b\n"
		return root, l
	}

	// A delegated, empty caller cgroup: right below it.
	root, l := build("", "max\n")
	c, steps, err := NewCgroup(l, spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := root + "/a/b/" + c.Name(); c.Dirs()[0] != want || c.Path() != "/a/b/"+c.Name() {
		t.Errorf("dir %v path %s, want %s", c.Dirs(), c.Path(), want)
	}
	if !slices.Contains(commands(steps), "echo '+memory +pids +cpu' > "+root+"/a/b/cgroup.subtree_control") {
		t.Errorf("controllers not enabled in the caller's cgroup: %q", commands(steps))
	}
	c.Remove()

	// The caller's cgroup holds processes and limits nothing: one up.
	root, l = build("4242\n", "max\n")
	plan, err := PlanCgroup(l, spec)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err = NewCgroup(l, spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := root + "/a/" + c.Name(); c.Dirs()[0] != want {
		t.Errorf("dir %v, want %s", c.Dirs(), want)
	}
	if got := strings.Join(commands(plan), "\n"); !strings.Contains(got, "mkdir "+root+"/a/procbox-") {
		t.Errorf("--explain does not print the real path:\n%s", got)
	}
	c.Remove()

	// ... and limits memory itself: a cgroup anywhere else would escape it.
	_, l = build("4242\n", "33554432\n")
	if _, _, err := NewCgroup(l, spec); err == nil || !strings.Contains(err.Error(), "no internal processes") || !strings.Contains(err.Error(), "memory.max 33554432") {
		t.Errorf("err = %v, want a refusal naming the rule and the limit", err)
	}
}

// TestCgroupV1BelowCaller: on v1 each hierarchy has its own caller path, and
// only hierarchies with a limit get a directory.
func TestCgroupV1BelowCaller(t *testing.T) {
	root := fakeV1(t, true)
	fixtureFile(t, root, "memory/session/cgroup.procs", "")
	l, err := DetectCgroups(root)
	if err != nil {
		t.Fatal(err)
	}
	l.selfCgroup = "4:memory:/session\n3:pids:/\n2:cpu,cpuacct:/\n"
	c, _, err := NewCgroup(l, Spec{MemoryMax: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Remove()
	if want := []string{root + "/memory/session/" + c.Name()}; !reflect.DeepEqual(c.Dirs(), want) {
		t.Errorf("Dirs() = %v, want only %v (no limit on pids or cpu)", c.Dirs(), want)
	}
	if c.PathIn("memory") != "/session/"+c.Name() || c.PathIn("pids") != "" {
		t.Errorf("PathIn memory %q pids %q", c.PathIn("memory"), c.PathIn("pids"))
	}
	// A pids limit later (the Lab, in place) adds the pids directory, below
	// the caller's pids cgroup.
	steps, err := c.Update(Spec{MemoryMax: 64 << 20, PidsMax: 9})
	if err != nil {
		t.Fatal(err)
	}
	if got := commands(steps); len(got) < 2 || got[0] != "mkdir "+root+"/pids/"+c.Name() {
		t.Errorf("Update steps %q", got)
	}
	if got := readFixture(t, root+"/pids/"+c.Name()+"/pids.max"); got != "9" {
		t.Errorf("pids.max = %q", got)
	}
}
