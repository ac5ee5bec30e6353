package isolate

// Reading what a procbox cgroup holds and what its limits did: usage,
// limits, events and member pids.

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"procbox/internal/kernel"
)

// Stats reads limits and usage (memory max/current/oom_kills, pids max/current,
// cpu quota/period/usage/throttled). A file that does not exist (a controller
// not mounted) leaves its value at "none" (-1) or 0; other read errors are returned
// with whatever could be read.
func (c *Cgroup) Stats() (CgroupStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := CgroupStats{Version: c.version, MemoryMax: -1, PidsMax: -1, CPUQuotaUsec: -1}
	if c.removed {
		return s, fmt.Errorf("cgroup %s was already removed", c.name)
	}
	r := cgroupReader{}
	if c.version == CgroupV2 {
		dir := c.dirs[""]
		r.value(filepath.Join(dir, "memory.max"), &s.MemoryMax)
		r.value(filepath.Join(dir, "memory.current"), &s.MemoryCurrent)
		r.key(filepath.Join(dir, "memory.events"), "oom_kill", &s.OOMKills, 1)
		r.value(filepath.Join(dir, "pids.max"), &s.PidsMax)
		r.value(filepath.Join(dir, "pids.current"), &s.PidsCurrent)
		if text, ok := r.read(filepath.Join(dir, "cpu.max")); ok {
			q, p, err := parseCPUMax(text)
			if err != nil {
				r.errs = append(r.errs, err)
			} else {
				s.CPUQuotaUsec, s.CPUPeriodUsec = q, p
			}
		}
		stat := filepath.Join(dir, "cpu.stat")
		r.key(stat, "usage_usec", &s.CPUUsageUsec, 1)
		r.key(stat, "throttled_usec", &s.ThrottledUsec, 1)
		r.key(stat, "nr_throttled", &s.NrThrottled, 1)
		return s, errors.Join(r.errs...)
	}
	for _, ctrl := range []string{"memory", "pids", "cpuacct"} {
		if _, ok := c.dirs[ctrl]; !ok {
			s.Uncounted = append(s.Uncounted, strings.TrimSuffix(ctrl, "acct"))
		}
	}
	if dir, ok := c.dirs["memory"]; ok {
		r.value(filepath.Join(dir, "memory.limit_in_bytes"), &s.MemoryMax)
		r.value(filepath.Join(dir, "memory.usage_in_bytes"), &s.MemoryCurrent)
		// "oom_kill N" appeared in memory.oom_control in Linux 4.13.
		r.key(filepath.Join(dir, "memory.oom_control"), "oom_kill", &s.OOMKills, 1)
	}
	if dir, ok := c.dirs["pids"]; ok {
		r.value(filepath.Join(dir, "pids.max"), &s.PidsMax)
		r.value(filepath.Join(dir, "pids.current"), &s.PidsCurrent)
	}
	if dir, ok := c.dirs["cpu"]; ok {
		r.value(filepath.Join(dir, "cpu.cfs_quota_us"), &s.CPUQuotaUsec)
		r.value(filepath.Join(dir, "cpu.cfs_period_us"), &s.CPUPeriodUsec)
		// v1 reports throttled_time in ns; CgroupStats speaks µs like v2.
		stat := filepath.Join(dir, "cpu.stat")
		r.key(stat, "throttled_time", &s.ThrottledUsec, 1000)
		r.key(stat, "nr_throttled", &s.NrThrottled, 1)
	}
	if dir, ok := c.dirs["cpuacct"]; ok {
		var ns int64
		r.value(filepath.Join(dir, "cpuacct.usage"), &ns)
		s.CPUUsageUsec = ns / 1000
	}
	return s, errors.Join(r.errs...)
}

// Events reads what the limits did: forks refused at pids.max, times memory hit
// its limit, OOM kills. Missing files leave 0.
func (c *Cgroup) Events() (CgroupEvents, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var e CgroupEvents
	if c.removed {
		return e, fmt.Errorf("cgroup %s was already removed", c.name)
	}
	r := cgroupReader{}
	if c.version == CgroupV2 {
		dir := c.dirs[""]
		r.key(filepath.Join(dir, "pids.events"), "max", &e.PidsMaxHits, 1)
		r.key(filepath.Join(dir, "memory.events"), "max", &e.MemFailcnt, 1)
		r.key(filepath.Join(dir, "memory.events"), "oom_kill", &e.OOMKills, 1)
		return e, errors.Join(r.errs...)
	}
	if dir, ok := c.dirs["pids"]; ok {
		r.key(filepath.Join(dir, "pids.events"), "max", &e.PidsMaxHits, 1)
	}
	if dir, ok := c.dirs["memory"]; ok {
		r.value(filepath.Join(dir, "memory.failcnt"), &e.MemFailcnt)
		r.key(filepath.Join(dir, "memory.oom_control"), "oom_kill", &e.OOMKills, 1)
	}
	return e, errors.Join(r.errs...)
}

// Procs lists the pids in the cgroup (from the first hierarchy on v1: every
// hierarchy holds the same processes).
func (c *Cgroup) Procs() ([]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dirs := uniqueDirs(c.dirs)
	if len(dirs) == 0 || c.removed {
		return nil, nil
	}
	b, err := cgroupRead(filepath.Join(dirs[0], "cgroup.procs"))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", filepath.Join(dirs[0], "cgroup.procs"), cgroupErrno(err))
	}
	return parseProcs(string(b)), nil
}

// cgroupReader collects read errors while Stats fills in what it can.
type cgroupReader struct{ errs []error }

func (r *cgroupReader) read(file string) (string, bool) {
	b, err := cgroupRead(file)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.errs = append(r.errs, fmt.Errorf("cannot read %s: %w", file, cgroupErrno(err)))
		}
		return "", false
	}
	return string(b), true
}

func (r *cgroupReader) value(file string, dst *int64) {
	text, ok := r.read(file)
	if !ok {
		return
	}
	n, err := parseCgroupValue(text)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %w", file, err))
		return
	}
	*dst = n
}

func (r *cgroupReader) key(file, key string, dst *int64, div int64) {
	text, ok := r.read(file)
	if !ok {
		return
	}
	if n, found := kernel.ParseFlatKeyed(text)[key]; found {
		*dst = n / div
	}
}
