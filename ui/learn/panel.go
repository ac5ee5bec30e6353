package learn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"procbox/inspect"
	"procbox/internal/units"
	"procbox/isolate"
	"procbox/ui/internal/common"
)

// panelLines is the live panel: what this step is about, then host and child
// side by side with the differing rows marked.
func (s *Model) panelLines(w, h int) []string {
	st := s.styles
	var out []string
	title := st.Title.Render("Live")
	if s.child != nil {
		title += st.Subtle.Render(fmt.Sprintf(" · demo child %d · refreshed each second", s.child.PID()))
	}
	out = append(out, title)
	if s.child == nil {
		return append(out, wrapText(st.Warn.Render(s.noChildReason()), w, h-1)...)
	}
	if s.startErr != nil {
		out = append(out, wrapText(st.Bad.Render("this step's demo child could not be set up: "+s.startErr.Error()), w, 3)...)
	}
	if s.liveErr != nil {
		out = append(out, wrapText(st.Warn.Render(s.liveErr.Error()), w, 2)...)
		out = append(out, st.Subtle.Render("R starts a clean demo child"))
	}
	if s.acted != nil && s.acted.err != nil {
		out = append(out, wrapText(st.Bad.Render(s.acted.err.Error()), w, 2)...)
	}
	out = append(out, s.shellLines(w)...)
	out = append(out, s.focusLines(w)...)
	out = append(out, "")
	out = append(out, s.sideBySide(w)...)
	return out
}

