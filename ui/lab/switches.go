package lab

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"procbox/inspect"
	"procbox/internal/units"
	"procbox/isolate"
	"procbox/ui/internal/common"
)

// switchKind says what one row of the Lab's switch column controls.
type switchKind int

const (
	swNS switchKind = iota
	swHostname
	swMapRoot
	swMem
	swPids
	swCPU
	swCaps
	swSeccomp
	swRootfs
	swVeth
	swTimeOffset
)

// switchDef is one row of the switch column.
type switchDef struct {
	kind  switchKind
	ns    string // for swNS
	label string
}

// switchRows is the switch column, top to bottom: the namespaces first
// (they are the heart of the lesson), then the values that hang off them, then
// the cgroup limits, then privileges.
func switchRows() []switchDef {
	rows := make([]switchDef, 0, 20)
	for _, ns := range isolate.AllNamespaces {
		rows = append(rows, switchDef{kind: swNS, ns: ns, label: ns})
	}
	return append(rows,
		switchDef{kind: swHostname, label: "hostname"},
		switchDef{kind: swMapRoot, label: "map root"},
		switchDef{kind: swMem, label: "memory"},
		switchDef{kind: swPids, label: "pids"},
		switchDef{kind: swCPU, label: "cpu"},
		switchDef{kind: swCaps, label: "drop caps"},
		switchDef{kind: swSeccomp, label: "seccomp"},
		switchDef{kind: swRootfs, label: "rootfs"},
		switchDef{kind: swVeth, label: "veth"},
		switchDef{kind: swTimeOffset, label: "time offset"},
	)
}

// capChoices are the capabilities offered in the "drop caps" tick list: the
// ones an experiment or a lesson shows the effect of, plus a few famous ones.
var capChoices = []string{
	"cap_chown", "cap_dac_override", "cap_fowner", "cap_kill", "cap_setuid", "cap_setgid",
	"cap_net_bind_service", "cap_net_raw", "cap_net_admin", "cap_sys_admin",
	"cap_sys_chroot", "cap_sys_ptrace", "cap_mknod", "cap_setfcap", "cap_audit_write",
}

// capAll is what `--drop-caps all` says; the Lab expands it to every name.
const capAll = "all"

// allCaps is every capability this build knows, lower-case with cap_, as
// the engine names them. Computed once, on first use: a package-level value
// cost every procbox start (and every re-executed child) 0.1 ms of init
// (GODEBUG=inittrace=1), the Lab or not. Callers never change the slice.
var allCaps = sync.OnceValue(func() []string {
	all, err := isolate.ParseCaps(capAll)
	if err != nil || len(all) == 0 {
		return slices.Clone(capChoices)
	}
	return all
})

// expandCaps replaces "all" with every capability name.
func expandCaps(caps []string) []string {
	if !slices.Contains(caps, capAll) {
		return slices.Clone(caps)
	}
	return slices.Clone(allCaps())
}

// seccompChoice is one entry of the seccomp tick list. One entry denies the
// whole family of syscalls that do that job (isolate.SeccompFamily): libc and
// Go call the *at variants (mkdir is mkdirat on most architectures), and kill
// alone would leave tgkill and pidfd_send_signal; denying only the old name
// would teach the wrong lesson.
type seccompChoice struct {
	label    string
	syscalls []string
}

// seccompChoices is the tick list, built on first use (like allCaps: not in
// every procbox start's init).
var seccompChoices = sync.OnceValue(func() []seccompChoice {
	return familyChoices("mkdir", "chown", "mount", "unshare", "setns", "ptrace", "sethostname",
		"kill", "setuid", "socket", "bind", "reboot")
})

// familyChoices makes one tick-list entry per name, with its family.
func familyChoices(names ...string) []seccompChoice {
	out := make([]seccompChoice, 0, len(names))
	for _, n := range names {
		f := isolate.SeccompFamily(n)
		if len(f) == 0 {
			f = []string{n} // no syscall table here (not Linux): the name alone
		}
		out = append(out, seccompChoice{label: n, syscalls: f})
	}
	return out
}

