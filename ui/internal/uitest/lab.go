package uitest

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"procbox/inspect"
	"procbox/internal/units"
	"procbox/isolate"
	"procbox/ui/internal/common"
)

// LabReport is the doctor report of a root user on a host that allows every
// switch the Lab has: the Lab and the lessons start from it.
func LabReport() inspect.HostReport {
	r := inspect.HostReport{Root: true, Kernel: "6.1.0-test", CgroupMode: "hybrid",
		CgroupNote:  "v1 controllers, an empty v2 tree at /sys/fs/cgroup/unified",
		Controllers: []string{"cpu", "memory", "pids"},
		Seccomp:     inspect.Feature{Name: "seccomp", Available: true},
		LSM:         "none", LSMNote: "no LSM is active",
	}
	for _, ns := range isolate.AllNamespaces {
		r.Namespaces = append(r.Namespaces, inspect.Feature{Name: ns, Available: true})
	}
	r.TimeNamespace = inspect.Feature{Name: "time", Available: true}
	return r
}

// LabDeps is the Deps of a Lab or lesson test: an Inspector over
// LabReport's host that snapshots eng's children, eng as the engine and
// clock as the clock (each left out when nil), and monochrome styles.
func LabDeps(eng *LabEngine, clock *Clock) common.Deps {
	d := common.Deps{Inspector: &Inspector{Report: LabReport(), SnapshotFunc: eng.Snapshot}, Styles: common.NewStyles(true, true)}
	if eng != nil {
		d.Lab = eng
	}
	if clock != nil {
		d.Clock = clock
	}
	return d
}

// StartTook is how long a fake child takes to start or be re-created, on
// the engine's Clock.
const StartTook = 23 * time.Millisecond

// HostCaps is the effective set of the fake host's root: the capabilities
// the Lab offers to drop, and two more.
var HostCaps = []string{
	"cap_chown", "cap_dac_override", "cap_fowner", "cap_kill", "cap_setuid", "cap_setgid",
	"cap_net_bind_service", "cap_net_raw", "cap_net_admin", "cap_sys_admin",
	"cap_sys_chroot", "cap_sys_ptrace", "cap_mknod", "cap_setfcap", "cap_audit_write",
	"cap_syslog", "cap_bpf",
}

// LabEngine is the one fake common.LabEngine. Its children obey their Spec
// the way the kernel would (a new namespace re-creates the child, a limit
// stops an experiment, a dropped capability refuses it), so the Lab shows
// real-looking differences and every lesson step's check can pass without
// root. It records what it was asked, for tests to look at.
type LabEngine struct {
	// Clock, when set, moves on by StartTook at each start and re-create,
	// so the time a change took is measured.
	Clock *Clock

	pids     atomic.Int64 // PIDs handed out, to starts and re-creates alike
	mu       sync.Mutex
	startErr error
	started  []isolate.Spec
	children []*LabChild
}

// FailStart makes every Start fail with err from now on (nil: succeed again).
func (e *LabEngine) FailStart(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.startErr = err
}

// Start starts a fake child, PID 4242 first and the next free one after it.
func (e *LabEngine) Start(spec isolate.Spec) (common.LabChild, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.started = append(e.started, spec)
	if e.startErr != nil {
		return nil, e.startErr
	}
	if e.Clock != nil {
		e.Clock.Advance(StartTook)
	}
	c := &LabChild{eng: e, pid: e.nextPID(), spec: spec, fds: 3}
	e.children = append(e.children, c)
	return c, nil
}

// nextPID is the next PID this fake kernel hands out.
func (e *LabEngine) nextPID() int { return 4241 + int(e.pids.Add(1)) }

// Explain is the spec's equivalent shell commands.
func (e *LabEngine) Explain(spec isolate.Spec) []isolate.Step { return labSteps(spec) }

// Started is every spec Start was called with, failed starts included.
func (e *LabEngine) Started() []isolate.Spec {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.started)
}

// Child is the child started last (nil before the first start).
func (e *LabEngine) Child() *LabChild {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.children) == 0 {
		return nil
	}
	return e.children[len(e.children)-1]
}