// focusLines shows what the current step is about, from the state.
func (s *Model) focusLines(w int) []string {
	st := s.styles
	step, _ := s.step()
	state := s.checkState()
	sn := state.ChildSnap
	var out []string
	add := func(format string, a ...any) { out = append(out, st.Text.Render(fmt.Sprintf(format, a...))) }
	if s.acted != nil {
		if o := s.acted.res.Outcome; o != nil {
			verdict := st.OK.Render("allowed")
			if !o.Allowed {
				verdict = st.Bad.Render("refused " + o.Errno)
			}
			where := ""
			if s.child != nil {
				where = fmt.Sprintf(" in demo child %d", s.child.PID())
			}
			out = append(out, st.Key.Render(o.Experiment)+st.Subtle.Render(where)+": "+verdict+" "+st.Subtle.Render(o.Cause))
			// The summary only when it says more than the line above
			// ("chown: allowed" would repeat it).
			if o.Summary != "" && !summaryRepeats(o) {
				out = append(out, wrapText(st.Text.Render(o.Summary), w, 2)...)
			}
		}
		if c := s.acted.res.Change; c != nil {
			how := "in place"
			if c.Recreate {
				how = fmt.Sprintf("re-created: pid %d → %d", c.OldPID, c.NewPID)
			}
			out = append(out, wrapText(st.Key.Render("changed ")+st.Text.Render(how+". "+c.Why), w, 3)...)
		}
	}
	switch s.lesson().ID + "/" + step.ID {
	case "process/pid":
		if sn != nil {
			add("PID %d   PPID %d   %s", sn.PID, sn.PPID, sn.Comm)
		}
		if s.acted != nil && len(s.acted.chain) > 0 {
			out = append(out, wrapText(st.Text.Render("chain: "+strings.Join(s.acted.chain, " ← ")), w, 3)...)
		}
	case "process/ids":
		if sn != nil {
			add("uid real %d  effective %d  saved %d  fs %d  (%s)", sn.UIDs.Real.ID, sn.UIDs.Effective.ID, sn.UIDs.Saved.ID, sn.UIDs.FS.ID, sn.User)
			add("gid real %d  effective %d  saved %d  fs %d", sn.GIDs.Real.ID, sn.GIDs.Effective.ID, sn.GIDs.Saved.ID, sn.GIDs.FS.ID)
		}
	case "process/nice":
		if sn != nil {
			line := fmt.Sprintf("nice %d   priority %d   policy %s", sn.Nice, sn.Priority, sn.Policy)
			if b := state.Before; b != nil && b.ChildSnap != nil {
				line += fmt.Sprintf("   (was nice %d, priority %d)", b.ChildSnap.Nice, b.ChildSnap.Priority)
			}
			add("%s", line)
		}
	case "process/memory", "container/efficiency":
		if sn != nil {
			add("resident %s   virtual %s", units.Bytes(sn.Memory.RSSBytes), units.Bytes(sn.Memory.VSizeBytes))
			if step.ID == "memory" {
				for _, k := range sn.Memory.Kinds {
					add("  %-6s %3d maps  %s", k.Kind, k.Count, units.Bytes(k.SizeBytes))
				}
				// The same addresses in two processes are two different memories.
				if hs := state.HostSnap; hs != nil {
					for _, kind := range []string{"text", "stack"} {
						c, h := firstMap(sn.Memory.Maps, kind), firstMap(hs.Memory.Maps, kind)
						if c != "" && h != "" {
							add("  %s at %s here, %s in procbox", kind, c, h)
						}
					}
				}
			}
		}
		if step.ID == "efficiency" {
			add("started in %s (measured just now)", state.StartDuration.Round(time.Millisecond))
		}
	case "process/fds":
		if sn != nil {
			line := fmt.Sprintf("%d open file descriptors", len(sn.FDs))
			if b := state.Before; b != nil && b.ChildSnap != nil {
				line += fmt.Sprintf(" (was %d)", len(b.ChildSnap.FDs))
			}
			add("%s", line)
			for i, fd := range sn.FDs {
				if i == 6 {
					add("  …")
					break
				}
				add("  %d → %s", fd.FD, fd.Target)
			}
		}
	case "process/env":
		if sn != nil {
			_, has := sn.Env["PROCBOX_DEMO"]
			add("%d variables in the demo process; PROCBOX_DEMO there: %v", len(sn.Env), has)
		}
	case "process/registers":
		if r := state.Registers; r != nil {
			if r.TID != 0 {
				out = append(out, wrapText(st.Text.Render(fmt.Sprintf("thread %d of %d in process %d: %s", r.TID, r.Threads, s.child.PID(), r.Thread)), w, 2)...)
			}
			add("PC %#016x  (next instruction)", r.PC)
			if r.LaterPC != 0 {
				moved := "moved"
				if r.LaterPC == r.PC {
					moved = "did not move"
				}
				add("PC %#016x  a moment later: it %s", r.LaterPC, moved)
			}
			add("SP %#016x  (top of the stack, in %s)", r.SP, r.SPIn)
			var regs []string
			for i, reg := range r.Regs {
				if i == 8 {
					break
				}
				regs = append(regs, fmt.Sprintf("%s=%#x", reg.Name, reg.Value))
			}
			if len(regs) > 0 {
				out = append(out, wrapText(st.Subtle.Render(strings.Join(regs, " ")), w, 3)...)
			}
		}
	case "cgroups/versions", "cgroups/memory", "cgroups/pids", "cgroups/cpu":
		d := s.doctor
		if d.CgroupMode != "" {
			out = append(out, wrapText(st.Text.Render("this host: cgroup "+d.CgroupMode+". "+d.CgroupNote), w, 3)...)
		}
		l := state.Child.Limits
		add("memory %s / %s   oom kills %d", units.Bytes(l.MemoryCurrent), limitText(l.MemoryMax, units.Bytes), l.OOMKills)
		add("pids %d / %s   throttled %d times", l.PidsCurrent, limitText(l.PidsMax, func(n int64) string { return strconv.FormatInt(n, 10) }), l.NrThrottled)
	case "security/caps":
		if sn != nil {
			c := sn.Caps
			for _, set := range []struct {
				name string
				caps []string
			}{{"effective", c.Effective}, {"permitted", c.Permitted}, {"inheritable", c.Inheritable}, {"bounding", c.Bounding}, {"ambient", c.Ambient}} {
				add("%-11s %2d %s", set.name, len(set.caps), common.Truncate(strings.Join(set.caps, ","), max(w-16, 0)))
			}
		}
	case "security/lsm":
		d := s.doctor
		lsm := d.LSM
		if lsm == "" || lsm == "none" {
			lsm = "none active on this host"
		}
		add("security module: %s", lsm)
		if d.LSMNote != "" {
			out = append(out, wrapText(st.Subtle.Render(d.LSMNote), w, 3)...)
		}
		if sn != nil {
			add("demo child's label: %s", sn.LSM)
		}
	case "container/encapsulation":
		h, c := state.Host, state.Child
		add("its own: hostname %q (host %q), %d mounts (host %d)", c.Hostname, h.Hostname, c.MountCount, h.MountCount)
		if sn != nil {
			add("%d environment variables, its own working set of %s", len(sn.Env), units.Bytes(sn.Memory.RSSBytes))
		}
	case "container/isolation":
		add("it sees %d processes; the host sees %d", state.Child.ProcCount, state.Host.ProcCount)
	case "container/portability":
		if s.doctor.Kernel != "" {
			add("kernel (from the host): %s", s.doctor.Kernel)
		}
	}
	return out
}

