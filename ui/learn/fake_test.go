package learn

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

// Fakes for the lesson player: an engine whose child "obeys" its spec the way
// the kernel would, so every step's action makes its check pass without root.

var testT0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

type fakeEngine struct {
	clock   *uitest.Clock // advanced by a child's start, so start times are measured
	mu      sync.Mutex
	started []*fakeChild
	failing error
}

func (e *fakeEngine) Start(spec isolate.Spec) (common.LabChild, error) {
	if e.failing != nil {
		return nil, e.failing
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.clock != nil {
		e.clock.Advance(startTook)
	}
	c := &fakeChild{pid: 4242 + len(e.started), spec: spec, fds: 3, clock: e.clock}
	e.started = append(e.started, c)
	return c, nil
}

func (e *fakeEngine) Explain(isolate.Spec) []isolate.Step { return nil }

// running counts children not stopped.
func (e *fakeEngine) running() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.started {
		if !c.isStopped() {
			n++
		}
	}
	return n
}

// startTook is how long a fake child takes to start (or be re-created).
const startTook = 23 * time.Millisecond

type fakeChild struct {
	clock     *uitest.Clock
	mu        sync.Mutex
	pid       int
	spec      isolate.Spec
	nice      int
	fds       int
	mounts    int // tmpfs mounts made by ExpMountKeep
	queues    int // message queues made by ExpIPCQueue
	ooms      int64
	throttled int64
	stopped   bool
	failApply error
}

func (c *fakeChild) isStopped() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.stopped }
func (c *fakeChild) PID() int        { c.mu.Lock(); defer c.mu.Unlock(); return c.pid }
func (c *fakeChild) Spec() isolate.Spec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spec
}

// Apply re-creates the child for namespaces (as the kernel requires) and
// changes the rest in place.
func (c *fakeChild) Apply(spec isolate.Spec) (isolate.Change, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failApply != nil {
		return isolate.Change{}, c.failApply
	}
	ch := isolate.Change{OldPID: c.pid, NewPID: c.pid, InPlace: true, What: "applied"}
	if !slices.Equal(spec.Namespaces, c.spec.Namespaces) {
		c.pid += 100
		ch = isolate.Change{Recreate: true, OldPID: ch.OldPID, NewPID: c.pid, What: "re-created", Why: "new namespaces only apply to new processes"}
		c.nice, c.fds = 0, 3
		if c.clock != nil {
			c.clock.Advance(startTook)
		}
	}
	c.spec = spec
	return ch, nil
}

var hostNS = map[string]uint64{"pid": 4026531836, "net": 4026531840, "mnt": 4026531841, "uts": 4026531838,
	"ipc": 4026531839, "user": 4026531837, "cgroup": 4026531835, "time": 4026531834}

var allCaps = []string{"cap_chown", "cap_kill", "cap_net_bind_service", "cap_net_raw", "cap_sys_admin"}

func fakeHostView(pid int) isolate.View {
	ns := map[string]uint64{}
	for k, v := range hostNS {
		ns[k] = v
	}
	return isolate.View{
		Side: "host", PID: pid, Hostname: "workshop", ProcCount: 97,
		Interfaces: []isolate.Interface{{Name: "lo", Up: true}, {Name: "eth0", Up: true}},
		MountRoot:  "/dev/vda1", MountCount: 31, UIDMap: "0 0 4294967295", IPC: isolate.IPCObjects{SharedMem: 1},
		CgroupPath: fmt.Sprintf("/procbox-%d", pid), CapEff: allCaps, NSInodes: ns, Monotonic: 5 * time.Hour,
		Limits: isolate.CgroupStats{Version: "v1", MemoryMax: -1, PidsMax: -1, CPUQuotaUsec: -1},
	}
}

func (c *fakeChild) HostView() (isolate.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return isolate.View{}, errors.New("child stopped")
	}
	return fakeHostView(c.pid), nil
}

