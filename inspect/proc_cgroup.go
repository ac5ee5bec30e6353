package inspect

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
