package inspect

import (
	"fmt"
	"strings"
)

// Compare lists the isolation-relevant differences between two snapshots:
// each namespace, the id maps, cgroups and their limits, the capability sets,
// seccomp, no_new_privs, the LSM label and the runtime. Identity and
// resource usage are not isolation and are left out.
//
// A field that could not be read on either side is never "equal": it is
// listed with Unknown set and "unknown (why)" in place of the value, so an
// unreadable process never looks like a copy of the other.
func Compare(a, b Snapshot) []Difference {
	out := []Difference{}
	add := func(field, x, y, whyA, whyB string) {
		if whyA != "" || whyB != "" {
			if whyA != "" {
				x = "unknown (" + whyA + ")"
			}
			if whyB != "" {
				y = "unknown (" + whyB + ")"
			}
			out = append(out, Difference{Field: field, A: x, B: y, Unknown: true})
			return
		}
		if x != y {
			out = append(out, Difference{Field: field, A: x, B: y})
		}
	}
	for _, kind := range NamespaceKinds {
		na, oka := a.Namespaces[kind]
		nb, okb := b.Namespaces[kind]
		add("namespaces."+kind, nsText(na, oka), nsText(nb, okb), nsUnknown(a, kind, oka), nsUnknown(b, kind, okb))
	}
	add("uid_map", idMapText(a.UIDMap), idMapText(b.UIDMap), a.Errors["uid_map"], b.Errors["uid_map"])
	add("gid_map", idMapText(a.GIDMap), idMapText(b.GIDMap), a.Errors["gid_map"], b.Errors["gid_map"])
	add("cgroups", cgroupsText(a.Cgroups), cgroupsText(b.Cgroups), a.Errors["cgroups"], b.Errors["cgroups"])
	add("limits.memory_max", limitText(a.Limits.MemoryMax), limitText(b.Limits.MemoryMax), a.Errors["limits"], b.Errors["limits"])
	add("limits.pids_max", limitText(a.Limits.PidsMax), limitText(b.Limits.PidsMax), a.Errors["limits"], b.Errors["limits"])
	add("limits.cpu_max", a.Limits.CPUMax, b.Limits.CPUMax, a.Errors["limits"], b.Errors["limits"])
	capsA, capsB := a.Errors["capabilities"], b.Errors["capabilities"]
	if capsA == "" {
		capsA = a.Errors["status"]
	}
	if capsB == "" {
		capsB = b.Errors["status"]
	}
	for _, set := range []struct {
		name string
		a, b []string
	}{
		{"effective", a.Caps.Effective, b.Caps.Effective}, {"permitted", a.Caps.Permitted, b.Caps.Permitted},
		{"inheritable", a.Caps.Inheritable, b.Caps.Inheritable}, {"bounding", a.Caps.Bounding, b.Caps.Bounding},
		{"ambient", a.Caps.Ambient, b.Caps.Ambient},
	} {
		if capsA != "" || capsB != "" || capsText(set.a) != capsText(set.b) {
			add("capabilities."+set.name, capsDiffText(set.a, set.b), capsDiffText(set.b, set.a), capsA, capsB)
		}
	}
	add("seccomp", seccompText(a.Seccomp), seccompText(b.Seccomp), statusUnknown(a), statusUnknown(b))
	add("no_new_privs", fmt.Sprint(a.NoNewPrivs), fmt.Sprint(b.NoNewPrivs), statusUnknown(a), statusUnknown(b))
	add("lsm", a.LSM, b.LSM, a.Errors["lsm"], b.Errors["lsm"])
	add("container.runtime", runtimeText(a.Container), runtimeText(b.Container), containerUnknown(a), containerUnknown(b))
	return out
}

// nsUnknown is why namespace kind of s is unknown, or "". A kind missing
// from a readable set is one this kernel lacks (no time namespace before
// 5.6): then both sides lack it and it is not unknown.
func nsUnknown(s Snapshot, kind string, ok bool) string {
	if ok {
		return ""
	}
	if why := s.Errors["namespaces"]; why != "" && len(s.Namespaces) == 0 {
		return why
	}
	return ""
}

// statusUnknown is why /proc/PID/status (seccomp, no_new_privs) is unknown.
func statusUnknown(s Snapshot) string { return s.Errors["status"] }

// containerUnknown is why the container verdict is unknown, or "".
func containerUnknown(s Snapshot) string {
	if s.Container.Isolation == IsolationUnknown {
		return s.Container.Why
	}
	return ""
}

func nsText(n Namespace, ok bool) string {
	if !ok {
		return "unknown"
	}
	return fmt.Sprintf("%d", n.Inode)
}

func idMapText(m []IDMapping) string {
	parts := make([]string, len(m))
	for i, x := range m {
		parts[i] = fmt.Sprintf("%d %d %d", x.Inside, x.Outside, x.Count)
	}
	return strings.Join(parts, "; ")
}

func cgroupsText(cgs []CgroupMembership) string {
	parts := make([]string, len(cgs))
	for i, c := range cgs {
		parts[i] = fmt.Sprintf("%d:%s:%s", c.HierarchyID, strings.Join(c.Controllers, ","), c.Path)
	}
	return strings.Join(parts, " ")
}

func limitText(n int64) string {
	if n < 0 {
		return "max"
	}
	return fmt.Sprintf("%d", n)
}

func capsText(c []string) string {
	if len(c) == 0 {
		return "(none)"
	}
	return strings.Join(c, ",")
}

// capsDiffText counts the set and names what it has that the other lacks:
// two lists of 41 names differing in one are unreadable side by side.
func capsDiffText(set, other []string) string {
	in := map[string]bool{}
	for _, c := range other {
		in[c] = true
	}
	var extra []string
	for _, c := range set {
		if !in[c] {
			extra = append(extra, c)
		}
	}
	s := fmt.Sprintf("%d caps", len(set))
	if len(extra) > 0 {
		s += " (+" + strings.Join(extra, ",") + ")"
	}
	return s
}

func seccompText(s Seccomp) string {
	if s.Name == "" {
		return "unknown"
	}
	return fmt.Sprintf("%s (%d filters)", s.Name, s.Filters)
}

func runtimeText(c Container) string {
	if c.Runtime == "" {
		return "(none)"
	}
	if c.ID == "" {
		return c.Runtime
	}
	return c.Runtime + " " + c.ID
}
