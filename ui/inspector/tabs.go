package inspector

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"procbox/inspect"
	"procbox/internal/units"
	"procbox/ui/internal/common"
)

// tabLines renders the whole content of the current tab; View shows a window of it.
func (s *Model) tabLines(w int) []string {
	switch s.tab {
	case tabFiles:
		return s.filesTab(w)
	case tabEnv:
		return s.envTab(w)
	case tabMemory:
		return s.memoryTab(w)
	case tabRegisters:
		return s.registersTab(w)
	case tabNamespaces:
		return s.namespacesTab(w)
	case tabCgroups:
		return s.cgroupsTab(w)
	case tabSecurity:
		return s.securityTab(w)
	}
	return s.overviewTab(w)
}

// idText is "0 (root)" or "1000".
func idText(id inspect.ID) string {
	if id.Name != "" {
		return strconv.Itoa(id.ID) + " (" + id.Name + ")"
	}
	return strconv.Itoa(id.ID)
}

// idSetText shows the four ids, folded to one when they agree.
func idSetText(ids inspect.IDSet) string {
	if ids.Real == ids.Effective && ids.Effective == ids.Saved && ids.Saved == ids.FS {
		return idText(ids.Effective) + " (real = effective = saved = fs)"
	}
	return "real " + idText(ids.Real) + " · effective " + idText(ids.Effective) +
		" · saved " + idText(ids.Saved) + " · fs " + idText(ids.FS)
}

// ago is a short age: "12s", "5m", "3h", "2d".
func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "?"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}

func (s *Model) overviewTab(w int) []string {
	st := s.styles
	sn := s.snap
	cmd := strings.Join(sn.Cmdline, " ")
	if cmd == "" {
		cmd = st.Subtle.Render("(no command line: a kernel thread or a zombie)")
	}
	started := "unknown"
	if !sn.StartTime.IsZero() {
		started = sn.StartTime.Format("2006-01-02 15:04:05") + " (" + ago(s.deps.Clock.Now().Sub(sn.StartTime)) + " ago)"
	}
	var groups []string
	for _, g := range sn.Groups {
		groups = append(groups, idText(g))
	}
	if len(groups) == 0 {
		groups = []string{"none"}
	}
	out := s.section("Identity", []string{"identity", "status"}, []string{
		s.kv("command", cmd),
		s.kv("executable", common.OrDash(sn.Exe)),
		s.kv("state", s.stateText()),
		s.kv("started", started),
		s.kv("threads", strconv.Itoa(sn.Threads)),
		s.kv("user", idSetText(sn.UIDs)),
		s.kv("group", idSetText(sn.GIDs)),
		s.kv("groups", strings.Join(groups, ", ")),
	})
	out = append(out, s.section("Scheduling", []string{"sched"}, []string{
		s.kv("nice", strconv.Itoa(sn.Nice)+st.Subtle.Render("   (-20 most favoured … 19 least)")),
		s.kv("priority", strconv.Itoa(sn.Priority)),
		s.kv("policy", common.OrDash(sn.Policy)),
	})...)
	// The chain reads like a tree: the oldest ancestor at the top, each
	// child under its parent, this process last.
	var chain []string
	switch {
	case s.chainErr != nil:
		chain = append(chain, st.Bad.Render("cannot read the parents: "+s.chainErr.Error()))
	case s.chain == nil && sn.PPID > 0:
		chain = append(chain, st.Subtle.Render("reading parents…"))
	}
	depth := 0
	for i := len(s.chain) - 1; i >= 0; i-- {
		c := s.chain[i]
		prefix := ""
		if depth > 0 {
			prefix = strings.Repeat("  ", depth-1) + "└ "
		}
		chain = append(chain, prefix+strconv.Itoa(c.pid)+" "+c.comm)
		depth++
	}
	prefix := ""
	if depth > 0 {
		prefix = strings.Repeat("  ", depth-1) + "└ "
	}
	chain = append(chain, prefix+st.Text.Render(strconv.Itoa(sn.PID)+" "+sn.Comm+"  ← this process"))
	out = append(out, s.section("Parent chain", nil, chain)...)
	if len(sn.Rlimits) > 0 {
		var rl []string
		nameW := 0
		for _, r := range sn.Rlimits {
			nameW = max(nameW, len(r.Name))
		}
		for _, r := range sn.Rlimits {
			rl = append(rl, fmt.Sprintf("%-*s  soft %-12s hard %-12s %s", nameW, r.Name, limitText(r.Soft), limitText(r.Hard), r.Units))
		}
		out = append(out, s.section("Resource limits", []string{"rlimits"}, rl)...)
	}
	return out
}