// sideBySide is the host | child table of the views, differing rows marked.
func (s *Model) sideBySide(w int) []string {
	st := s.styles
	h, c := s.live.Host, s.live.Child
	if h.PID == 0 && c.PID == 0 {
		return []string{st.Subtle.Render("reading the host and child views…")}
	}
	lw := 11
	cw := max((w-lw-2)/2, 4)
	row := func(label, hv, cv string) string {
		line := common.Fit(label, lw) + " " + common.Fit(hv, cw) + " " + common.Truncate(cv, cw)
		if hv != cv {
			return st.Diff.Render(line)
		}
		return st.Same.Render(line)
	}
	ifaces := func(v isolate.View) string {
		var names []string
		for _, i := range v.Interfaces {
			names = append(names, i.Name)
		}
		return strings.Join(names, ",")
	}
	caps := func(v isolate.View) string { return fmt.Sprintf("%d caps", len(v.CapEff)) }
	out := []string{st.Subtle.Render(common.Fit("", lw) + " " + common.Fit("host", cw) + " " + common.Truncate("child", cw))}
	// On a namespace step its own namespace leads, so it is visible even at 80×24.
	step, _ := s.step()
	focus := ""
	if s.lesson().ID == "namespaces" {
		focus = step.ID
		out = append(out, row("ns "+focus, strconv.FormatUint(h.NSInodes[focus], 10), strconv.FormatUint(c.NSInodes[focus], 10)))
	}
	out = append(out,
		row("pid", strconv.Itoa(h.PID), strconv.Itoa(c.PID)),
		row("hostname", h.Hostname, c.Hostname),
		row("processes", strconv.Itoa(h.ProcCount), strconv.Itoa(c.ProcCount)),
		row("interfaces", ifaces(h), ifaces(c)),
		row("mounts", strconv.Itoa(h.MountCount), strconv.Itoa(c.MountCount)),
		row("uid_map", h.UIDMap, c.UIDMap),
		row("cgroup", h.CgroupPath, c.CgroupPath),
		row("capeff", caps(h), caps(c)),
		row("ipc q/s/m", ipcText(h.IPC), ipcText(c.IPC)),
		row("seccomp", strconv.Itoa(h.Seccomp), strconv.Itoa(c.Seccomp)),
	)
	for _, k := range isolate.AllNamespaces {
		hv, cv := h.NSInodes[k], c.NSInodes[k]
		if k == focus || (hv == 0 && cv == 0) {
			continue
		}
		out = append(out, row("ns "+k, strconv.FormatUint(hv, 10), strconv.FormatUint(cv, 10)))
	}
	if slices.Contains(s.live.Spec.Namespaces, isolate.NSTime) {
		out = append(out, row("monotonic", h.Monotonic.Round(time.Second).String(), c.Monotonic.Round(time.Second).String()))
		out = append(out, row("boottime", h.Boottime.Round(time.Second).String(), c.Boottime.Round(time.Second).String()))
	}
	return out
}

// ipcText counts System V queues, semaphore sets and shared memory segments.
func ipcText(o isolate.IPCObjects) string {
	return fmt.Sprintf("%d/%d/%d", o.Queues, o.Semaphores, o.SharedMem)
}

// shellDiffLines is how many lines one of the learner's processes may take
// in the panel: the by-hand container's shell needs four at 80 columns
// (five namespaces, PID 1, hostname, the overlay, its pids limit, the
// capabilities it lost).
const shellDiffLines = 4