func (c *fakeChild) ChildView() (isolate.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return isolate.View{}, errors.New("child stopped")
	}
	v := fakeHostView(c.pid)
	v.Side = "child"
	for i, k := range c.spec.Namespaces {
		v.NSInodes[k] = 4026532000 + uint64(i)
		switch k {
		case isolate.NSPID:
			v.PID, v.ProcCount = 1, 1
		case isolate.NSNet:
			v.Interfaces = []isolate.Interface{{Name: "lo"}}
		case isolate.NSUTS:
			v.Hostname = c.spec.Hostname
		case isolate.NSIPC:
			v.IPC = isolate.IPCObjects{Queues: c.queues}
		case isolate.NSUser:
			v.UIDMap = fmt.Sprintf("0 %d 1", max(c.spec.MapRootTo, 0))
		case isolate.NSCgroup:
			v.CgroupPath = "/"
		case isolate.NSTime:
			v.Monotonic += c.spec.TimeOffset
			v.Boottime += c.spec.TimeOffset
		}
	}
	if c.spec.Rootfs != "" {
		// pivot_root: / is the rootfs directory and only the child's own mounts remain.
		v.MountRoot, v.MountCount = "/dev/vda1 (ext4, /tmp/procbox-rootfs-1)", 3
	}
	v.MountCount += c.mounts
	v.CapEff = slices.DeleteFunc(slices.Clone(allCaps), func(s string) bool { return slices.Contains(c.spec.DropCaps, s) })
	if len(c.spec.Seccomp) > 0 {
		v.Seccomp = 2
	}
	if c.spec.MemoryMax > 0 {
		v.Limits.MemoryMax = c.spec.MemoryMax
	}
	if c.spec.PidsMax > 0 {
		v.Limits.PidsMax = c.spec.PidsMax
	}
	v.Limits.OOMKills, v.Limits.NrThrottled = c.ooms, c.throttled
	return v, nil
}

func (c *fakeChild) Experiment(name string) (isolate.Outcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := isolate.Outcome{Experiment: name, Allowed: true, Summary: name + " done"}
	deny := func(errno, cause string) { o.Allowed, o.Errno, o.Cause = false, errno, cause }
	dropped := func(cp string) bool { return slices.Contains(c.spec.DropCaps, cp) }
	switch name {
	case isolate.ExpRenice:
		c.nice += 5
	case isolate.ExpOpenFile:
		c.fds++
	case isolate.ExpMountKeep:
		c.mounts++
	case isolate.ExpIPCQueue:
		c.queues++
	case isolate.ExpMemoryHog:
		if c.spec.MemoryMax > 0 {
			deny("", "memory limit")
			o.OOMKilled = true
			c.ooms++
		}
	case isolate.ExpForkBomb:
		if c.spec.PidsMax > 0 {
			deny("EAGAIN", "pids limit")
		}
	case isolate.ExpCPUBurner:
		if c.spec.CPUMax > 0 {
			c.throttled += 20
		}
	case isolate.ExpChown:
		if dropped("cap_chown") {
			deny("EPERM", "drop cap_chown")
		}
	case isolate.ExpBind80:
		if dropped("cap_net_bind_service") {
			deny("EACCES", "drop cap_net_bind_service")
		}
	case isolate.ExpRawSocket:
		if dropped("cap_net_raw") {
			deny("EPERM", "drop cap_net_raw")
		}
	case isolate.ExpMkdir:
		if slices.Contains(c.spec.Seccomp, "mkdir") {
			deny("EPERM", "seccomp mkdir")
		}
	case isolate.ExpKillHost:
		if c.spec.Has(isolate.NSPID) {
			deny("ESRCH", "pid namespace")
		}
	}
	return o, nil
}

func (c *fakeChild) ShellCmd() *exec.Cmd { return exec.Command("/bin/true") }
func (c *fakeChild) Registers() (isolate.Registers, error) {
	return isolate.Registers{PC: 0x4a1b2c, SP: 0xc000123f00, Regs: []isolate.Register{{Name: "rax", Value: 0}, {Name: "rip", Value: 0x4a1b2c}},
		TID: c.pid + 3, Thread: "a thread the demo keeps busy computing for this look", Threads: 6,
		LaterPC: 0x4a1b58, LaterSP: 0xc000123f00, SPIn: "anonymous memory"}, nil
}
func (c *fakeChild) Steps() []isolate.Step { return nil }
func (c *fakeChild) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	return nil
}

