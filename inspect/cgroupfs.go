package inspect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"procbox/internal/kernel"
)

// Cgroup modes as reported by CgroupMode and HostReport.CgroupMode.
const (
	CgroupV1     = "v1"
	CgroupV2     = "v2"
	CgroupHybrid = "hybrid" // v1 controllers plus an (often empty) v2 tree at <root>/unified
	CgroupNone   = "none"
)

// v1Controllers are the v1 hierarchy names procbox recognises at the cgroupfs root.
var v1Controllers = map[string]bool{
	"blkio": true, "cpu": true, "cpuacct": true, "cpuset": true, "devices": true,
	"freezer": true, "hugetlb": true, "memory": true, "net_cls": true, "net_prio": true,
	"perf_event": true, "pids": true, "rdma": true, "misc": true, "systemd": true,
	"cpu,cpuacct": true, "net_cls,net_prio": true,
}

// cgroupModeFromTree decides the cgroup mode from the layout of the tree at
// root: a cgroup.controllers file at the root is v2; controller directories
// are v1; v1 plus a "unified" v2 tree is hybrid. It is a function of the tree
// alone so fixture trees can stand for every kind of host (the live host adds
// a statfs check, see cgroupMode). It also returns the controllers found.
func cgroupModeFromTree(root string) (mode string, controllers []string) {
	if b, err := os.ReadFile(filepath.Join(root, "cgroup.controllers")); err == nil {
		return CgroupV2, strings.Fields(string(b))
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return CgroupNone, nil
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !v1Controllers[e.Name()] {
			continue
		}
		for _, c := range strings.Split(e.Name(), ",") {
			if c != "systemd" {
				seen[c] = true
			}
		}
	}
	for c := range seen {
		controllers = append(controllers, c)
	}
	sort.Strings(controllers)
	if len(controllers) == 0 {
		return CgroupNone, nil
	}
	if _, err := os.Stat(filepath.Join(root, "unified", "cgroup.controllers")); err == nil {
		return CgroupHybrid, controllers
	}
	return CgroupV1, controllers
}

// noLimitV1 is the threshold above which a v1 limit means "no limit": the
// kernel prints LONG_MAX rounded down to a page (9223372036854771712).
const noLimitV1 = int64(1) << 62

// parseLimitValue parses a cgroup limit file's single value: "max" (v2) or a
// huge v1 value mean no limit and give -1.
func parseLimitValue(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Values above int64 cannot be limits anyone set by hand.
		if u, uerr := strconv.ParseUint(s, 10, 64); uerr == nil && u > uint64(noLimitV1) {
			return -1, nil
		}
		return 0, fmt.Errorf("cgroup value %q: %w", s, err)
	}
	if n >= noLimitV1 {
		return -1, nil
	}
	return n, nil
}

// parseCPUMaxV1 turns v1 cpu.cfs_quota_us and cpu.cfs_period_us into the v2
// cpu.max form "QUOTA PERIOD" ("max PERIOD" when the quota is -1).
func parseCPUMaxV1(quota, period string) (string, error) {
	q, err := strconv.ParseInt(strings.TrimSpace(quota), 10, 64)
	if err != nil {
		return "", fmt.Errorf("cpu.cfs_quota_us %q: %w", quota, err)
	}
	p, err := strconv.ParseInt(strings.TrimSpace(period), 10, 64)
	if err != nil {
		return "", fmt.Errorf("cpu.cfs_period_us %q: %w", period, err)
	}
	if q < 0 {
		return fmt.Sprintf("max %d", p), nil
	}
	return fmt.Sprintf("%d %d", q, p), nil
}

// limitReader reads limit files under one cgroup directory, collecting what
// is missing instead of stopping, so one absent controller hides nothing else.
type limitReader struct {
	problems []string
	// notes are values the kernel does not account where the process is
	// (field -> why): reported beside, not as a failure of, the limits.
	notes map[string]string
}

func (r *limitReader) note(field, why string) {
	if r.notes == nil {
		r.notes = map[string]string{}
	}
	r.notes[field] = why
}

func (r *limitReader) read(dir, file string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		r.problems = append(r.problems, file+": "+reason(err))
		return "", false
	}
	return string(b), true
}

// readMax reads a *.max / *.limit file; at the root of a hierarchy such files
// do not exist, and that means "no limit".
func (r *limitReader) readMax(dir, file string, atRoot bool) int64 {
	if atRoot {
		if _, err := os.Stat(filepath.Join(dir, file)); errors.Is(err, os.ErrNotExist) {
			return -1
		}
	}
	s, ok := r.read(dir, file)
	if !ok {
		return 0
	}
	n, err := parseLimitValue(s)
	if err != nil {
		r.problems = append(r.problems, file+": "+err.Error())
	}
	return n
}

