package isolate

import "strings"

// UnifiedGroup is the group a process sits in on the cgroup v2 tree and what
// that group's files say. On a v2 host the tree is /sys/fs/cgroup; on a
// hybrid host it is the cgroup2 mount beside the v1 hierarchies
// (/sys/fs/cgroup/unified), where a controller that a v1 hierarchy holds is
// never available. See cgroups(7) and the kernel's cgroup-v2.rst: cpu.stat
// and the pressure files are core files, in every group with or without a
// controller; memory.* and cpu.weight exist only where the parent enabled
// that controller in its cgroup.subtree_control.
type UnifiedGroup struct {
	Path           string   `json:"path"`            // "/learner": the 0:: line of /proc/PID/cgroup
	Controllers    []string `json:"controllers"`     // cgroup.controllers: what this group may use
	SubtreeControl []string `json:"subtree_control"` // cgroup.subtree_control: what it passes to its children
	CPUUsageUsec   int64    `json:"cpu_usage_usec"`  // cpu.stat usage_usec; -1 when unread
	// Pressure stall information (PSI): the "some" line's total, in µs, of
	// cpu.pressure, memory.pressure and io.pressure: how long at least one of
	// the group's tasks waited for that resource. -1 when the kernel keeps no
	// PSI here (built without it, or booted with psi=0).
	CPUSomeUsec    int64 `json:"cpu_some_usec"`
	MemorySomeUsec int64 `json:"memory_some_usec"`
	IOSomeUsec     int64 `json:"io_some_usec"`
	// With the memory controller: memory.high in bytes (-1 for "max") and how
	// many times the group went over it and was throttled into reclaim
	// (memory.events "high"). Both 0 when the group has no memory controller.
	MemoryHigh       int64 `json:"memory_high"`
	MemoryHighEvents int64 `json:"memory_high_events"`
	// With the cpu controller: cpu.weight (1 to 10000, 100 by default); 0 without.
	CPUWeight int64 `json:"cpu_weight"`
}

// Has reports whether controller is available in the group (cgroup.controllers).
func (g UnifiedGroup) Has(controller string) bool {
	for _, c := range g.Controllers {
		if c == controller {
			return true
		}
	}
	return false
}

// unifiedPath is the path of the 0:: line of a /proc/PID/cgroup file, or ""
// when the process is on no v2 tree.
func unifiedPath(procCgroup string) string {
	for _, line := range strings.Split(procCgroup, "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			return p
		}
	}
	return ""
}

// psiSomeTotal reads the total= of the "some" line of a pressure file:
//
//	some avg10=0.00 avg60=0.00 avg300=0.00 total=1234
//	full avg10=0.00 avg60=0.00 avg300=0.00 total=0
func psiSomeTotal(s string) (int64, bool) {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "some" {
			continue
		}
		for _, kv := range f[1:] {
			if v, ok := strings.CutPrefix(kv, "total="); ok {
				n, err := parseCgroupValue(v)
				return n, err == nil && n >= 0
			}
		}
	}
	return 0, false
}