func limitText(n int64) string {
	if n < 0 {
		return "unlimited"
	}
	return strconv.FormatInt(n, 10)
}

func (s *Model) filesTab(w int) []string {
	st := s.styles
	sn := s.snap
	var body []string
	if len(sn.FDs) > 0 {
		body = append(body, st.Subtle.Render(fmt.Sprintf("%4s  %-10s %s", "FD", "KIND", "TARGET")))
	}
	kinds := map[string]int{}
	for _, f := range sn.FDs {
		kinds[f.Kind]++
		target := f.Target
		if f.Detail != "" {
			target = f.Detail + st.Subtle.Render("  "+f.Target)
		}
		body = append(body, fmt.Sprintf("%4d  %-10s %s", f.FD, f.Kind, target))
	}
	if len(sn.FDs) == 0 {
		if _, ok := sn.Errors["fds"]; !ok {
			body = append(body, st.Subtle.Render("no open files"))
		}
	}
	title := fmt.Sprintf("Open files (%d)", len(sn.FDs))
	if _, ok := sn.Errors["fds"]; ok && len(sn.FDs) == 0 {
		title = "Open files (unknown)"
	}
	if len(kinds) > 0 {
		var ks []string
		for k, n := range kinds {
			ks = append(ks, fmt.Sprintf("%d %s", n, k))
		}
		slices.Sort(ks)
		title += " — " + strings.Join(ks, ", ")
	}
	return s.section(title, []string{"fds"}, body)
}

func (s *Model) envTab(w int) []string {
	st := s.styles
	sn := s.snap
	names := s.envNames()
	head := []string{
		st.Title.Render(fmt.Sprintf("Environment (%d)", len(names))),
		st.Subtle.Render("Secret-looking values are masked: r shows one. enter shows a value whole."),
	}
	if why, ok := sn.Errors["env"]; ok {
		return append(head, st.Bad.Render("cannot read: "+why))
	}
	if len(names) == 0 {
		return append(head, st.Subtle.Render("empty environment"))
	}
	if s.whole != "" {
		return append(head[:1], s.wholeLines(w)...)
	}
	nameW := 0
	for _, n := range names {
		nameW = max(nameW, common.CellWidth(n))
	}
	nameW = min(nameW, max(w/3, 8))
	for i, n := range names {
		v := sn.Env[n]
		if n == s.revealed {
			switch {
			case s.revealErr != nil:
				v = st.Bad.Render("cannot reveal: " + s.revealErr.Error())
			case s.revealVal == "":
				v = st.Subtle.Render("reading…")
			default:
				v = st.Warn.Render(s.revealVal)
			}
		}
		line := common.Fit(n, nameW) + " = " + v
		if i == s.envCursor {
			line = st.Selected.Render(common.Truncate(common.Fit(n, nameW)+" = ", w)) + v
		}
		head = append(head, line)
	}
	return head
}

// wholeLines is one environment value shown whole, wrapped to the width.
func (s *Model) wholeLines(w int) []string {
	st := s.styles
	v := s.snap.Env[s.whole]
	if s.whole == s.revealed && s.revealVal != "" {
		v = s.revealVal
	}
	out := []string{st.Title.Render(fmt.Sprintf("%s (%d characters) · esc: back to the list", s.whole, len([]rune(v))))}
	cw := max(w-2, 8)
	for _, l := range strings.Split(v, "\n") {
		for len([]rune(l)) > cw {
			r := []rune(l)
			out = append(out, "  "+string(r[:cw]))
			l = string(r[cw:])
		}
		out = append(out, "  "+l)
	}
	return out
}

