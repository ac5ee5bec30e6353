package isolate

// This file holds the cgroup types shared by every platform. The code that
// touches cgroupfs lives in cgroup_*_linux.go, one file per job (detect,
// create, v1, v2, stats, remove, file IO); see cgroups(7) and the kernel's
// Documentation/admin-guide/cgroup-v1 and cgroup-v2.rst for the files used.

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Cgroup filesystem modes, as CgroupLayout.Mode reports them.
const (
	CgroupV1     = "v1"     // one hierarchy per controller (or per group of controllers)
	CgroupV2     = "v2"     // one unified hierarchy at the root
	CgroupHybrid = "hybrid" // v1 controllers plus an (often empty) cgroup2 at <root>/unified
	CgroupNone   = "none"   // nothing mounted
)

// CgroupLayout describes the host's cgroup filesystems.
type CgroupLayout struct {
	Mode    string            // "v1", "v2", "hybrid", "none"
	Root    string            // usually /sys/fs/cgroup
	V1      map[string]string // controller ("memory","pids","cpu","cpuacct",...) -> mount dir
	Unified string            // v2 mount dir ("" if none); on hybrid /sys/fs/cgroup/unified

	// fixture is true when the layout was inferred from a plain directory tree
	// (a test's temp dir) instead of live cgroup mounts. Plain directories do not
	// grow control files on mkdir, so writes then create the files, and nothing
	// read back from cgroup.procs is ever signalled (those pids are made up).
	fixture bool
	// selfCgroup stands for /proc/self/cgroup on a fixture ("" = "/" in
	// every hierarchy), so tests can put the caller in a nested cgroup.
	selfCgroup string
}

// limitsOn reports which hierarchy the limits are written to. Hybrid hosts use
// their v1 controllers: the unified hierarchy there has no controllers enabled
// (systemd only uses it to track processes), so a limit written there would not
// exist at all.
func (l CgroupLayout) limitsOn() string {
	switch l.Mode {
	case CgroupV1, CgroupHybrid:
		return CgroupV1
	case CgroupV2:
		return CgroupV2
	}
	return CgroupNone
}

// Describe says in one line what the host has and where procbox puts limits,
// for `procbox doctor` and the lessons.
func (l CgroupLayout) Describe() string {
	ctrls := make([]string, 0, len(l.V1))
	for c := range l.V1 {
		ctrls = append(ctrls, c)
	}
	sort.Strings(ctrls)
	v1 := "cgroup v1 hierarchies under " + l.Root + " (" + strings.Join(ctrls, ", ") + ")"
	switch l.Mode {
	case CgroupV2:
		return "cgroup v2: one unified hierarchy at " + l.Unified + "; limits go in memory.max, pids.max and cpu.max"
	case CgroupHybrid:
		return "hybrid: " + v1 + " carry the limits; the cgroup2 at " + l.Unified + " only tracks processes"
	case CgroupV1:
		return v1 + "; limits go in memory.limit_in_bytes, pids.max and cpu.cfs_quota_us"
	}
	return "no cgroup filesystem under " + l.Root + ": no memory, pids or CPU limits"
}

// Cgroup is one procbox cgroup (v1: one dir per needed controller; v2: one dir).
// Name: "procbox-<ownerPID>-<seq>" so a sweep can tell whether the owner is dead.
// Its methods are safe for concurrent use (the Lab reads Stats while it updates).
type Cgroup struct {
	layout  CgroupLayout
	name    string
	version string // CgroupV1 or CgroupV2
	// dirs maps a v1 controller to its directory; on v2 the single key "" is used.
	// Two controllers co-mounted (cpu,cpuacct) share one directory.
	dirs map[string]string

	mu      sync.Mutex
	applied Spec // the limits last written, so Update only rewrites what changed
	removed bool
	plan    bool // PlanCgroup: compute the steps, write nothing
	// proof tells the child's processes from foreign ones at Remove; notes
	// name the foreign ones Remove moved out instead of killing.
	proof *treeProof
	notes []string
}

// cgroupSeq numbers the cgroups this process creates, so several in one run
// (the Lab re-creating its child) never collide.
var cgroupSeq atomic.Uint64

// cgroupName builds "procbox-<ownerPID>-<seq>".
func cgroupName(owner int, seq uint64) string {
	return "procbox-" + strconv.Itoa(owner) + "-" + strconv.FormatUint(seq, 10)
}

// Name is the directory name, "procbox-<ownerPID>-<seq>".
func (c *Cgroup) Name() string { return c.name }

// Path is how /proc/PID/cgroup shows the child's cgroup where its limits
// live ("/user.slice/…/procbox-123-1"): the unified one on v2; on v1 the
// first of memory, pids, cpu that has one (PathIn tells each apart).
func (c *Cgroup) Path() string {
	for _, k := range []string{"", "memory", "pids", "cpu", "cpuacct"} {
		if p := c.PathIn(k); p != "" {
			return p
		}
	}
	return ""
}

// PathIn is the cgroup's path in the hierarchy of v1 controller ctrl ("" for
// the unified one), as /proc/PID/cgroup shows it; "" where it has none.
func (c *Cgroup) PathIn(ctrl string) string {
	d, ok := c.dirs[ctrl]
	if !ok {
		return ""
	}
	mount := c.layout.Unified
	if ctrl != "" {
		mount = c.layout.V1[ctrl]
	}
	rel, err := filepath.Rel(mount, d)
	if err != nil {
		return ""
	}
	return "/" + rel
}

// Version is "v1" or "v2": the hierarchy the limits live in.
func (c *Cgroup) Version() string { return c.version }

// Dirs lists the directories this cgroup made, one per hierarchy, sorted.
func (c *Cgroup) Dirs() []string { return uniqueDirs(c.dirs) }

// pidsMaxFile is the path of the cgroup's pids.max, or "" without a pids controller.
func (c *Cgroup) pidsMaxFile() string {
	key := "pids"
	if c.version == CgroupV2 {
		key = ""
	}
	if d, ok := c.dirs[key]; ok && d != "" {
		return d + "/pids.max"
	}
	return ""
}

// CgroupEvents counts what the limits did, beyond CgroupStats.
type CgroupEvents struct {
	PidsMaxHits int64 // forks refused at pids.max (pids.events "max")
	MemFailcnt  int64 // v1 memory.failcnt: times usage hit the limit (v2: memory.events "max")
	OOMKills    int64 // processes killed by the OOM killer in this cgroup
}

// uniqueDirs lists the distinct directories of a Cgroup, sorted.
func uniqueDirs(dirs map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range dirs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}
