package lab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"procbox/internal/units"
	"procbox/isolate"
	"procbox/ui/internal/common"
)

// viewRow is one question of the side-by-side: asked from the host and from
// the child. differ drives the Diff highlight (tests assert it, not colours).
type viewRow struct {
	key    string // stable id: "pid", "hostname", "ns.uts", ...
	label  string
	host   string
	child  string
	differ bool
	// hostBar and childBar are usage fractions in [0,1] drawn as bars after the
	// text (memory, pids, cpu); < 0 means no bar.
	hostBar, childBar float64
}

// notableCaps are the capabilities worth naming in a one-line summary.
var notableCaps = []string{"cap_sys_admin", "cap_net_admin", "cap_net_raw", "cap_chown",
	"cap_kill", "cap_setuid", "cap_dac_override", "cap_net_bind_service", "cap_sys_chroot"}

// viewRows turns the two views into rows. With compactNS the eight namespace
// inodes fold into one row (the 80×24 layout has no room for eight).
// cpuShare is the child cgroup's recent CPU use in CPUs (< 0: not known yet).
func viewRows(h, c isolate.View, compactNS bool, cpuShare float64) []viewRow {
	rows := []viewRow{
		{key: "pid", label: "pid", host: strconv.Itoa(h.PID), child: strconv.Itoa(c.PID)},
		{key: "hostname", label: "hostname", host: h.Hostname, child: c.Hostname},
		{key: "procs", label: "processes", host: procsText(h), child: procsText(c)},
		{key: "net", label: "network", host: ifacesText(h.Interfaces), child: ifacesText(c.Interfaces)},
		{key: "mounts", label: "mounts", host: mountsText(h), child: mountsText(c)},
		{key: "ids", label: "uid/gid", host: iDsText(h), child: iDsText(c)},
		{key: "ipc", label: "ipc", host: iPCText(h.IPC), child: iPCText(c.IPC)},
		{key: "cgroup", label: "cgroup", host: common.OrDash(h.CgroupPath), child: common.OrDash(c.CgroupPath)},
		memRow(h, c),
		pidsRow(h, c),
		cPURow(h, c, cpuShare),
		{key: "caps", label: "caps", host: capsText(h.CapEff), child: capsText(c.CapEff)},
		{key: "seccomp", label: "seccomp", host: seccompText(h), child: seccompText(c)},
		{key: "clocks", label: "clocks", host: clockText(h), child: clockText(c)},
	}
	if compactNS {
		rows = append(rows, nSSummaryRow(h, c))
	} else {
		for _, ns := range isolate.AllNamespaces {
			rows = append(rows, viewRow{key: "ns." + ns, label: ns + " ns",
				host: inodeText(h.NSInodes, ns), child: inodeText(c.NSInodes, ns)})
		}
	}
	limitsDiffer := h.Limits.MemoryMax != c.Limits.MemoryMax || h.Limits.PidsMax != c.Limits.PidsMax ||
		h.Limits.CPUQuotaUsec != c.Limits.CPUQuotaUsec
	for i := range rows {
		r := &rows[i]
		switch r.key {
		case "mem", "pidsmax", "cpu":
			// Both sides read the same cgroup a moment apart: usage that moved
			// in between is not a difference between host and child.
			r.differ = limitsDiffer && r.host != r.child
		case "ns": // the summary row decides for itself
			r.hostBar, r.childBar = -1, -1
		default:
			r.hostBar, r.childBar = -1, -1
			r.differ = r.host != r.child
		}
	}
	return rows
}

// hostProc flags the child's process list when it reads the host's /proc:
// with a pid namespace but no mount namespace the child's /proc is still the
// host's mount, so it lists every host process although the child cannot
// reach them (unshare's --mount-proc needs the mount namespace).
func hostProc(rows []viewRow, spec isolate.Spec) []viewRow {
	if !spec.Has(isolate.NSPID) || spec.Has(isolate.NSMnt) {
		return rows
	}
	for i := range rows {
		if rows[i].key == "procs" {
			rows[i].child = "host /proc (mnt off): " + rows[i].child
			rows[i].differ = true
		}
	}
	return rows
}

// procsText is "N: first, few".
func procsText(v isolate.View) string {
	first := v.Procs
	if len(first) > 3 {
		first = first[:3]
	}
	if len(first) == 0 {
		return strconv.Itoa(v.ProcCount)
	}
	return fmt.Sprintf("%d: %s", v.ProcCount, strings.Join(first, ", "))
}

// ifacesText lists interfaces with their first address and state.
func ifacesText(ifs []isolate.Interface) string {
	if len(ifs) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(ifs))
	for _, i := range ifs {
		p := i.Name
		if !i.Up {
			p += "(down)"
		}
		if len(i.Addrs) > 0 {
			p += " " + i.Addrs[0]
		}
		parts = append(parts, p)
	}
	return fmt.Sprintf("%d: %s", len(ifs), strings.Join(parts, ", "))
}

func mountsText(v isolate.View) string {
	return fmt.Sprintf("%d, / on %s", v.MountCount, common.OrDash(v.MountRoot))
}

func iDsText(v isolate.View) string {
	m := strings.Join(strings.Fields(v.UIDMap), " ")
	if m == "" {
		m = "?"
	}
	return fmt.Sprintf("%d/%d map %s", v.UID, v.GID, m)
}