// settings is what the switches say. It is kept apart from the Spec so a
// value survives while the namespace it needs is off (turning uts off and on
// again brings the hostname back); settings.spec drops what cannot apply.
type settings struct {
	ns         map[string]bool
	hostname   string
	mapRoot    bool
	memMax     int64
	pidsMax    int64
	cpuMax     float64
	dropCaps   []string
	seccomp    []string
	rootfs     string
	veth       bool
	timeOffset time.Duration
}

// settingsFrom reads the switches from a starting Spec.
func settingsFrom(s isolate.Spec) settings {
	st := settings{
		ns:         map[string]bool{},
		hostname:   s.Hostname,
		mapRoot:    s.MapRoot,
		memMax:     s.MemoryMax,
		pidsMax:    s.PidsMax,
		cpuMax:     s.CPUMax,
		dropCaps:   expandCaps(s.DropCaps),
		seccomp:    slices.Clone(s.Seccomp),
		rootfs:     s.Rootfs,
		veth:       s.Veth,
		timeOffset: s.TimeOffset,
	}
	for _, n := range s.Namespaces {
		st.ns[n] = true
	}
	return st
}

// spec is the Spec the switches describe. Values whose namespace is off are
// left out: a hostname without a uts namespace would rename the host.
func (st settings) spec() isolate.Spec {
	var s isolate.Spec
	for _, n := range isolate.AllNamespaces {
		if st.ns[n] {
			s.Namespaces = append(s.Namespaces, n)
		}
	}
	if st.ns[isolate.NSUTS] {
		s.Hostname = st.hostname
	}
	if st.ns[isolate.NSUser] {
		s.MapRoot = st.mapRoot
	}
	if st.ns[isolate.NSMnt] && st.ns[isolate.NSPID] {
		s.Rootfs = st.rootfs
	}
	if st.ns[isolate.NSNet] {
		s.Veth = st.veth
	}
	if st.ns[isolate.NSTime] {
		s.TimeOffset = st.timeOffset
	}
	s.MemoryMax = st.memMax
	s.PidsMax = st.pidsMax
	s.CPUMax = st.cpuMax
	if len(st.dropCaps) > 0 {
		s.DropCaps = slices.Clone(st.dropCaps)
	}
	if len(st.seccomp) > 0 {
		s.Seccomp = slices.Clone(st.seccomp)
	}
	return s
}

// clone copies the settings so a change never aliases the previous state.
func (st settings) clone() settings {
	c := st
	c.ns = make(map[string]bool, len(st.ns))
	for k, v := range st.ns {
		c.ns[k] = v
	}
	c.dropCaps = slices.Clone(st.dropCaps)
	c.seccomp = slices.Clone(st.seccomp)
	return c
}

// needs names the namespace a value switch depends on, "" if none.
// needsAll lists every namespace a value switch depends on: a root
// filesystem needs a pid namespace as well as a mount namespace (without one,
// /proc/PID/root of a host process leads back to the host's /, and isolate
// refuses it).
func needsAll(k switchKind) []string {
	if k == swRootfs {
		return []string{isolate.NSMnt, isolate.NSPID}
	}
	if n := needs(k); n != "" {
		return []string{n}
	}
	return nil
}

func needs(k switchKind) string {
	switch k {
	case swHostname:
		return isolate.NSUTS
	case swMapRoot:
		return isolate.NSUser
	case swRootfs:
		return isolate.NSMnt
	case swVeth:
		return isolate.NSNet
	case swTimeOffset:
		return isolate.NSTime
	}
	return ""
}

// switchAvail says whether this host lets procbox use a switch, and why not.
type switchAvail struct {
	ok  bool
	why string
}

