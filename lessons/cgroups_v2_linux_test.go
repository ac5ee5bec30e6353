package lessons

import (
	"os"
	"path/filepath"
	"testing"

	"procbox/isolate"
)

// TestCgroupV2CheckOnTempCgroupfs runs the v2 step's logic end to end on a
// temp-dir cgroupfs, read by isolate as it reads the live tree: a v2 host's
// group just made (memory.high max, cpu.weight 100, nothing used) and the
// same group after the step's lines (memory.high 16M and throttled, weight
// 50, seconds of CPU and of waiting); and a hybrid host's group, which has
// core files only. Each is the leaf learner-PID/leaf. Before fails and
// after passes, on both.
func TestCgroupV2CheckOnTempCgroupfs(t *testing.T) {
	psi := func(total string) string {
		return "some avg10=0.00 avg60=0.00 avg300=0.00 total=" + total + "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	}
	v2 := func(high, events, weight, usage, wait string) map[string]string {
		return map[string]string{
			"cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n", "cgroup.subtree_control": "\n",
			"cpu.stat": "usage_usec " + usage + "\nuser_usec 0\nsystem_usec 0\n", "cpu.pressure": psi(wait),
			"memory.pressure": psi("0"), "io.pressure": psi("0"), "memory.high": high + "\n",
			"memory.events": "low 0\nhigh " + events + "\nmax 0\noom 0\noom_kill 0\n", "cpu.weight": weight + "\n",
		}
	}
	hybrid := func(usage, wait string) map[string]string {
		return map[string]string{"cgroup.controllers": "\n", "cgroup.subtree_control": "\n",
			"cpu.stat": "usage_usec " + usage + "\nuser_usec 0\nsystem_usec 0\n", "cpu.pressure": psi(wait),
			"memory.pressure": psi("0"), "io.pressure": psi("0")}
	}
	for _, tt := range []struct {
		name          string
		before, after map[string]string
		offers        []string // the controllers procbox's own v2 group has
	}{
		{"v2 host", v2("max", "0", "100", "0", "0"), v2("16777216", "23", "50", "3400000", "910000"), []string{"cpu", "memory", "pids"}},
		{"hybrid host", hybrid("0", "0"), hybrid("2150361", "1626684"), []string{"hugetlb"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, phase := range []struct {
				files map[string]string
				pass  bool
			}{{tt.before, false}, {tt.after, true}} {
				mount := t.TempDir()
				dir := filepath.Join(mount, "learner-4100", "leaf")
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, body := range phase.files {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				g, err := isolate.ReadUnifiedGroup(mount, "/learner-4100/leaf")
				if err != nil {
					t.Fatal(err)
				}
				sh := untouched()
				sh.Unified = g
				host := hostObserved()
				host.Unified.Path, host.Unified.Controllers = "/", tt.offers
				r := cgroupV2Used(State{Shell: &isolate.ShellTrace{Host: host, Procs: []isolate.Observed{sh}}})
				if r.Passed != phase.pass {
					t.Errorf("files %v: passed %v, want %v (%s)", phase.files, r.Passed, phase.pass, r.Missing)
				}
			}
		})
	}
}