// shellLines is what procbox saw of the learner's own shell (s): each
// process it started, and how it differs from procbox itself.
func (s *Model) shellLines(w int) []string {
	if s.shell == nil {
		return nil
	}
	st := s.styles
	host := s.shell.Host
	seen := fmt.Sprintf(" · %d processes seen while it ran", len(s.shell.Procs))
	if len(s.shell.Procs) == 1 {
		seen = " · 1 process seen while it ran"
	}
	out := []string{st.Key.Render("your shell") + st.Subtle.Render(seen)}
	shown := 0
	for _, p := range s.shell.Procs {
		d := observedDiff(host, p)
		if d == "" {
			continue
		}
		if shown == 4 {
			out = append(out, st.Subtle.Render("  …"))
			break
		}
		shown++
		out = append(out, wrapHanging(st.Text.Render(fmt.Sprintf("  %d %s: %s", p.PID, p.Comm, d)), w, shellDiffLines)...)
	}
	if shown == 0 {
		out = append(out, st.Subtle.Render("  none differed from procbox itself"))
	}
	if h := hostNetText(s.shell.HostNet); h != "" {
		out = append(out, wrapHanging(st.Text.Render("  the host: "+h), w, shellDiffLines)...)
	}
	if len(s.shell.Cleanup) > 0 {
		out = append(out, wrapHanging(st.Subtle.Render("  after the shell, procbox undid: "+strings.Join(s.shell.Cleanup, "; ")), w, shellDiffLines)...)
	}
	return out
}

// hostNetText says what the host's network showed while a learner built a
// container's network: its bridges, forwarding, the nat rules' targets.
func hostNetText(hn isolate.HostNet) string {
	var d []string
	for _, l := range hn.Links {
		if l.Kind != "bridge" {
			continue
		}
		var v4 []string
		for _, a := range l.Addrs {
			if !strings.Contains(a, ":") {
				v4 = append(v4, a)
			}
		}
		d = append(d, strings.TrimSpace("bridge "+l.Name+" "+strings.Join(v4, ",")))
	}
	if hn.Forwarding {
		d = append(d, "ip_forward on")
	}
	var targets []string
	for _, r := range hn.NAT {
		if _, t, ok := strings.Cut(r, " -j "); ok {
			targets = append(targets, strings.Fields(t)[0])
		}
	}
	if len(targets) > 0 {
		d = append(d, fmt.Sprintf("nat %s", strings.Join(targets, ",")))
	}
	return strings.Join(d, "; ")
}