// masked reports whether inspect masked the value of name (it looked secret).
func masked(sn *inspect.Snapshot, name string) bool {
	return sn != nil && strings.Contains(sn.Env[name], "(masked")
}

func (s *Model) memoryTab(w int) []string {
	st := s.styles
	m := s.snap.Memory
	out := s.section("Memory", []string{"memory"}, []string{
		s.kv("RSS", units.Short(m.RSSBytes)+st.Subtle.Render("  in RAM now")),
		s.kv("VSZ", units.Short(m.VSizeBytes)+st.Subtle.Render("  address space reserved")),
	})
	var biggest int64
	for _, k := range m.Kinds {
		biggest = max(biggest, k.SizeBytes)
	}
	barW := min(max(w-40, 10), 40)
	var kinds []string
	for _, k := range m.Kinds {
		frac := 0.0
		if biggest > 0 {
			frac = float64(k.SizeBytes) / float64(biggest)
		}
		kinds = append(kinds, fmt.Sprintf("%-6s %4d maps %7s ", k.Kind, k.Count, units.Short(k.SizeBytes))+common.Bar(st, frac, barW))
	}
	if len(kinds) > 0 {
		out = append(out, s.section("Mappings by kind (bar: size against the largest kind)", nil, kinds)...)
	}
	var maps []string
	for _, mm := range m.Maps {
		maps = append(maps, fmt.Sprintf("%012x-%012x %-4s %-6s %s", mm.Start, mm.End, mm.Perms, mm.Kind, mm.Path))
	}
	if len(maps) > 0 {
		out = append(out, s.section(fmt.Sprintf("Maps (%d)", len(maps)), nil, maps)...)
	}
	return out
}

func (s *Model) registersTab(w int) []string {
	st := s.styles
	sc := s.snap.Syscall
	var body []string
	switch {
	case kernelThread(s.snap):
		return []string{st.Title.Render("Registers"),
			"  This is a kernel thread: it runs only kernel code, on behalf of the",
			"  kernel itself. It has no program, no user memory and no user-space",
			"  registers, so there is no stack pointer or program counter of a",
			"  program to show (the kernel reports zeros here).", ""}
	case sc == nil:
		if _, ok := s.snap.Errors["syscall"]; !ok {
			body = append(body, st.Subtle.Render("not available for this process"))
		}
	case sc.Running:
		body = append(body, "The process is running on a CPU right now, not in a system call:",
			"the kernel only records registers while a process waits inside it.")
	case sc.Number < 0:
		body = append(body, "Not in a system call (blocked in the kernel for another reason).",
			s.kv("SP", fmt.Sprintf("0x%016x", sc.SP)), s.kv("PC", fmt.Sprintf("0x%016x", sc.PC)))
	default:
		name := sc.Name
		if name == "" {
			name = "syscall " + strconv.Itoa(sc.Number)
		}
		var args []string
		for _, a := range sc.Args {
			args = append(args, fmt.Sprintf("0x%x", a))
		}
		body = append(body,
			s.kv("syscall", st.Code.Render(name+"("+strings.Join(args, ", ")+")")+st.Subtle.Render("  number "+strconv.Itoa(sc.Number))),
			s.kv("SP", fmt.Sprintf("0x%016x", sc.SP)),
			s.kv("PC", fmt.Sprintf("0x%016x", sc.PC)),
		)
	}
	out := s.section("Registers (from /proc/PID/syscall)", []string{"syscall"}, body)
	return append(out,
		st.Subtle.Render("SP, the stack pointer, is the address of the top of the process's stack."),
		st.Subtle.Render("PC, the program counter, is the address of the instruction it will run next."),
		st.Subtle.Render("The syscall and its arguments are what the process asked the kernel to do."),
	)
}

