package inspect

import (
	"fmt"
	"strings"
)

// Compare lists the isolation-relevant differences between two snapshots:
// each namespace, the id maps, cgroups and their limits, the capability sets,
// seccomp, no_new_privs, the LSM label and the guessed runtime. Identity and
// resource usage are not isolation and are left out.
func Compare(a, b Snapshot) []Difference {
	out := []Difference{}
	add := func(field, x, y string) {
		if x != y {
			out = append(out, Difference{Field: field, A: x, B: y})
		}
	}
	for _, kind := range NamespaceKinds {
		na, oka := a.Namespaces[kind]
		nb, okb := b.Namespaces[kind]
		add("namespaces."+kind, nsText(na, oka), nsText(nb, okb))
	}
	add("uid_map", idMapText(a.UIDMap), idMapText(b.UIDMap))
	add("gid_map", idMapText(a.GIDMap), idMapText(b.GIDMap))
	add("cgroups", cgroupsText(a.Cgroups), cgroupsText(b.Cgroups))
	add("limits.memory_max", limitText(a.Limits.MemoryMax), limitText(b.Limits.MemoryMax))
	add("limits.pids_max", limitText(a.Limits.PidsMax), limitText(b.Limits.PidsMax))
	add("limits.cpu_max", a.Limits.CPUMax, b.Limits.CPUMax)
	for _, set := range []struct {
		name string
		a, b []string
	}{
		{"effective", a.Caps.Effective, b.Caps.Effective}, {"permitted", a.Caps.Permitted, b.Caps.Permitted},
		{"inheritable", a.Caps.Inheritable, b.Caps.Inheritable}, {"bounding", a.Caps.Bounding, b.Caps.Bounding},
		{"ambient", a.Caps.Ambient, b.Caps.Ambient},
	} {
		if capsText(set.a) != capsText(set.b) {
			out = append(out, Difference{Field: "capabilities." + set.name, A: capsDiffText(set.a, set.b), B: capsDiffText(set.b, set.a)})
		}
	}
	add("seccomp", seccompText(a.Seccomp), seccompText(b.Seccomp))
	add("no_new_privs", fmt.Sprint(a.NoNewPrivs), fmt.Sprint(b.NoNewPrivs))
	add("lsm", a.LSM, b.LSM)
	add("container.runtime", runtimeText(a.Container), runtimeText(b.Container))
	return out
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
