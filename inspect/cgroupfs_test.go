package inspect

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
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
	wantV1 := Limits{MemoryMax: 268435456, MemoryCurrent: 10485760, PidsMax: 100, PidsCurrent: 3, CPUMax: "50000 100000",
		OOMKills: 2, ThrottledUsec: 3500, NrThrottled: 7, CgroupVersion: "v1"}
	for _, root := range []string{"cgroup-v1", "cgroup-hybrid"} {
		got, err := readLimits(fixture(root), map[string]string{"cgroup-v1": CgroupV1, "cgroup-hybrid": CgroupHybrid}[root], v1)
		if err != nil {
			t.Errorf("%s: %v", root, err)
		}
		if got != wantV1 {
			t.Errorf("%s:\n got %+v\nwant %+v", root, got, wantV1)
		}
	}

	v2 := []CgroupMembership{{0, []string{}, "/system.slice/docker-" + fixtureDockerID + ".scope"}}
	got, err := readLimits(fixture("cgroup-v2"), CgroupV2, v2)
	want := Limits{MemoryMax: 268435456, MemoryCurrent: 10485760, PidsMax: -1, PidsCurrent: 3, CPUMax: "50000 100000",
		OOMKills: 1, ThrottledUsec: 3500, NrThrottled: 7, CgroupVersion: "v2"}
	if err != nil || got != want {
		t.Errorf("v2: %v\n got %+v\nwant %+v", err, got, want)
	}

	// The root cgroup has no limit files: that is "no limit", not an error.
	root1 := []CgroupMembership{{4, []string{"memory"}, "/"}, {8, []string{"pids"}, "/"}, {1, []string{"cpu", "cpuacct"}, "/"}}
	got, err = readLimits(fixture("cgroup-v1"), CgroupV1, root1)
	if err != nil || got.MemoryMax != -1 || got.PidsMax != -1 || got.CPUMax != "max 100000" || got.MemoryCurrent != 4000000000 {
		t.Errorf("v1 root: %v %+v", err, got)
	}
	got, err = readLimits(fixture("cgroup-v2"), CgroupV2, []CgroupMembership{{0, []string{}, "/"}})
	if err != nil || got.MemoryMax != -1 || got.PidsMax != -1 || got.CPUMax != "max 100000" {
		t.Errorf("v2 root: %v %+v", err, got)
	}

	// A cgroup that does not exist in this tree (e.g. a path seen from inside a
	// cgroup namespace) gives a reason naming the files, not wrong numbers.
	_, err = readLimits(fixture("cgroup-v2"), CgroupV2, []CgroupMembership{{0, []string{}, "/nowhere"}})
	if err == nil || !strings.Contains(err.Error(), "memory.max") {
		t.Errorf("missing cgroup: err = %v", err)
	}
	if _, err := readLimits(fixture("cgroup-v2"), CgroupV2, v1[:1]); err == nil {
		t.Error("v2 host without a v2 line: want an error")
	}
	if _, err := readLimits(fixture("cgroup-empty"), CgroupNone, v2); err == nil {
		t.Error("no cgroupfs: want an error")
	}
}