// fakeInspector is the one fake Inspector, snapshotting the fake children of
// eng (nil: none) and a fixed procbox for any other PID.
func fakeInspector(eng *fakeEngine) *uitest.Inspector {
	return &uitest.Inspector{
		Report: inspect.HostReport{Root: true, Kernel: "6.1.0-test", CgroupMode: "hybrid",
			CgroupNote: "v1 controllers, an empty v2 tree at /sys/fs/cgroup/unified", LSM: "none", LSMNote: "no LSM is active"},
		SnapshotFunc: func(pid int) (inspect.Snapshot, bool) { return eng.snapshot(pid), true },
	}
}

// snapshot is what /proc would say about pid: one of e's children, or procbox.
func (e *fakeEngine) snapshot(pid int) inspect.Snapshot {
	sn := inspect.Snapshot{PID: pid, PPID: 1, Comm: "procbox", Priority: 20, Policy: "SCHED_OTHER", User: "root", LSM: "none",
		Memory: inspect.Memory{RSSBytes: 1 << 20, VSizeBytes: 8 << 20, Kinds: []inspect.MemoryKind{{Kind: "text", Count: 1, SizeBytes: 1 << 20}, {Kind: "stack", Count: 1, SizeBytes: 132 << 10}}},
		Caps:   inspect.Capabilities{Effective: allCaps, Permitted: allCaps, Bounding: allCaps},
		Env:    map[string]string{"PATH": "/usr/bin", "HOME": "/root"},
	}
	if e != nil {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, c := range e.started {
			c.mu.Lock()
			if c.pid == pid && !c.stopped {
				sn.PPID, sn.Comm = 4000, "sleeper"
				sn.Nice, sn.Priority = c.nice, 20+c.nice
				for i := 0; i < c.fds; i++ {
					sn.FDs = append(sn.FDs, inspect.FD{FD: i, Target: "/dev/null"})
				}
				sn.Caps.Effective = slices.DeleteFunc(slices.Clone(allCaps), func(s string) bool { return slices.Contains(c.spec.DropCaps, s) })
			}
			c.mu.Unlock()
		}
	}
	return sn
}

// memStore is an in-memory ProgressStore.
type memStore struct {
	mu    sync.Mutex
	p     common.Progress
	saves int
}

func (m *memStore) Load() (common.Progress, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.p, nil
}
func (m *memStore) Save(p common.Progress) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.p, m.saves = p, m.saves+1
	return nil
}

// fixture drives a Model synchronously on the fakes.
type fixture struct {
	t     *testing.T
	m     *Model
	eng   *fakeEngine
	store *memStore
	clock *uitest.Clock
}

func newFixture(t *testing.T, lesson string, presenter bool, p common.Progress) *fixture {
	t.Helper()
	clock := uitest.NewClock(testT0)
	eng := &fakeEngine{clock: clock}
	store := &memStore{p: p}
	d := common.Deps{Inspector: fakeInspector(eng), Lab: eng, Progress: store, Clock: clock, Styles: common.NewStyles(true, true)}
	f := &fixture{t: t, m: New(d, lesson, presenter), eng: eng, store: store, clock: clock}
	f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 38})
	f.run(f.m.Init())
	t.Cleanup(func() {
		if c := f.m.Close(); c != nil {
			c()
		}
		if n := eng.running(); n != 0 {
			t.Errorf("%d demo children still running after Close", n)
		}
	})
	return f
}

// run executes cmd and everything it leads to, like the event loop would.
func (f *fixture) run(cmd tea.Cmd) {
	f.t.Helper()
	uitest.New(f.t, func(msg tea.Msg) tea.Cmd { _, next := f.m.Update(msg); return next }, nil).Run(cmd)
}

func (f *fixture) press(keys ...string) {
	f.t.Helper()
	for _, k := range keys {
		_, cmd := f.m.Update(uitest.KeyPress(k))
		f.run(cmd)
	}
}

// goTo jumps to lesson id, step si, as n/p would.
func (f *fixture) goTo(id string, si int) {
	f.t.Helper()
	li := f.m.lessonIndex(id)
	if li < 0 {
		f.t.Fatalf("no lesson %s", id)
	}
	f.run(f.m.goTo(li, si))
}

func teaSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