// Running counts the children not stopped.
func (e *LabEngine) Running() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.children {
		if !c.Stopped() {
			n++
		}
	}
	return n
}

// Snapshot is what /proc says about pid: one of e's running children (its
// nice value, open files and capabilities follow what was done to it), or
// procbox itself for any other PID. Its signature fits
// Inspector.SnapshotFunc; a nil engine has no children.
func (e *LabEngine) Snapshot(pid int) (inspect.Snapshot, bool) {
	sn := inspect.Snapshot{PID: pid, PPID: 1, Comm: "procbox", Priority: 20, Policy: "SCHED_OTHER", User: "root", LSM: "none",
		Memory: inspect.Memory{RSSBytes: 1 << 20, VSizeBytes: 8 << 20, Kinds: []inspect.MemoryKind{{Kind: "text", Count: 1, SizeBytes: 1 << 20}, {Kind: "stack", Count: 1, SizeBytes: 132 << 10}}},
		Caps:   inspect.Capabilities{Effective: HostCaps, Permitted: HostCaps, Bounding: HostCaps},
		Env:    map[string]string{"PATH": "/usr/bin", "HOME": "/root"},
	}
	if e == nil {
		return sn, true
	}
	e.mu.Lock()
	children := slices.Clone(e.children)
	e.mu.Unlock()
	for _, c := range children {
		c.mu.Lock()
		if c.pid == pid && !c.stopped {
			sn.PPID, sn.Comm = 4000, "sleeper"
			sn.Nice, sn.Priority = c.nice, 20+c.nice
			for i := 0; i < c.fds; i++ {
				sn.FDs = append(sn.FDs, inspect.FD{FD: i, Target: "/dev/null"})
			}
			sn.Caps.Effective = c.capEff()
		}
		c.mu.Unlock()
	}
	return sn, true
}

// LabChild is a fake child of LabEngine. Every method is safe to call from
// a command's goroutine while the test looks.
type LabChild struct {
	eng  *LabEngine
	mu   sync.Mutex
	pid  int
	spec isolate.Spec

	// What was done to it, as the kernel would count it.
	nice      int
	fds       int
	mounts    int // tmpfs mounts made by ExpMountKeep
	queues    int // message queues made by ExpIPCQueue
	ooms      int64
	throttled int64

	// What the test asked for.
	applyErr    error
	recreateErr error
	staleCause  string

	// What the test can look at.
	applied []isolate.Spec
	inApply int
	overlap bool
	reads   int // ChildView calls
	stops   int
	stopped bool
}

// FailApply makes every Apply fail with err, the child unchanged.
func (c *LabChild) FailApply(err error) { c.mu.Lock(); c.applyErr = err; c.mu.Unlock() }

// FailRecreate makes an Apply that needs a new child fail with err after the
// old one is gone, as a real engine whose new child could not start.
func (c *LabChild) FailRecreate(err error) { c.mu.Lock(); c.recreateErr = err; c.mu.Unlock() }

// StaleCause makes every limit outcome name cause, as a child that reports
// the limits it was started with rather than the ones it has now.
func (c *LabChild) StaleCause(cause string) { c.mu.Lock(); c.staleCause = cause; c.mu.Unlock() }

// SetPID changes the child's PID, as a child the engine replaced behind the
// screen's back.
func (c *LabChild) SetPID(pid int) { c.mu.Lock(); c.pid = pid; c.mu.Unlock() }

// Applied is every spec Apply was called with.
func (c *LabChild) Applied() []isolate.Spec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.applied)
}

// Overlapped reports whether two Applies ever ran at once.
func (c *LabChild) Overlapped() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.overlap }

// ViewReads is how many times the child's own view was read.
func (c *LabChild) ViewReads() int { c.mu.Lock(); defer c.mu.Unlock(); return c.reads }

// Stops is how many times Stop was called.
func (c *LabChild) Stops() int { c.mu.Lock(); defer c.mu.Unlock(); return c.stops }

