package kernel

import (
	"strconv"
	"strings"
)

// ParseFlatKeyed reads the flat-keyed cgroupfs format, one "key value" line
// per entry (cpu.stat, memory.events, pids.events, memory.oom_control; see
// cgroups(7) and the kernel's cgroup-v2 "Interface Files" conventions).
// Lines that are not exactly a key and an integer are skipped: kernels add
// keys over time and a few values are not numbers.
func ParseFlatKeyed(text string) map[string]int64 {
	out := make(map[string]int64)
	for line := range strings.SplitSeq(text, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		out[f[0]] = n
	}
	return out
}
