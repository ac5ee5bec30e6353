package inspect

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"procbox/internal/testtree"
)

const fixtureDockerID = "3f2c9a7be1d04c55a8e0b7a6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a"

func fixture(parts ...string) string {
	return filepath.Join(append([]string{"testdata", "fixtures"}, parts...)...)
}

func TestCgroupModeFromTree(t *testing.T) {
	for _, tc := range []struct {
		root  string
		mode  string
		ctrls []string
	}{
		{"cgroup-v1", CgroupV1, []string{"cpu", "cpuacct", "memory", "pids"}},
		{"cgroup-hybrid", CgroupHybrid, []string{"cpu", "cpuacct", "memory", "pids"}},
		{"cgroup-v2", CgroupV2, []string{"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"}},
		{"cgroup-empty", CgroupNone, nil},
		{"does-not-exist", CgroupNone, nil},
	} {
		mode, ctrls := cgroupModeFromTree(fixture(tc.root))
		if mode != tc.mode || !reflect.DeepEqual(ctrls, tc.ctrls) {
			t.Errorf("%s: mode %q controllers %v; want %q %v", tc.root, mode, ctrls, tc.mode, tc.ctrls)
		}
		// The statfs wrapper must agree on directories that are not cgroupfs.
		if m2, _ := cgroupMode(fixture(tc.root)); m2 != mode {
			t.Errorf("%s: cgroupMode = %q, tree says %q", tc.root, m2, mode)
		}
	}
}

var limitValueCases = []struct {
	in      string
	want    int64
	wantErr bool
}{
	{"max\n", -1, false}, {"268435456\n", 268435456, false}, {"9223372036854771712", -1, false},
	{"18446744073709551615", -1, false}, {"0", 0, false}, {"abc", 0, true}, {"", 0, true},
}