// Stopped reports whether Stop was called.
func (c *LabChild) Stopped() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.stopped }

func (c *LabChild) PID() int { c.mu.Lock(); defer c.mu.Unlock(); return c.pid }

func (c *LabChild) Spec() isolate.Spec { c.mu.Lock(); defer c.mu.Unlock(); return c.spec }

// Apply re-creates the child for new namespaces or a new hostname (as the
// kernel requires) and changes the rest in place.
func (c *LabChild) Apply(spec isolate.Spec) (isolate.Change, error) {
	c.mu.Lock()
	c.inApply++
	c.overlap = c.overlap || c.inApply > 1
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.inApply--; c.mu.Unlock() }()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.applied = append(c.applied, spec)
	if c.applyErr != nil {
		return isolate.Change{}, c.applyErr
	}
	old := c.spec
	if !slices.Equal(old.Namespaces, spec.Namespaces) || old.Hostname != spec.Hostname {
		if c.recreateErr != nil {
			return isolate.Change{Recreate: true, OldPID: c.pid}, c.recreateErr
		}
		oldPID := c.pid
		c.spec, c.pid, c.nice, c.fds = spec, c.eng.nextPID(), 0, 3
		if c.eng.Clock != nil {
			c.eng.Clock.Advance(StartTook)
		}
		return isolate.Change{Recreate: true, What: "re-created the child",
			Why: "new namespaces only apply to new processes", OldPID: oldPID, NewPID: c.pid}, nil
	}
	c.spec = spec
	what := "nothing changed"
	switch {
	case old.MemoryMax != spec.MemoryMax:
		what = "memory limit changed in place"
	case old.PidsMax != spec.PidsMax:
		what = "pids limit changed in place"
	case old.CPUMax != spec.CPUMax:
		what = "cpu quota changed in place"
	case !slices.Equal(old.DropCaps, spec.DropCaps):
		what = "dropped capabilities in place"
	case !slices.Equal(old.Seccomp, spec.Seccomp):
		what = "seccomp filter added in place"
	}
	return isolate.Change{InPlace: true, What: what, OldPID: c.pid, NewPID: c.pid}, nil
}

// capEff is the child's effective set: the host's, less what its spec drops.
// The caller holds c.mu.
func (c *LabChild) capEff() []string {
	if slices.Contains(c.spec.DropCaps, "all") {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(HostCaps), func(s string) bool { return slices.Contains(c.spec.DropCaps, s) })
}

var errStopped = errors.New("child stopped")

func (c *LabChild) HostView() (isolate.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return isolate.View{}, errStopped
	}
	return c.baseView("host"), nil
}

func (c *LabChild) ChildView() (isolate.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.stopped {
		return isolate.View{}, errStopped
	}
	s := c.spec
	v := c.baseView("child")
	if s.Has(isolate.NSPID) {
		v.PID, v.ProcCount, v.Procs = 1, 1, []string{"1 procbox"}
	}
	if s.Has(isolate.NSUTS) {
		v.Hostname = s.Hostname
		if v.Hostname == "" {
			v.Hostname = "devbox"
		}
	}
	if s.Has(isolate.NSNet) {
		v.Interfaces = []isolate.Interface{{Name: "lo"}}
	}
	if s.Has(isolate.NSMnt) {
		v.MountCount = 24
	}
	if s.Rootfs != "" {
		// pivot_root: / is the rootfs directory and only the child's own mounts remain.
		v.MountRoot, v.MountCount = "/dev/sda1 (ext4, /tmp/procbox-rootfs-1)", 3
	}
	v.MountCount += c.mounts
	if s.Has(isolate.NSUser) {
		v.UIDMap = fmt.Sprintf("0 %d 1", max(s.MapRootTo, 0))
	}
	if s.Has(isolate.NSIPC) {
		v.IPC = isolate.IPCObjects{Queues: c.queues}
	}
	if s.Has(isolate.NSCgroup) {
		v.CgroupPath = "/"
	}
	if s.Has(isolate.NSTime) {
		v.Monotonic += s.TimeOffset
		v.Boottime += s.TimeOffset
	}
	v.CapEff = c.capEff()
	if len(s.Seccomp) > 0 {
		v.Seccomp, v.NoNewPrivs = 2, true
	}
	for i, ns := range isolate.AllNamespaces {
		if s.Has(ns) {
			v.NSInodes[ns] = uint64(4026532200 + i)
		}
	}
	return v, nil
}

