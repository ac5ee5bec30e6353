package inspect

import (
	"fmt"
	"strconv"
	"strings"
)

// parseIDMap parses /proc/PID/uid_map or gid_map: lines of
// "inside outside count". See user_namespaces(7).
func parseIDMap(text string) ([]IDMapping, error) {
	out := []IDMapping{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return out, fmt.Errorf("id map line %q: want 3 fields", line)
		}
		var v [3]int64
		for i, s := range f {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return out, fmt.Errorf("id map line %q: %w", line, err)
			}
			v[i] = n
		}
		out = append(out, IDMapping{Inside: v[0], Outside: v[1], Count: v[2]})
	}
	return out, nil
}