// observedDiff says in a few words how a learner's process differs from the host.
func observedDiff(host, p isolate.Observed) string {
	var d []string
	if p.Container != "" {
		d = append(d, p.Container) // "runc learner-oci-4242": the runtime's own state names it
	}
	var own []string
	for _, k := range isolate.AllNamespaces {
		if p.NSInodes[k] != 0 && p.NSInodes[k] != host.NSInodes[k] {
			own = append(own, k)
		}
	}
	if len(own) > 0 {
		d = append(d, "own "+strings.Join(own, ",")+" ns")
	}
	if p.InnerPID != p.PID && p.InnerPID != 0 {
		d = append(d, fmt.Sprintf("PID %d inside", p.InnerPID))
	}
	if slices.Contains(own, isolate.NSNet) {
		for _, r := range p.Routes {
			if r.Dst == "default" && r.Via != "" {
				d = append(d, "default via "+r.Via)
				break
			}
		}
		for _, c := range p.Conns {
			if c.Connected() {
				d = append(d, "tcp "+c.Local+" → "+c.Remote+" "+c.State)
				break
			}
		}
	}
	if p.Hostname != host.Hostname && p.Hostname != "" {
		d = append(d, "hostname "+p.Hostname)
	}
	if p.UIDMap != host.UIDMap && p.UIDMap != "" {
		d = append(d, "uid_map "+p.UIDMap)
	}
	if p.IPC != host.IPC && slices.Contains(own, isolate.NSIPC) {
		d = append(d, "ipc q/s/m "+ipcText(p.IPC))
	}
	var mounts []string
	for _, m := range p.Mounts {
		if !slices.Contains(host.Mounts, m) {
			mounts = append(mounts, m)
		}
	}
	if len(mounts) > 0 && slices.Contains(own, isolate.NSMnt) {
		noun := "mounts"
		if len(mounts) == 1 {
			noun = "mount"
		}
		d = append(d, fmt.Sprintf("%d %s the host lacks (%s)", len(mounts), noun, mounts[0]))
	}
	// "/" is what a process in a cgroup namespace (a runtime's container)
	// reads as its own group: it says nothing about where it sits.
	if p.CgroupPath != host.CgroupPath && p.CgroupPath != "" && p.CgroupPath != "/" {
		d = append(d, "cgroup "+p.CgroupPath)
	}
	// On cgroup v1 the path is the memory group's, so a pids or cpu group of
	// the learner's own shows only in its limit.
	if l := p.Limits; l.PidsMax >= 0 && l.PidsMax != host.Limits.PidsMax {
		d = append(d, fmt.Sprintf("pids.max %d", l.PidsMax))
	}
	if l := p.Limits; l.MemoryMax >= 0 && l.MemoryMax != host.Limits.MemoryMax {
		d = append(d, "memory max "+units.Bytes(l.MemoryMax))
	}
	if l := p.Limits; l.CPUQuotaUsec >= 0 && l.CPUQuotaUsec != host.Limits.CPUQuotaUsec {
		d = append(d, fmt.Sprintf("cpu %d µs per %d µs", l.CPUQuotaUsec, l.CPUPeriodUsec))
	}
	var lost []string
	for _, c := range host.CapBnd {
		if !slices.Contains(p.CapBnd, c) {
			lost = append(lost, c)
		}
	}
	switch {
	case len(lost) > 8 && len(p.CapBnd) < len(lost):
		// A runtime's allowlist (runc's three of some forty): what is kept is the news.
		d = append(d, "only "+capsOrNone(p.CapBnd))
	case len(lost) > 0:
		d = append(d, "without "+strings.Join(lost, ","))
	}
	if p.NoNewPrivs && !host.NoNewPrivs {
		d = append(d, "no_new_privs")
	}
	if p.Seccomp != host.Seccomp {
		d = append(d, fmt.Sprintf("seccomp %d", p.Seccomp))
	}
	if u := p.Unified; u.Path != "" && u.Path != host.Unified.Path {
		g := "v2 group " + u.Path
		if u.CPUUsageUsec >= 0 {
			g += fmt.Sprintf(", cpu %.1f s", float64(u.CPUUsageUsec)/1e6)
		}
		if u.CPUSomeUsec >= 0 {
			g += fmt.Sprintf(", waited %.1f s", float64(u.CPUSomeUsec)/1e6)
		}
		if u.MemoryHigh > 0 {
			g += fmt.Sprintf(", memory.high %s (%d high events)", units.Bytes(u.MemoryHigh), u.MemoryHighEvents)
		}
		d = append(d, g)
	}
	if p.BoottimeOffset != 0 {
		d = append(d, "boottime +"+p.BoottimeOffset.String())
	}
	return strings.Join(d, "; ")
}

// capsOrNone is a capability list, or "no capabilities".
func capsOrNone(caps []string) string {
	if len(caps) == 0 {
		return "no capabilities"
	}
	return strings.Join(caps, ",")
}

// firstMap is the start address of the first mapping of kind, or "".
func firstMap(maps []inspect.MemoryMap, kind string) string {
	for _, m := range maps {
		if m.Kind == kind {
			return fmt.Sprintf("%#x", m.Start)
		}
	}
	return ""
}

// limitText is "none" for a negative or zero limit, else the formatted value.
func limitText(n int64, format func(int64) string) string {
	if n <= 0 {
		return "no limit"
	}
	return format(n)
}

// summaryRepeats reports whether an outcome's summary is only its verdict
// again ("chown: allowed", "bind80: denied (EACCES) by dropped …").
func summaryRepeats(o *isolate.Outcome) bool {
	short := o.Experiment + ": allowed"
	if !o.Allowed {
		short = o.Experiment + ": denied"
	}
	return strings.HasPrefix(o.Summary, short)
}
