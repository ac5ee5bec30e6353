package lessons

import (
	"strings"
	"testing"

	"procbox/isolate"
)

// TestCgroupV2Check holds the v2 step's check to the kernel's rules on both
// kinds of host it runs on, with readings shaped as a temp-dir cgroupfs
// gives them to isolate (TestReadUnifiedGroup): a hybrid host's v2 group has
// core files only; a v2 host's group also has memory.high, memory.events
// and cpu.weight, and must show them used.
func TestCgroupV2Check(t *testing.T) {
	host := hostObserved() // on a hybrid host: the v2 tree offers no v1-bound controller
	host.Unified = isolate.UnifiedGroup{Path: "/", Controllers: []string{"hugetlb"}, CPUUsageUsec: 9_000_000, CPUSomeUsec: 5_000}
	hostV2 := hostObserved() // procbox in a session scope of a v2 host
	hostV2.Unified = isolate.UnifiedGroup{Path: "/user.slice/user-1000.slice/session-2.scope", Controllers: []string{"cpu", "memory", "pids"},
		CPUUsageUsec: 9_000_000, CPUSomeUsec: 5_000, MemoryHigh: -1, CPUWeight: 100}
	proc := func(comm string, g isolate.UnifiedGroup) isolate.Observed {
		o := untouched()
		o.Comm, o.Unified = comm, g
		return o
	}
	hybrid := isolate.UnifiedGroup{Path: "/learner-4100/leaf", CPUUsageUsec: 2_000_000, CPUSomeUsec: 400_000}
	v2 := isolate.UnifiedGroup{Path: "/learner-4100/leaf", Controllers: []string{"cpu", "io", "memory", "pids"},
		CPUUsageUsec: 4_000_000, CPUSomeUsec: 90_000, MemoryHigh: 16 << 20, MemoryHighEvents: 12, CPUWeight: 50}
	with := func(g isolate.UnifiedGroup, edit func(*isolate.UnifiedGroup)) isolate.UnifiedGroup {
		edit(&g)
		return g
	}
	for _, tt := range []struct {
		name  string
		procs []isolate.Observed
		want  string // "" passes, else a part of what is missing
		v2    bool   // on a v2 host (procbox's own group offers memory and cpu)
	}{
		{"hybrid: loops ran in learner", []isolate.Observed{proc("sh", hybrid)}, "", false},
		{"hybrid: no PSI on this kernel", []isolate.Observed{proc("sh", with(hybrid, func(g *isolate.UnifiedGroup) { g.CPUSomeUsec = -1 }))}, "", false},
		{"the shell back in procbox's group at the end, the loops' readings count",
			[]isolate.Observed{proc("bash", host.Unified), proc("sh", hybrid), proc("sh", with(hybrid, func(g *isolate.UnifiedGroup) { g.CPUUsageUsec = 10 }))}, "", false},
		{"never left procbox's group", []isolate.Observed{proc("bash", host.Unified)}, "learner-PID/leaf", false},
		{"a group of another name", []isolate.Observed{proc("sh", with(hybrid, func(g *isolate.UnifiedGroup) { g.Path = "/learner-4100" }))}, "learner-PID/leaf", false},
		{"no load", []isolate.Observed{proc("bash", with(hybrid, func(g *isolate.UnifiedGroup) { g.CPUUsageUsec = 3_000 }))}, "3 ms of CPU", false},
		{"load but nobody waited", []isolate.Observed{proc("sh", with(hybrid, func(g *isolate.UnifiedGroup) { g.CPUSomeUsec = 0 }))}, "waited for a CPU", false},
		{"v2: everything", []isolate.Observed{proc("sh", v2)}, "", true},
		{"v2: subtree_control never written, the leaf has core files only", []isolate.Observed{proc("sh", hybrid)}, "never got it", true},
		{"v2: memory passed down, cpu not", []isolate.Observed{proc("sh", with(v2, func(g *isolate.UnifiedGroup) { g.Controllers, g.CPUWeight = []string{"memory"}, 0 }))}, "offers cpu", true},
		{"v2: memory.high never set", []isolate.Observed{proc("sh", with(v2, func(g *isolate.UnifiedGroup) { g.MemoryHigh, g.MemoryHighEvents = -1, 0 }))}, "memory.high is not set", true},
		{"v2: never over memory.high", []isolate.Observed{proc("sh", with(v2, func(g *isolate.UnifiedGroup) { g.MemoryHighEvents = 0 }))}, "never went over", true},
		{"v2: the dd's reading holds the events", []isolate.Observed{
			proc("sh", with(v2, func(g *isolate.UnifiedGroup) { g.MemoryHighEvents = 0 })),
			proc("dd", with(v2, func(g *isolate.UnifiedGroup) { g.CPUUsageUsec = 100 }))}, "", true},
		{"v2: cpu.weight left at 100", []isolate.Observed{proc("sh", with(v2, func(g *isolate.UnifiedGroup) { g.CPUWeight = 100 }))}, "cpu.weight is 100", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := host
			if tt.v2 {
				h = hostV2
			}
			r := cgroupV2Used(State{Shell: &isolate.ShellTrace{Host: h, Procs: tt.procs}})
			switch {
			case tt.want == "" && !r.Passed:
				t.Errorf("fails: %s", r.Missing)
			case tt.want != "" && (r.Passed || !strings.Contains(r.Missing, tt.want)):
				t.Errorf("want a failure naming %q, got %+v", tt.want, r)
			}
		})
	}
}