// availabilityOf reads the doctor report into one answer per switch. An
// unknown report (zero value) allows everything: the engine's own error will
// then say what went wrong, which beats hiding a switch on a guess.
func availabilityOf(r inspect.HostReport, known bool) map[switchKind]map[string]switchAvail {
	out := map[switchKind]map[string]switchAvail{}
	set := func(k switchKind, ns string, a switchAvail) {
		if out[k] == nil {
			out[k] = map[string]switchAvail{}
		}
		out[k][ns] = a
	}
	yes := switchAvail{ok: true}
	if !known {
		return out
	}
	nsOK := map[string]switchAvail{}
	for _, f := range r.Namespaces {
		nsOK[f.Name] = switchAvail{ok: f.Available, why: f.Why}
	}
	if r.TimeNamespace.Name != "" || r.TimeNamespace.Why != "" {
		if a, seen := nsOK[isolate.NSTime]; !seen || a.ok {
			nsOK[isolate.NSTime] = switchAvail{ok: r.TimeNamespace.Available, why: r.TimeNamespace.Why}
		}
	}
	if !r.Root {
		// Without root, every namespace but user needs a user namespace
		// around it; if that is refused, nothing else works either.
		if !r.UserNSUnpriv.Available && (r.UserNSUnpriv.Name != "" || r.UserNSUnpriv.Why != "") {
			why := "needs root (unprivileged user namespaces are off: " + r.UserNSUnpriv.Why + ")"
			for _, ns := range isolate.AllNamespaces {
				nsOK[ns] = switchAvail{why: why}
			}
		}
	}
	for _, ns := range isolate.AllNamespaces {
		a, seen := nsOK[ns]
		if !seen {
			a = yes
		}
		set(swNS, ns, a)
	}
	ctrl := func(name string) switchAvail {
		if !slices.Contains(r.Controllers, name) {
			return switchAvail{why: fmt.Sprintf("no %s cgroup controller on this host (%s)", name, r.CgroupMode)}
		}
		if !r.Root && !slices.Contains(r.Delegated, name) {
			return switchAvail{why: fmt.Sprintf("the %s controller is not delegated to uid %d: needs root", name, r.UID)}
		}
		return yes
	}
	set(swMem, "", ctrl("memory"))
	set(swPids, "", ctrl("pids"))
	set(swCPU, "", ctrl("cpu"))
	if r.Seccomp.Available || (r.Seccomp.Name == "" && r.Seccomp.Why == "") {
		set(swSeccomp, "", yes)
	} else {
		set(swSeccomp, "", switchAvail{why: r.Seccomp.Why})
	}
	if r.Root {
		set(swCaps, "", yes)
		set(swVeth, "", yes)
	} else {
		set(swCaps, "", switchAvail{why: "not root: the child has no capabilities to drop"})
		set(swVeth, "", switchAvail{why: "a veth pair needs root on the host side"})
	}
	return out
}

// parseSize reads a memory size with isolate.ParseSize ("64M", "1.5G",
// "512k", bytes); "", "0", "none", "max" and "off" mean no limit.
func parseSize(s string) (int64, error) {
	switch strings.TrimSpace(strings.ToLower(s)) {
	case "", "0", "none", "max", "off":
		return 0, nil
	}
	v, err := isolate.ParseSize(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: try 64M, 1G or none", s)
	}
	// The Lab's child is a Go program: below this its own runtime cannot live.
	if v < isolate.MinLabMemory {
		return 0, fmt.Errorf("%q is too small: the Lab's child needs at least %dM", s, isolate.MinLabMemory>>20)
	}
	return v, nil
}

// parsePids reads a pids limit: a count, or none.
func parsePids(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	switch t {
	case "", "0", "none", "max", "off":
		return 0, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a process count: try 20 or none", s)
	}
	// The child is a Go program with threads of its own, and starts helpers.
	if n < isolate.MinLabPids {
		return 0, fmt.Errorf("%d is too few: the Lab's child needs at least %d", n, isolate.MinLabPids)
	}
	return n, nil
}