// baseView is what the host sees of the child; the child's own view starts
// from the same and differs where its spec isolates it. The caller holds c.mu.
func (c *LabChild) baseView(side string) isolate.View {
	s := c.spec
	v := isolate.View{
		Side: side, PID: c.pid, Hostname: "devbox", ProcCount: 131,
		Procs: []string{"1 systemd", "2 kthreadd", "412 sshd"},
		Interfaces: []isolate.Interface{{Name: "lo", Up: true, Addrs: []string{"127.0.0.1/8"}},
			{Name: "eth0", Up: true, Addrs: []string{"10.0.2.15/24"}}},
		MountRoot: "/dev/sda1", MountCount: 31, UIDMap: "0 0 4294967295",
		IPC:        isolate.IPCObjects{SharedMem: 2},
		CgroupPath: fmt.Sprintf("/procbox-%d", c.pid),
		CapEff:     slices.Clone(HostCaps),
		NSInodes:   map[string]uint64{},
		Monotonic:  3*time.Hour + 12*time.Minute, Boottime: 3*time.Hour + 13*time.Minute,
		Limits: isolate.CgroupStats{Version: "v1", MemoryMax: -1, MemoryCurrent: 3 << 20,
			PidsMax: -1, PidsCurrent: 1, CPUQuotaUsec: -1, CPUPeriodUsec: 100000,
			CPUUsageUsec: 40000, OOMKills: c.ooms, NrThrottled: c.throttled},
	}
	if s.MemoryMax > 0 {
		v.Limits.MemoryMax = s.MemoryMax
	}
	if s.PidsMax > 0 {
		v.Limits.PidsMax = s.PidsMax
	}
	if s.CPUMax > 0 {
		v.Limits.CPUQuotaUsec = int64(s.CPUMax * 100000)
		v.Limits.ThrottledUsec = 1500000
	}
	for i, ns := range isolate.AllNamespaces {
		v.NSInodes[ns] = uint64(4026531835 + i)
	}
	return v
}

// expCaps is the capability each privileged experiment needs, and the errno
// the kernel gives without it (bind(2): EACCES for a port below 1024).
var expCaps = map[string]struct{ cp, errno string }{
	isolate.ExpChown: {"cap_chown", "EPERM"}, isolate.ExpBind80: {"cap_net_bind_service", "EACCES"},
	isolate.ExpRawSocket: {"cap_net_raw", "EPERM"}, isolate.ExpMount: {"cap_sys_admin", "EPERM"},
	isolate.ExpHostname: {"cap_sys_admin", "EPERM"},
}

// expSyscalls is the syscall each experiment makes, for seccomp, and the
// older name of the same call that a filter may deny instead.
var expSyscalls = map[string][2]string{
	isolate.ExpChown: {"fchownat", "chown"}, isolate.ExpMount: {"mount"}, isolate.ExpHostname: {"sethostname"},
	isolate.ExpMkdir: {"mkdirat", "mkdir"}, isolate.ExpKillHost: {"kill"}, isolate.ExpBind80: {"bind"},
	isolate.ExpRawSocket: {"socket"},
}