func iPCText(o isolate.IPCObjects) string {
	return fmt.Sprintf("msg %d sem %d shm %d", o.Queues, o.Semaphores, o.SharedMem)
}

// notCounted stands where the child has no cgroup of its own to read (no
// limit of that kind is set): a 0 there would be a false reading.
const notCounted = "not counted"

// memRow shows memory usage against the limit, with a bar when limited.
func memRow(h, c isolate.View) viewRow {
	f := func(s isolate.CgroupStats) (string, float64) {
		if !s.Counted("memory") {
			return notCounted, -1
		}
		txt := units.Short(s.MemoryCurrent) + " / "
		bar := -1.0
		if s.MemoryMax > 0 {
			txt += units.Short(s.MemoryMax)
			bar = float64(s.MemoryCurrent) / float64(s.MemoryMax)
		} else {
			txt += "max"
		}
		if s.OOMKills > 0 {
			txt += fmt.Sprintf(" oom %d", s.OOMKills)
		}
		return txt, bar
	}
	ht, hb := f(h.Limits)
	ct, cb := f(c.Limits)
	return viewRow{key: "mem", label: "memory", host: ht, child: ct, hostBar: hb, childBar: cb}
}

// pidsRow shows tasks in the cgroup against pids.max.
func pidsRow(h, c isolate.View) viewRow {
	f := func(s isolate.CgroupStats) (string, float64) {
		if !s.Counted("pids") {
			return notCounted, -1
		}
		if s.PidsMax > 0 {
			return fmt.Sprintf("%d / %d", s.PidsCurrent, s.PidsMax), float64(s.PidsCurrent) / float64(s.PidsMax)
		}
		return fmt.Sprintf("%d / max", s.PidsCurrent), -1
	}
	ht, hb := f(h.Limits)
	ct, cb := f(c.Limits)
	return viewRow{key: "pidsmax", label: "tasks", host: ht, child: ct, hostBar: hb, childBar: cb}
}

// cPURow shows the quota, the time the kernel held the child back, and the
// share of a CPU the child's cgroup used lately as a bar. Both sides read the
// same cgroup, so the share is the same number on both.
func cPURow(h, c isolate.View, share float64) viewRow {
	f := func(s isolate.CgroupStats) (string, float64) {
		if !s.Counted("cpu") {
			return notCounted, -1
		}
		quota := s.CPUQuotaUsec > 0 && s.CPUPeriodUsec > 0
		var txt string
		if quota {
			txt = cPUText(float64(s.CPUQuotaUsec)/float64(s.CPUPeriodUsec)) + " thr " + usec(s.ThrottledUsec)
		}
		bar := -1.0
		if share >= 0 {
			bar = share
		}
		switch {
		case quota:
			// The bar is the share used lately; the text, the quota and
			// how long the kernel held the child back.
			return txt, bar
		case share >= 0:
			return "max, now " + cPUText(share), bar
		}
		return "max, used " + usec(s.CPUUsageUsec), -1
	}
	ht, hb := f(h.Limits)
	ct, cb := f(c.Limits)
	return viewRow{key: "cpu", label: "cpu", host: ht, child: ct, hostBar: hb, childBar: cb}
}

// usec prints microseconds as a short duration.
func usec(us int64) string {
	d := time.Duration(us) * time.Microsecond
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// capsText is the count of effective capabilities and the notable ones held.
func capsText(caps []string) string {
	if len(caps) == 0 {
		return "0: none"
	}
	var notable []string
	for _, n := range notableCaps {
		if slices.Contains(caps, n) {
			notable = append(notable, strings.TrimPrefix(n, "cap_"))
		}
		if len(notable) == 3 {
			break
		}
	}
	if len(notable) == 0 {
		return strconv.Itoa(len(caps))
	}
	return fmt.Sprintf("%d: %s", len(caps), strings.Join(notable, ","))
}

func seccompText(v isolate.View) string {
	mode := "off"
	switch v.Seccomp {
	case 1:
		mode = "strict"
	case 2:
		mode = "filter"
	}
	if v.NoNewPrivs {
		mode += ", no_new_privs"
	}
	return mode
}

// clockText shows the clocks a time namespace can shift.
func clockText(v isolate.View) string {
	return "mono " + uptime(v.Monotonic) + " boot " + uptime(v.Boottime)
}

// uptime prints a clock reading in hours and minutes: seconds would make the
// row differ on every refresh for no reason.
func uptime(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	h := int64(d / time.Hour)
	m := int64(d%time.Hour) / int64(time.Minute)
	s := fmt.Sprintf("%dh%02dm", h, m)
	if neg {
		s = "-" + s
	}
	return s
}

func inodeText(m map[string]uint64, ns string) string {
	if ino, ok := m[ns]; ok {
		return strconv.FormatUint(ino, 10)
	}
	return "?"
}

// nSSummaryRow folds the namespace inodes into "which are the child's own".
func nSSummaryRow(h, c isolate.View) viewRow {
	var own []string
	for _, ns := range isolate.AllNamespaces {
		hi, hok := h.NSInodes[ns]
		ci, cok := c.NSInodes[ns]
		if hok && cok && hi != ci {
			own = append(own, ns)
		}
	}
	child := "all shared"
	if len(own) > 0 {
		child = "own " + strings.Join(own, ",")
	}
	r := viewRow{key: "ns", label: "own ns", host: fmt.Sprintf("%d host", len(h.NSInodes)), child: child}
	r.differ = len(own) > 0
	return r
}
