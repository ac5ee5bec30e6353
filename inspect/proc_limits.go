package inspect

import (
	"fmt"
	"strconv"
	"strings"
)

// parseLimits parses /proc/PID/limits (proc_pid_limits(5), getrlimit(2)):
// a header, then "Max open files  1024  4096  files" per line. Names contain
// spaces and some lines have no units, so values are taken from the right.
// "unlimited" is -1.
func parseLimits(text string) ([]Rlimit, error) {
	out := []Rlimit{}
	for i, line := range strings.Split(text, "\n") {
		if i == 0 && strings.HasPrefix(line, "Limit") || strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return out, fmt.Errorf("limits line %q: too few fields", line)
		}
		units := ""
		if _, ok := limitNumber(f[len(f)-1]); !ok {
			units = f[len(f)-1]
			f = f[:len(f)-1]
		}
		if len(f) < 3 {
			return out, fmt.Errorf("limits line %q: too few fields", line)
		}
		soft, ok1 := limitNumber(f[len(f)-2])
		hard, ok2 := limitNumber(f[len(f)-1])
		if !ok1 || !ok2 {
			return out, fmt.Errorf("limits line %q: values are not numbers", line)
		}
		out = append(out, Rlimit{Name: strings.Join(f[:len(f)-2], " "), Soft: soft, Hard: hard, Units: units})
	}
	return out, nil
}

func limitNumber(s string) (int64, bool) {
	if s == "unlimited" {
		return -1, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
