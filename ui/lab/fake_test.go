package lab

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
	"procbox/internal/units"
	"procbox/isolate"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

// rootReport is a doctor report for root on a host that allows everything.
func rootReport() inspect.HostReport {
	r := inspect.HostReport{Root: true, CgroupMode: "hybrid",
		Controllers: []string{"cpu", "memory", "pids"},
		Seccomp:     inspect.Feature{Name: "seccomp", Available: true},
	}
	for _, ns := range isolate.AllNamespaces {
		r.Namespaces = append(r.Namespaces, inspect.Feature{Name: ns, Available: true})
	}
	r.TimeNamespace = inspect.Feature{Name: "time", Available: true}
	return r
}

// fakeEngine records every Start and hands out one fake child.
type fakeEngine struct {
	mu       sync.Mutex
	started  []isolate.Spec
	startErr error
	child    *fakeChild
}

func (e *fakeEngine) Start(spec isolate.Spec) (common.LabChild, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.started = append(e.started, spec)
	if e.startErr != nil {
		return nil, e.startErr
	}
	e.child = &fakeChild{pid: 4242, spec: spec}
	return e.child, nil
}

func (e *fakeEngine) Explain(spec isolate.Spec) []isolate.Step { return fakeSteps(spec) }

// fakeChild answers the Lab's probes from fixtures that follow its Spec,
// records every Apply, and fails the test if two Applies overlap.
type fakeChild struct {
	mu       sync.Mutex
	pid      int
	spec     isolate.Spec
	applied  []isolate.Spec
	applyErr error
	// recreateErr fails a re-create after the old child is gone, like a
	// real engine whose new child could not start.
	recreateErr error
	inApply     int
	overlap     bool
	oomKills    int64
	stopped     int
	exps        []string
	// staleCause, when set, is the Cause of every limit outcome, as a real
	// child reports the limits it was started with.
	staleCause string
	reads      int // ChildView calls
}

// viewReads is how many times the child's view was read.
func (c *fakeChild) viewReads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

func (c *fakeChild) PID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pid
}

func (c *fakeChild) Spec() isolate.Spec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spec
}