func TestParseLimitValue(t *testing.T) {
	for _, tc := range limitValueCases {
		got, err := parseLimitValue(tc.in)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("parseLimitValue(%q) = %d, %v; want %d, err %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestParseCPUMaxV1(t *testing.T) {
	for _, tc := range []struct{ q, p, want string }{{"-1\n", "100000\n", "max 100000"}, {"50000", "100000", "50000 100000"}} {
		if got, err := parseCPUMaxV1(tc.q, tc.p); err != nil || got != tc.want {
			t.Errorf("parseCPUMaxV1(%q, %q) = %q, %v", tc.q, tc.p, got, err)
		}
	}
	if _, err := parseCPUMaxV1("x", "1"); err == nil {
		t.Error("bad quota: want an error")
	}
	if _, err := parseCPUMaxV1("1", "x"); err == nil {
		t.Error("bad period: want an error")
	}
}

func TestReadLimits(t *testing.T) {
	v1 := []CgroupMembership{
		{4, []string{"memory"}, "/docker/" + fixtureDockerID},
		{8, []string{"pids"}, "/docker/" + fixtureDockerID},
		{1, []string{"cpu", "cpuacct"}, "/docker/" + fixtureDockerID},
		{0, []string{}, "/system.slice/containerd.service"},
	}
	leafV1 := "/docker/" + fixtureDockerID
	wantV1 := Limits{MemoryMax: 268435456, MemoryMaxSetBy: leafV1, MemoryMaxLeaf: 268435456, MemoryCurrent: 10485760,
		PidsMax: 100, PidsMaxSetBy: leafV1, PidsMaxLeaf: 100, PidsCurrent: 3,
		CPUMax: "50000 100000", CPUMaxSetBy: leafV1, CPUMaxLeaf: "50000 100000",
		OOMKills: 2, ThrottledUsec: 3500, NrThrottled: 7, CgroupVersion: "v1"}
	for _, root := range []string{"cgroup-v1", "cgroup-hybrid"} {
		got, _, err := readLimits(fixture(root), map[string]string{"cgroup-v1": CgroupV1, "cgroup-hybrid": CgroupHybrid}[root], v1)
		if err != nil {
			t.Errorf("%s: %v", root, err)
		}
		if got != wantV1 {
			t.Errorf("%s:\n got %+v\nwant %+v", root, got, wantV1)
		}
	}

	v2 := []CgroupMembership{{0, []string{}, "/system.slice/docker-" + fixtureDockerID + ".scope"}}
	got, _, err := readLimits(fixture("cgroup-v2"), CgroupV2, v2)
	leafV2 := v2[0].Path
	want := Limits{MemoryMax: 268435456, MemoryMaxSetBy: leafV2, MemoryMaxLeaf: 268435456, MemoryCurrent: 10485760,
		PidsMax: -1, PidsMaxLeaf: -1, PidsCurrent: 3, CPUMax: "50000 100000", CPUMaxSetBy: leafV2, CPUMaxLeaf: "50000 100000",
		OOMKills: 1, ThrottledUsec: 3500, NrThrottled: 7, CgroupVersion: "v2"}
	if err != nil || got != want {
		t.Errorf("v2: %v\n got %+v\nwant %+v", err, got, want)
	}

	// The root cgroup has no limit files: that is "no limit", not an error.
	root1 := []CgroupMembership{{4, []string{"memory"}, "/"}, {8, []string{"pids"}, "/"}, {1, []string{"cpu", "cpuacct"}, "/"}}
	// The root pids cgroup of v1 has no pids.current: "not accounted", never 0.
	got, notes, err := readLimits(fixture("cgroup-v1"), CgroupV1, root1)
	if err != nil || got.MemoryMax != -1 || got.PidsMax != -1 || got.CPUMax != "max 100000" || got.MemoryCurrent != 4000000000 {
		t.Errorf("v1 root: %v %+v", err, got)
	}
	if got.PidsCurrent != -1 || !strings.Contains(notes["pids_current"], "not accounted here") {
		t.Errorf("v1 root: pids_current %d, notes %v; want -1 and 'not accounted here'", got.PidsCurrent, notes)
	}
	got, notes, err = readLimits(fixture("cgroup-v2"), CgroupV2, []CgroupMembership{{0, []string{}, "/"}})
	if err != nil || got.MemoryMax != -1 || got.PidsMax != -1 || got.CPUMax != "max 100000" {
		t.Errorf("v2 root: %v %+v", err, got)
	}
	if got.PidsCurrent != -1 || got.MemoryCurrent != -1 || notes["pids_current"] == "" || notes["memory_current"] == "" {
		t.Errorf("v2 root: usage %d %d, notes %v; want -1 and a note each", got.MemoryCurrent, got.PidsCurrent, notes)
	}

	// A cgroup that does not exist in this tree (e.g. a path seen from inside a
	// cgroup namespace) gives a reason naming the files, not wrong numbers.
	_, _, err = readLimits(fixture("cgroup-v2"), CgroupV2, []CgroupMembership{{0, []string{}, "/nowhere"}})
	if err == nil || !strings.Contains(err.Error(), "memory.max") {
		t.Errorf("missing cgroup: err = %v", err)
	}
	if _, _, err := readLimits(fixture("cgroup-v2"), CgroupV2, v1[:1]); err == nil {
		t.Error("v2 host without a v2 line: want an error")
	}
	if _, _, err := readLimits(fixture("cgroup-empty"), CgroupNone, v2); err == nil {
		t.Error("no cgroupfs: want an error")
	}
}

// TestReadLimitsEffective: a runc container given 128M, 1000 pids and no cpu
// quota under a parent holding 64M, 10 pids and a fifth of a CPU is held to
// the parent's limits; each names the cgroup that sets it. v1 and v2 trees.
func TestReadLimitsEffective(t *testing.T) {
	const parent, leaf = "/pods/slow", "/pods/slow/rcrunc1"
	v2 := t.TempDir()
	testtree.Write(t, v2, map[string]string{
		"cgroup.controllers":         "cpu memory pids\n",
		"pods/memory.max":            "max\n",
		"pods/pids.max":              "max\n",
		"pods/cpu.max":               "50000 100000\n",
		"pods/slow/memory.max":       "67108864\n",
		"pods/slow/pids.max":         "10\n",
		"pods/slow/cpu.max":          "20000 100000\n",
		leaf[1:] + "/memory.max":     "134217728\n",
		leaf[1:] + "/pids.max":       "1000\n",
		leaf[1:] + "/cpu.max":        "max 100000\n",
		leaf[1:] + "/memory.current": "4096\n",
		leaf[1:] + "/pids.current":   "1\n",
		leaf[1:] + "/memory.events":  "oom_kill 0\n",
		leaf[1:] + "/cpu.stat":       "nr_throttled 0\n",
	})
	v1 := t.TempDir()
	testtree.Write(t, v1, map[string]string{
		"memory/memory.limit_in_bytes":              "9223372036854771712\n",
		"memory/pods/slow/memory.limit_in_bytes":    "67108864\n",
		"memory" + leaf + "/memory.limit_in_bytes":  "134217728\n",
		"memory" + leaf + "/memory.usage_in_bytes":  "4096\n",
		"memory" + leaf + "/memory.oom_control":     "oom_kill 0\n",
		"pids/pods/slow/pids.max":                   "10\n",
		"pids" + leaf + "/pids.max":                 "max\n",
		"pids" + leaf + "/pids.current":             "1\n",
		"cpu,cpuacct/cpu.cfs_quota_us":              "-1\n",
		"cpu,cpuacct/cpu.cfs_period_us":             "100000\n",
		"cpu,cpuacct/pods/slow/cpu.cfs_quota_us":    "20000\n",
		"cpu,cpuacct/pods/slow/cpu.cfs_period_us":   "100000\n",
		"cpu,cpuacct" + leaf + "/cpu.cfs_quota_us":  "-1\n",
		"cpu,cpuacct" + leaf + "/cpu.cfs_period_us": "100000\n",
		"cpu,cpuacct" + leaf + "/cpu.stat":          "nr_throttled 0\n",
	})
	for _, tc := range []struct {
		name, root, mode string
		cgs              []CgroupMembership
		pidsLeaf         int64
	}{
		{"v2", v2, CgroupV2, []CgroupMembership{{0, []string{}, leaf}}, 1000},
		{"v1", v1, CgroupV1, []CgroupMembership{{4, []string{"memory"}, leaf}, {8, []string{"pids"}, leaf}, {1, []string{"cpu", "cpuacct"}, leaf}}, -1},
	} {
		l, _, err := readLimits(tc.root, tc.mode, tc.cgs)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if l.MemoryMax != 67108864 || l.MemoryMaxSetBy != parent || l.MemoryMaxLeaf != 134217728 {
			t.Errorf("%s memory: effective %d set by %q, leaf %d; want 64M by %s, leaf 128M", tc.name, l.MemoryMax, l.MemoryMaxSetBy, l.MemoryMaxLeaf, parent)
		}
		if l.PidsMax != 10 || l.PidsMaxSetBy != parent || l.PidsMaxLeaf != tc.pidsLeaf {
			t.Errorf("%s pids: effective %d set by %q, leaf %d", tc.name, l.PidsMax, l.PidsMaxSetBy, l.PidsMaxLeaf)
		}
		if l.CPUMax != "20000 100000" || l.CPUMaxSetBy != parent || l.CPUMaxLeaf != "max 100000" {
			t.Errorf("%s cpu: effective %q set by %q, leaf %q", tc.name, l.CPUMax, l.CPUMaxSetBy, l.CPUMaxLeaf)
		}
	}
}