// parseCPU reads a CPU quota as a fraction of one CPU: "0.5", "50%", or none.
func parseCPU(s string) (float64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	switch t {
	case "", "0", "none", "max", "off":
		return 0, nil
	}
	pct := strings.HasSuffix(t, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a CPU share: try 0.5, 50%% or none", s)
	}
	if pct {
		f /= 100
	}
	if f < 0.01 || f > 64 {
		return 0, fmt.Errorf("%q is out of range: between 0.01 and 64 CPUs", s)
	}
	return f, nil
}

// parseHostname checks a hostname the way sethostname(2) and RFC 1123 would.
func parseHostname(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) > 64 {
		return "", fmt.Errorf("a hostname has at most 64 characters")
	}
	for i, r := range t {
		ok := r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return "", fmt.Errorf("%q: a hostname uses letters, digits, '-' and '.'", s)
		}
		if i == 0 && (r == '-' || r == '.') {
			return "", fmt.Errorf("%q: a hostname cannot start with %q", s, r)
		}
	}
	return t, nil
}

// parseRootfs checks that a rootfs is an absolute path; whether it holds a
// usable tree is for the engine to say (that check touches the disk).
func parseRootfs(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" || t == "none" {
		return "", nil
	}
	if !strings.HasPrefix(t, "/") {
		return "", fmt.Errorf("%q: the rootfs must be an absolute path", s)
	}
	return t, nil
}

// parseOffset reads a time-namespace offset: "1h", "-30m", "0".
func parseOffset(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" || t == "0" || t == "none" {
		return 0, nil
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: try 1h, 90m or 48h", s)
	}
	// The kernel refuses offsets that would take a clock below zero.
	if d < 0 {
		return 0, fmt.Errorf("%q is negative: the clocks can only be moved forward", s)
	}
	return d, nil
}

// trimZero drops a useless ".0".
func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// cPUText prints a CPU quota as a percentage of one CPU.
func cPUText(f float64) string {
	return trimZero(fmt.Sprintf("%.1f", f*100)) + "%"
}

// switchValue is the text of a switch's current value.
func switchValue(sw switchDef, st settings) string {
	switch sw.kind {
	case swNS:
		if st.ns[sw.ns] {
			return "on"
		}
		return "off"
	case swHostname:
		return common.OrDash(st.hostname)
	case swMapRoot:
		return onOff(st.mapRoot)
	case swMem:
		if st.memMax == 0 {
			return "none"
		}
		return units.Short(st.memMax)
	case swPids:
		if st.pidsMax == 0 {
			return "none"
		}
		return strconv.FormatInt(st.pidsMax, 10)
	case swCPU:
		if st.cpuMax == 0 {
			return "none"
		}
		return cPUText(st.cpuMax)
	case swCaps:
		if len(st.dropCaps) == 0 {
			return "none"
		}
		if hasAll(st.dropCaps, allCaps()) {
			return "all"
		}
		if len(st.dropCaps) == 1 {
			return strings.TrimPrefix(st.dropCaps[0], "cap_")
		}
		return strconv.Itoa(len(st.dropCaps))
	case swSeccomp:
		var names []string
		for _, c := range seccompChoices() {
			if hasAll(st.seccomp, c.syscalls) {
				names = append(names, c.label)
			}
		}
		if len(names) == 0 && len(st.seccomp) > 0 {
			names = st.seccomp
		}
		if len(names) == 0 {
			return "none"
		}
		if len(names) == 1 {
			return names[0]
		}
		return strconv.Itoa(len(names)) + " denied"
	case swRootfs:
		return common.OrDash(st.rootfs)
	case swVeth:
		return onOff(st.veth)
	case swTimeOffset:
		if st.timeOffset == 0 {
			return "0"
		}
		return duration(st.timeOffset)
	}
	return ""
}

// isToggle reports whether Space flips the switch (the rest take a value).
func isToggle(k switchKind) bool {
	return k == swNS || k == swMapRoot || k == swVeth
}

// hasAll reports whether every one of want is in have.
func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// duration prints a duration without trailing zero units: 1h, 1h30m, 90s.
func duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
