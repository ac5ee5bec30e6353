package inspect

import (
	"fmt"
	"strconv"
	"strings"
)

// parseCgroupFile parses /proc/PID/cgroup. Each line is
// "hierarchy-ID:controller-list:path": v1 lines name their controllers
// ("4:memory:/docker/abc", "1:name=systemd:/"), the v2 line is "0::/path".
// See cgroups(7).
func parseCgroupFile(text string) ([]CgroupMembership, error) {
	out := []CgroupMembership{}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			return out, fmt.Errorf("cgroup line %q: want ID:CONTROLLERS:PATH", line)
		}
		id, err := strconv.Atoi(parts[0])
		if err != nil {
			return out, fmt.Errorf("cgroup line %q: hierarchy id: %w", line, err)
		}
		ctrls := []string{}
		if parts[1] != "" {
			ctrls = strings.Split(parts[1], ",")
		}
		out = append(out, CgroupMembership{HierarchyID: id, Controllers: ctrls, Path: parts[2]})
	}
	return out, nil
}

// cgroupPathFor returns the path of the v1 hierarchy holding controller ctrl,
// or of the v2 line when ctrl is "" .
func cgroupPathFor(cgs []CgroupMembership, ctrl string) (string, bool) {
	for _, c := range cgs {
		if ctrl == "" {
			if c.HierarchyID == 0 && len(c.Controllers) == 0 {
				return c.Path, true
			}
			continue
		}
		for _, have := range c.Controllers {
			if have == ctrl {
				return c.Path, true
			}
		}
	}
	return "", false
}