func (r *limitReader) readInt(dir, file string) int64 {
	s, ok := r.read(dir, file)
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		r.problems = append(r.problems, file+": "+err.Error())
	}
	return n
}

// v1Dir finds the directory of a v1 controller's hierarchy: "cpu" may be
// mounted as "cpu,cpuacct" with or without the single-name symlinks.
func v1Dir(root string, ctrls []string, want string) string {
	for _, name := range []string{strings.Join(ctrls, ","), want} {
		if fi, err := os.Stat(filepath.Join(root, name)); err == nil && fi.IsDir() {
			return filepath.Join(root, name)
		}
	}
	return filepath.Join(root, want)
}

// readLimits reads memory, pids and cpu limits and usage for the cgroups a
// process belongs to. mode is the host's cgroup mode; hybrid hosts keep their
// controllers on v1. /proc/PID/cgroup paths are relative to the READER's
// cgroup namespace, so they match the cgroupfs procbox itself sees; when they
// do not (a cgroupfs mounted from another namespace) the missing files show
// as a reason, not a wrong number.
//
// Each max is the effective one: the tightest value from the process's
// cgroup up to the hierarchy's root, as the kernel enforces it
// (cgroups(7): a limit on a cgroup holds for all its descendants).
//
// notes holds, per field (pids_current, memory_current), why a value is not
// accounted where the process is; the field is then -1.
func readLimits(root, mode string, cgs []CgroupMembership) (l Limits, notes map[string]string, err error) {
	r := &limitReader{}
	defer func() { notes = r.notes }()
	switch mode {
	case CgroupV2:
		l.CgroupVersion = CgroupV2
		p, ok := cgroupPathFor(cgs, "")
		if !ok {
			return l, nil, errors.New("no v2 line in /proc/PID/cgroup")
		}
		dir := filepath.Join(root, p)
		atRoot := p == "/"
		l.MemoryMaxLeaf = r.readMax(dir, "memory.max", atRoot)
		l.PidsMaxLeaf = r.readMax(dir, "pids.max", atRoot)
		l.MemoryMax, l.MemoryMaxSetBy = tightestMax(root, p, "memory.max", l.MemoryMaxLeaf)
		l.PidsMax, l.PidsMaxSetBy = tightestMax(root, p, "pids.max", l.PidsMaxLeaf)
		if !atRoot {
			l.MemoryCurrent = r.readInt(dir, "memory.current")
			l.PidsCurrent = r.readInt(dir, "pids.current")
			if s, ok := r.read(dir, "memory.events"); ok {
				l.OOMKills = kernel.ParseFlatKeyed(s)["oom_kill"]
			}
			if s, ok := r.read(dir, "cpu.max"); ok {
				l.CPUMaxLeaf = strings.TrimSpace(s)
			}
		} else {
			l.CPUMaxLeaf = "max 100000"
			// The v2 root has no memory.current or pids.current: its usage is
			// the whole machine's, which the kernel does not account there.
			l.MemoryCurrent, l.PidsCurrent = -1, -1
			r.note("memory_current", "not accounted here: the root cgroup of v2 has no memory.current")
			r.note("pids_current", "not accounted here: the root cgroup of v2 has no pids.current")
		}
		l.CPUMax, l.CPUMaxSetBy = tightestCPU(l.CPUMaxLeaf, p, func(cur string) (string, bool) {
			b, err := os.ReadFile(filepath.Join(root, cur, "cpu.max"))
			return strings.TrimSpace(string(b)), err == nil
		})
		if s, ok := r.read(dir, "cpu.stat"); ok {
			kv := kernel.ParseFlatKeyed(s)
			l.ThrottledUsec, l.NrThrottled = kv["throttled_usec"], kv["nr_throttled"]
		}
	case CgroupV1, CgroupHybrid:
		l.CgroupVersion = CgroupV1
		l.MemoryMax, l.MemoryMaxLeaf, l.PidsMax, l.PidsMaxLeaf = -1, -1, -1, -1
		for _, c := range cgs {
			for _, ctrl := range c.Controllers {
				base := v1Dir(root, c.Controllers, ctrl)
				dir := filepath.Join(base, c.Path)
				atRoot := c.Path == "/"
				switch ctrl {
				case "memory":
					l.MemoryMaxLeaf = r.readMax(dir, "memory.limit_in_bytes", atRoot)
					l.MemoryMax, l.MemoryMaxSetBy = tightestMax(base, c.Path, "memory.limit_in_bytes", l.MemoryMaxLeaf)
					l.MemoryCurrent = r.readInt(dir, "memory.usage_in_bytes")
					if s, ok := r.read(dir, "memory.oom_control"); ok {
						l.OOMKills = kernel.ParseFlatKeyed(s)["oom_kill"]
					}
				case "pids":
					l.PidsMaxLeaf = r.readMax(dir, "pids.max", atRoot)
					l.PidsMax, l.PidsMaxSetBy = tightestMax(base, c.Path, "pids.max", l.PidsMaxLeaf)
					if atRoot {
						// v1's root pids cgroup has no pids.current: a count
						// of 0 would be a lie, so it is "not accounted".
						l.PidsCurrent = -1
						r.note("pids_current", "not accounted here: the root pids cgroup of v1 has no pids.current")
					} else {
						l.PidsCurrent = r.readInt(dir, "pids.current")
					}
				case "cpu":
					q, ok1 := r.read(dir, "cpu.cfs_quota_us")
					p, ok2 := r.read(dir, "cpu.cfs_period_us")
					if ok1 && ok2 {
						s, err := parseCPUMaxV1(q, p)
						if err != nil {
							r.problems = append(r.problems, err.Error())
						}
						l.CPUMaxLeaf = s
					}
					l.CPUMax, l.CPUMaxSetBy = tightestCPU(l.CPUMaxLeaf, c.Path, func(cur string) (string, bool) {
						q, err1 := os.ReadFile(filepath.Join(base, cur, "cpu.cfs_quota_us"))
						p, err2 := os.ReadFile(filepath.Join(base, cur, "cpu.cfs_period_us"))
						if err1 != nil || err2 != nil {
							return "", false
						}
						s, err := parseCPUMaxV1(string(q), string(p))
						return s, err == nil
					})
					if s, ok := r.read(dir, "cpu.stat"); ok {
						kv := kernel.ParseFlatKeyed(s)
						l.ThrottledUsec, l.NrThrottled = kv["throttled_time"]/1000, kv["nr_throttled"]
					}
				}
			}
		}
	default:
		return l, nil, fmt.Errorf("no cgroup filesystem at %s", root)
	}
	if len(r.problems) > 0 {
		return l, nil, errors.New(strings.Join(r.problems, "; "))
	}
	return l, nil, nil
}