func (s *Model) namespacesTab(w int) []string {
	st := s.styles
	sn := s.snap
	kinds := make([]string, 0, len(sn.Namespaces))
	for k := range sn.Namespaces {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int { return nsRank(a) - nsRank(b) })
	var body []string
	if len(kinds) > 0 {
		body = append(body, st.Subtle.Render(fmt.Sprintf("%-18s %-12s %s", "KIND", "INODE", "AGAINST THE HOST")))
	}
	for _, k := range kinds {
		ns := sn.Namespaces[k]
		line := fmt.Sprintf("%-18s %-12d ", k, ns.Inode)
		if ns.SharedWithHost {
			body = append(body, line+st.OK.Render("shared"))
		} else {
			body = append(body, st.Diff.Render(line+"own namespace (isolated)"))
		}
	}
	out := s.section("Namespaces", []string{"namespaces"}, body)
	note := "\"Host\" here means " + refName(sn.NSReference) + "."
	if why := refWhy(sn.NSReference); why != "" {
		note += " " + aside(why)
	}
	// A sentence to read whole: wrapped at word boundaries, not cut.
	for _, l := range strings.Split(ansi.Wrap(note, max(w-2, 20), ""), "\n") {
		out = append(out, st.Subtle.Render("  "+l))
	}
	out = append(out, "")
	out = append(out, s.section("User id map (inside → outside, count)", []string{"uid_map"}, mapLines(sn.UIDMap))...)
	out = append(out, s.section("Group id map", []string{"gid_map"}, mapLines(sn.GIDMap))...)
	return out
}

// nsRank orders namespace kinds the way the lessons introduce them.
func nsRank(k string) int {
	order := []string{"pid", "pid_for_children", "mnt", "net", "uts", "ipc", "user", "cgroup", "time", "time_for_children"}
	if i := slices.Index(order, k); i >= 0 {
		return i
	}
	return len(order)
}

// mapLines renders uid_map/gid_map lines.
func mapLines(m []inspect.IDMapping) []string {
	if len(m) == 0 {
		return []string{"—"}
	}
	var out []string
	for _, l := range m {
		line := fmt.Sprintf("%d → %d, %d ids", l.Inside, l.Outside, l.Count)
		if l.Inside == 0 && l.Outside == 0 && l.Count == 4294967295 {
			line += "  (the identity map: the host's own user namespace)"
		}
		out = append(out, line)
	}
	return out
}

func (s *Model) cgroupsTab(w int) []string {
	st := s.styles
	sn := s.snap
	var paths []string
	for _, c := range sn.Cgroups {
		ctrl := strings.Join(c.Controllers, ",")
		if ctrl == "" {
			ctrl = "(v2 unified)"
		}
		paths = append(paths, fmt.Sprintf("%-3d %-22s %s", c.HierarchyID, ctrl, c.Path))
	}
	out := s.section(fmt.Sprintf("Membership (%d)", len(sn.Cgroups)), []string{"cgroups"}, paths)
	l := sn.Limits
	barW := min(max(w-46, 10), 30)
	count := func(n int64) string { return strconv.FormatInt(n, 10) }
	usage := func(used, limit int64, format func(int64) string, field string) string {
		if used < 0 { // the root cgroup does not account it: no bar, no false 0
			return st.Subtle.Render(unknownText(sn.Errors["limits."+field]))
		}
		return common.UsageBar(st, used, limit, barW, format)
	}
	lim := []string{
		s.kv("memory", usage(l.MemoryCurrent, l.MemoryMax, units.Short, "memory_current")),
		s.kv("pids", usage(l.PidsCurrent, l.PidsMax, count, "pids_current")),
		s.kv("cpu", cpuText(l.CPUMax)),
		s.kv("oom kills", strconv.FormatInt(l.OOMKills, 10)),
		s.kv("throttled", fmt.Sprintf("%d times, %s in total", l.NrThrottled, (time.Duration(l.ThrottledUsec)*time.Microsecond).String())),
	}
	// The kernel enforces the tightest limit on the way to the root: say
	// when an ancestor, not the process's own cgroup, sets it.
	for _, e := range []struct{ what, setBy string }{{"memory", l.MemoryMaxSetBy}, {"pids", l.PidsMaxSetBy}, {"cpu", l.CPUMaxSetBy}} {
		if e.setBy != "" && !slices.ContainsFunc(sn.Cgroups, func(c inspect.CgroupMembership) bool { return c.Path == e.setBy }) {
			lim = append(lim, st.Subtle.Render("  "+e.what+" limit set by the ancestor cgroup "+e.setBy))
		}
	}
	title := "Limits and usage"
	if l.CgroupVersion != "" {
		title += " (cgroup " + l.CgroupVersion + ")"
	}
	return append(out, s.section(title, []string{"limits"}, lim)...)
}

