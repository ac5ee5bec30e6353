package isolate

// Parsers for the small cgroupfs files procbox reads. They are pure functions on
// strings so they can be table-tested and fuzzed without a cgroupfs.

import (
	"fmt"
	"strconv"
	"strings"
)

// v1Unlimited is the smallest value treated as "no limit" in v1 files: the kernel
// reports an unset memory limit as PAGE_COUNTER_MAX rounded to pages
// (9223372036854771712 on 64-bit), not as -1.
const v1Unlimited = int64(1) << 62

// parseCgroupValue reads a single-value file: a number, "max" (v2 and pids
// files) or -1 (v1 cfs_quota_us). "No limit" comes back as -1.
func parseCgroupValue(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return -1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Past int64 is past v1Unlimited too: as large as "no limit" gets.
		if _, uerr := strconv.ParseUint(s, 10, 64); uerr == nil {
			return -1, nil
		}
		return 0, fmt.Errorf("not a number or \"max\": %q", s)
	}
	if n < -1 {
		return 0, fmt.Errorf("negative value %d", n)
	}
	if n >= v1Unlimited {
		return -1, nil
	}
	return n, nil
}

// parseCPUMax reads v2 cpu.max, "QUOTA PERIOD" where QUOTA may be "max".
// No quota comes back as -1.
func parseCPUMax(s string) (quota, period int64, err error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("cpu.max: want \"QUOTA PERIOD\", got %q", strings.TrimSpace(s))
	}
	quota, err = parseCgroupValue(f[0])
	if err != nil {
		return 0, 0, fmt.Errorf("cpu.max quota: %w", err)
	}
	period, err = strconv.ParseInt(f[1], 10, 64)
	if err != nil || period <= 0 {
		return 0, 0, fmt.Errorf("cpu.max period: not a positive number: %q", f[1])
	}
	return quota, period, nil
}

// parseProcs reads cgroup.procs: one pid a line.
func parseProcs(s string) []int {
	var pids []int
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		pid, err := strconv.Atoi(line)
		if err != nil || pid <= 0 {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// parseCgroupName splits "procbox-<ownerPID>-<seq>"; ok is false for any other name.
func parseCgroupName(name string) (owner int, seq uint64, ok bool) {
	rest, found := strings.CutPrefix(name, "procbox-")
	if !found {
		return 0, 0, false
	}
	o, s, found := strings.Cut(rest, "-")
	if !found {
		return 0, 0, false
	}
	owner, err := strconv.Atoi(o)
	if err != nil || owner <= 0 || strconv.Itoa(owner) != o {
		return 0, 0, false
	}
	seq, err = strconv.ParseUint(s, 10, 64)
	if err != nil || strconv.FormatUint(seq, 10) != s {
		return 0, 0, false
	}
	return owner, seq, true
}