// tightestMax walks from the cgroup at path up to the root of the
// hierarchy at base and returns the smallest limit in file (leaf is the
// cgroup's own value, already read) and the cgroup that sets it; -1 and ""
// when nothing on the way limits. An ancestor without the file (the root,
// or a v2 parent where the controller is not enabled) limits nothing.
func tightestMax(base, path, file string, leaf int64) (int64, string) {
	best, setBy := int64(-1), ""
	if leaf >= 0 {
		best, setBy = leaf, path
	}
	for cur := path; cur != "/" && cur != "." && cur != ""; {
		cur = filepath.Dir(cur)
		b, err := os.ReadFile(filepath.Join(base, cur, file))
		if err != nil {
			continue
		}
		n, err := parseLimitValue(string(b))
		if err != nil || n < 0 {
			continue
		}
		if best < 0 || n < best {
			best, setBy = n, cur
		}
	}
	return best, setBy
}

// tightestCPU is tightestMax for cpu bandwidth ("QUOTA PERIOD" or "max
// PERIOD"): the smallest share quota/period of the cgroup and its ancestors.
func tightestCPU(leaf, path string, read func(cgroup string) (string, bool)) (string, string) {
	best, setBy, share := leaf, "", cpuShare(leaf)
	if share >= 0 {
		setBy = path
	}
	for cur := path; cur != "/" && cur != "." && cur != ""; {
		cur = filepath.Dir(cur)
		v, ok := read(cur)
		if !ok {
			continue
		}
		if sh := cpuShare(v); sh >= 0 && (share < 0 || sh < share) {
			best, setBy, share = v, cur, sh
		}
	}
	return best, setBy
}

// cpuShare is quota/period of "QUOTA PERIOD", or -1 for no quota.
func cpuShare(v string) float64 {
	f := strings.Fields(v)
	if len(f) != 2 || f[0] == "max" {
		return -1
	}
	q, err1 := strconv.ParseFloat(f[0], 64)
	p, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || q < 0 || p <= 0 {
		return -1
	}
	return q / p
}