// cpuText explains cpu.max: "max 100000" is no limit, "50000 100000" is half a CPU.
func cpuText(cpuMax string) string {
	f := strings.Fields(cpuMax)
	if len(f) != 2 {
		return common.OrDash(cpuMax)
	}
	if f[0] == "max" {
		return "no limit (" + cpuMax + ")"
	}
	q, err1 := strconv.ParseFloat(f[0], 64)
	p, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || p == 0 {
		return cpuMax
	}
	return fmt.Sprintf("%.2f CPU (%s µs every %s µs)", q/p, f[0], f[1])
}

func (s *Model) securityTab(w int) []string {
	st := s.styles
	sn := s.snap
	seccomp := sn.Seccomp.Name
	if seccomp == "" {
		seccomp = "mode " + strconv.Itoa(sn.Seccomp.Mode)
	}
	if sn.Seccomp.Mode == 2 {
		seccomp += fmt.Sprintf(" (%d filters: some system calls are refused)", sn.Seccomp.Filters)
	} else if sn.Seccomp.Mode == 0 {
		seccomp += " (every system call allowed)"
	}
	nnp := "no (set-user-ID programs can still raise privileges)"
	if sn.NoNewPrivs {
		nnp = "yes (exec can never gain privileges)"
	}
	out := s.section("Confinement", []string{"seccomp", "lsm"}, []string{
		s.kv("seccomp", seccomp),
		s.kv("no_new_privs", nnp),
		s.kv("LSM", common.OrDash(sn.LSM)),
	})
	sets := []struct {
		letter string
		names  []string
	}{
		{"E", sn.Caps.Effective}, {"P", sn.Caps.Permitted}, {"I", sn.Caps.Inheritable},
		{"B", sn.Caps.Bounding}, {"A", sn.Caps.Ambient},
	}
	have := make([]map[string]bool, len(sets))
	all := map[string]bool{}
	for i, set := range sets {
		have[i] = map[string]bool{}
		for _, n := range set.names {
			k := capKey(n)
			have[i][k] = true
			all[k] = true
		}
	}
	var names []string
	for _, k := range capOrder {
		if all[k] {
			names = append(names, k)
		}
	}
	var extra []string
	for k := range all {
		if !slices.Contains(capOrder, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	names = append(names, extra...)

	body := []string{
		st.Subtle.Render(fmt.Sprintf("E effective %d · P permitted %d · I inheritable %d · B bounding %d · A ambient %d",
			len(sn.Caps.Effective), len(sn.Caps.Permitted), len(sn.Caps.Inheritable), len(sn.Caps.Bounding), len(sn.Caps.Ambient))),
		st.Subtle.Render("E P I B A  capability             what it allows"),
	}
	if len(names) == 0 {
		body = append(body, "no capabilities in any set: an ordinary unprivileged process")
	}
	for _, k := range names {
		var marks strings.Builder
		for i, set := range sets {
			if have[i][k] {
				marks.WriteString(set.letter)
			} else {
				marks.WriteString("·")
			}
			marks.WriteString(" ")
		}
		line := marks.String() + fmt.Sprintf("%-22s ", strings.TrimPrefix(k, "cap_")) + st.Subtle.Render(meaningOf(k))
		if have[0][k] {
			line = marks.String() + st.Text.Render(fmt.Sprintf("%-22s ", strings.TrimPrefix(k, "cap_"))) + st.Subtle.Render(meaningOf(k))
		}
		body = append(body, line)
	}
	return append(out, s.section("Capabilities", []string{"capabilities", "caps"}, body)...)
}