// Experiment runs name against the child's spec: a limit, the pid namespace,
// a seccomp rule or a dropped capability refuses it as the kernel would.
func (c *LabChild) Experiment(name string) (isolate.Outcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.spec
	o := isolate.Outcome{Experiment: name, Allowed: true, Duration: 3 * time.Second}
	switch name {
	case isolate.ExpRenice:
		c.nice += 5
	case isolate.ExpOpenFile:
		c.fds++
	case isolate.ExpMountKeep:
		c.mounts++
	case isolate.ExpIPCQueue:
		c.queues++
	case isolate.ExpForkBomb:
		if s.PidsMax > 0 {
			o.Allowed, o.Errno, o.Cause = false, "EAGAIN", fmt.Sprintf("pids limit %d", s.PidsMax)
			o.Count = s.PidsMax
			o.Summary = fmt.Sprintf("fork failed: resource temporarily unavailable at %d processes", s.PidsMax)
		} else {
			o.Count = 1800
			o.Summary = "reached 1800 processes in 3s, then stopped itself"
		}
		return o, nil
	case isolate.ExpMemoryHog:
		if s.MemoryMax > 0 {
			c.ooms++
			o.Allowed, o.OOMKilled, o.Cause = false, true, "memory limit "+units.Bytes(s.MemoryMax) // as isolate says it
			if c.staleCause != "" {
				o.Cause = c.staleCause
			}
			o.Summary = "the OOM killer stopped it at " + units.Short(s.MemoryMax)
		} else {
			o.Summary = "stopped itself at 256M"
		}
		return o, nil
	case isolate.ExpCPUBurner:
		if s.CPUMax > 0 {
			c.throttled += 20
			o.Summary = "busy 3s, throttled 1.5s: 50% of one CPU"
		} else {
			o.Summary = "busy 3s, never throttled: 100% of one CPU"
		}
		return o, nil
	case isolate.ExpKillHost:
		if s.Has(isolate.NSPID) {
			o.Allowed, o.Errno, o.Cause, o.Summary = false, "ESRCH", "pid namespace", "pid 1 of the host is not visible"
			return o, nil
		}
	}
	if sc := expSyscalls[name]; sc[0] != "" && (slices.Contains(s.Seccomp, sc[0]) || slices.Contains(s.Seccomp, sc[1])) {
		sc := sc[0]
		o.Allowed, o.Errno, o.Cause, o.Summary = false, "EPERM", "seccomp "+sc, sc+" returned EPERM"
		return o, nil
	}
	if need, ok := expCaps[name]; ok && !slices.Contains(c.capEff(), need.cp) {
		o.Allowed, o.Errno, o.Cause, o.Summary = false, need.errno, "drop "+need.cp, "the kernel refused: no "+need.cp
		return o, nil
	}
	o.Summary = "it worked"
	return o, nil
}

func (c *LabChild) ShellCmd() *exec.Cmd { return exec.Command("/bin/true") }

// Registers is a stopped thread's registers, as ptrace would give them.
func (c *LabChild) Registers() (isolate.Registers, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return isolate.Registers{PC: 0x4a1b2c, SP: 0xc000123f00, Regs: []isolate.Register{{Name: "rax", Value: 0}, {Name: "rip", Value: 0x4a1b2c}},
		TID: c.pid + 3, Thread: "a thread the demo keeps busy computing for this look", Threads: 6,
		LaterPC: 0x4a1b58, LaterSP: 0xc000123f00, SPIn: "anonymous memory"}, nil
}

func (c *LabChild) Steps() []isolate.Step { c.mu.Lock(); defer c.mu.Unlock(); return labSteps(c.spec) }

func (c *LabChild) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stops++
	c.stopped = true
	return nil
}

// labSteps are the equivalent shell commands of a spec.
func labSteps(s isolate.Spec) []isolate.Step {
	var steps []isolate.Step
	for _, ns := range s.Namespaces {
		steps = append(steps, isolate.Step{What: "new " + ns + " namespace", Command: "unshare --" + ns})
	}
	if s.MemoryMax > 0 {
		steps = append(steps, isolate.Step{What: "memory limit " + units.Short(s.MemoryMax),
			Command: fmt.Sprintf("echo %d > /sys/fs/cgroup/memory/procbox-4242/memory.limit_in_bytes", s.MemoryMax)})
	}
	if s.PidsMax > 0 {
		steps = append(steps, isolate.Step{What: fmt.Sprintf("pids limit %d", s.PidsMax),
			Command: fmt.Sprintf("echo %d > /sys/fs/cgroup/pids/procbox-4242/pids.max", s.PidsMax)})
	}
	return steps
}