func (c *fakeChild) Apply(spec isolate.Spec) (isolate.Change, error) {
	c.mu.Lock()
	c.inApply++
	if c.inApply > 1 {
		c.overlap = true
	}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inApply--
		c.mu.Unlock()
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.applied = append(c.applied, spec)
	if c.applyErr != nil {
		return isolate.Change{}, c.applyErr
	}
	old := c.spec
	if c.recreateErr != nil && !slices.Equal(old.Namespaces, spec.Namespaces) {
		return isolate.Change{Recreate: true, OldPID: c.pid}, c.recreateErr
	}
	c.spec = spec
	if !slices.Equal(old.Namespaces, spec.Namespaces) || old.Hostname != spec.Hostname {
		oldPID := c.pid
		c.pid++
		return isolate.Change{Recreate: true, What: "re-created the child",
			Why:    "a new pid namespace only applies to new processes",
			OldPID: oldPID, NewPID: c.pid}, nil
	}
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

// hostCaps is the host's effective set in the fixtures.
var hostCaps = append(slices.Clone(capChoices), "cap_syslog", "cap_bpf")

func (c *fakeChild) HostView() (isolate.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := fakeBaseView("host", c.spec, c.oomKills)
	v.PID = c.pid
	return v, nil
}

func (c *fakeChild) ChildView() (isolate.View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	s := c.spec
	v := fakeBaseView("child", s, c.oomKills)
	v.PID = c.pid
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
	if s.Has(isolate.NSUser) {
		v.UIDMap = "0 0 1"
	}
	if s.Has(isolate.NSIPC) {
		v.IPC = isolate.IPCObjects{}
	}
	if s.Has(isolate.NSCgroup) {
		v.CgroupPath = "/"
	}
	if s.Has(isolate.NSTime) {
		v.Monotonic += s.TimeOffset
		v.Boottime += s.TimeOffset
	}
	caps := slices.Clone(hostCaps)
	if slices.Contains(s.DropCaps, capAll) {
		caps = nil
	}
	caps = slices.DeleteFunc(caps, func(c string) bool { return slices.Contains(s.DropCaps, c) })
	v.CapEff = caps
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

// fakeBaseView is what the host sees; the child starts from the same.
func fakeBaseView(side string, s isolate.Spec, ooms int64) isolate.View {
	v := isolate.View{
		Side: side, Hostname: "devbox", ProcCount: 131,
		Procs: []string{"1 systemd", "2 kthreadd", "412 sshd"},
		Interfaces: []isolate.Interface{{Name: "lo", Up: true, Addrs: []string{"127.0.0.1/8"}},
			{Name: "eth0", Up: true, Addrs: []string{"10.0.2.15/24"}}},
		MountRoot: "/dev/sda1", MountCount: 31, UIDMap: "0 0 4294967295",
		IPC:        isolate.IPCObjects{SharedMem: 2},
		CgroupPath: "/procbox-4242",
		CapEff:     slices.Clone(hostCaps),
		NSInodes:   map[string]uint64{},
		Monotonic:  3*time.Hour + 12*time.Minute, Boottime: 3*time.Hour + 13*time.Minute,
		Limits: isolate.CgroupStats{Version: "v1", MemoryMax: -1, MemoryCurrent: 3 << 20,
			PidsMax: -1, PidsCurrent: 1, CPUQuotaUsec: -1, CPUPeriodUsec: 100000,
			CPUUsageUsec: 40000, OOMKills: ooms},
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

// expCaps is the capability each privileged experiment needs.
var expCaps = map[string]string{
	isolate.ExpChown: "cap_chown", isolate.ExpBind80: "cap_net_bind_service",
	isolate.ExpRawSocket: "cap_net_raw", isolate.ExpMount: "cap_sys_admin",
	isolate.ExpHostname: "cap_sys_admin",
}

// expSyscalls is the syscall each experiment makes, for seccomp.
var expSyscalls = map[string]string{
	isolate.ExpChown: "fchownat", isolate.ExpMount: "mount", isolate.ExpHostname: "sethostname",
	isolate.ExpMkdir: "mkdirat", isolate.ExpKillHost: "kill", isolate.ExpBind80: "bind",
	isolate.ExpRawSocket: "socket",
}

func (c *fakeChild) Experiment(name string) (isolate.Outcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exps = append(c.exps, name)
	s := c.spec
	o := isolate.Outcome{Experiment: name, Allowed: true, Duration: 3 * time.Second}
	switch name {
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
			c.oomKills++
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
	if sc := expSyscalls[name]; sc != "" && slices.Contains(s.Seccomp, sc) {
		o.Allowed, o.Errno, o.Cause, o.Summary = false, "EPERM", "seccomp "+sc, sc+" returned EPERM"
		return o, nil
	}
	if cp := expCaps[name]; cp != "" && (slices.Contains(s.DropCaps, cp) || slices.Contains(s.DropCaps, capAll)) {
		o.Allowed, o.Errno, o.Cause, o.Summary = false, "EPERM", "drop "+cp, "the kernel refused: no "+cp
		return o, nil
	}
	o.Summary = "it worked"
	return o, nil
}

func (c *fakeChild) ShellCmd() *exec.Cmd { return exec.Command("/bin/true") }

func (c *fakeChild) Registers() (isolate.Registers, error) {
	return isolate.Registers{}, errors.New("not in the fake")
}

func (c *fakeChild) Steps() []isolate.Step {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fakeSteps(c.spec)
}

func (c *fakeChild) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped++
	return nil
}

// fakeSteps are the equivalent shell commands of a spec.
func fakeSteps(s isolate.Spec) []isolate.Step {
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

// fixture is a Lab wired to fakes, with its child already started.
type fixture struct {
	t   *testing.T
	m   *Model
	eng *fakeEngine
}

var testT0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// newFixture builds a Lab on fakes and runs its Init to completion.
func newFixture(t *testing.T, spec isolate.Spec) *fixture {
	t.Helper()
	eng := &fakeEngine{}
	d := common.Deps{
		Inspector: &uitest.Inspector{Report: rootReport()},
		Lab:       eng,
		Clock:     uitest.NewClock(testT0),
		Styles:    common.NewStyles(true, true),
	}
	f := &fixture{t: t, m: New(d, spec), eng: eng}
	f.run(f.m.Init())
	return f
}

// run executes cmd synchronously and feeds every message back into the
// model, like the Bubble Tea loop would, until nothing is left.
func (f *fixture) run(cmd tea.Cmd) {
	f.t.Helper()
	uitest.New(f.t, func(msg tea.Msg) tea.Cmd { _, next := f.m.Update(msg); return next }, nil).Run(cmd)
}

// press sends one key and runs what it started to completion.
func (f *fixture) press(keys ...string) {
	f.t.Helper()
	for _, k := range keys {
		_, cmd := f.m.Update(uitest.KeyPress(k))
		f.run(cmd)
	}
}

// typeText types s into an edit field.
func (f *fixture) typeText(s string) {
	f.t.Helper()
	for _, r := range s {
		_, cmd := f.m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		f.run(cmd)
	}
}

// goTo puts the switch cursor on the row with label.
func (f *fixture) goTo(label string) {
	f.t.Helper()
	for i, sw := range f.m.switches {
		if sw.label == label {
			f.m.focus = focusSwitches
			f.m.cursor = i
			return
		}
	}
	f.t.Fatalf("no switch %q", label)
}

// lastApplied is the spec of the last Apply, failing if there was none.
func (f *fixture) lastApplied() isolate.Spec {
	f.t.Helper()
	c := f.eng.child
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.applied) == 0 {
		f.t.Fatal("Apply was never called")
	}
	return c.applied[len(c.applied)-1]
}

// logText is the whole event log, one entry a line.
func (f *fixture) logText() string {
	var b []byte
	for _, e := range f.m.log {
		b = append(b, e.text...)
		b = append(b, '\n')
	}
	return string(b)
}
