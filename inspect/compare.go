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
	add("capabilities.effective", capsText(a.Caps.Effective), capsText(b.Caps.Effective))
	add("capabilities.permitted", capsText(a.Caps.Permitted), capsText(b.Caps.Permitted))
	add("capabilities.inheritable", capsText(a.Caps.Inheritable), capsText(b.Caps.Inheritable))
	add("capabilities.bounding", capsText(a.Caps.Bounding), capsText(b.Caps.Bounding))
	add("capabilities.ambient", capsText(a.Caps.Ambient), capsText(b.Caps.Ambient))
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
