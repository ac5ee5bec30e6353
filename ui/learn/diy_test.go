package learn

import (
	"os/exec"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"procbox/isolate"
	"procbox/lessons"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

// fakeShells stands in for cmd/procbox's learner shell: it records what it
// was asked and hands back the trace the test sets.
type fakeShells struct {
	skip  int
	intro string
	trace isolate.ShellTrace
}

func (f *fakeShells) Shell(skip int, intro string) (*exec.Cmd, func() isolate.ShellTrace, error) {
	f.skip, f.intro = skip, intro
	return exec.Command("/bin/true"), func() isolate.ShellTrace { return f.trace }, nil
}

func stepIndex(t *testing.T, lesson, step string) int {
	l, _ := lessons.Find(lesson)
	for i, s := range l.Steps {
		if s.ID == step {
			return i
		}
	}
	t.Fatalf("no step %s/%s", lesson, step)
	return -1
}

// byHand does the step by hand: s opens a (fake) shell of the learner's,
// who leaves it having done what tr records.
func (f *fixture) byHand(tr isolate.ShellTrace) {
	f.t.Helper()
	sh := &fakeShells{trace: tr}
	f.m.deps.Shells = sh
	f.press("s")
	f.leaveShell(sh)
}

// leaveShell is what the event loop does when the learner exits the shell.
func (f *fixture) leaveShell(sh *fakeShells) {
	f.t.Helper()
	f.run(func() tea.Msg { return diyExitedMsg{gen: f.m.gen, done: func() isolate.ShellTrace { return sh.trace }} })
}

// TestLearnDIY: s opens the learner's own shell (not the demo child's), the
// check reads what the shell's processes became, and the step records that
// it passed by hand.
func TestLearnDIY(t *testing.T) {
	f := newFixture(t, "namespaces", false, common.Progress{})
	sh := &fakeShells{}
	f.m.deps.Shells = sh
	f.goTo("namespaces", stepIndex(t, "namespaces", "uts"))
	if v := f.view(80, 24); !strings.Contains(v, "▶ s do it yourself: unshare --uts sh") {
		t.Errorf("the do-it-yourself line is not on screen at 80×24:\n%s", v)
	}
	demo := f.m.child.PID()
	_, cmd := f.m.Update(uitest.KeyPress("s"))
	f.run(cmd)
	if sh.skip != demo || !strings.Contains(sh.intro, "hostname learner") {
		t.Errorf("shell asked with skip %d (demo child %d), intro %q", sh.skip, demo, sh.intro)
	}
	if !strings.Contains(f.m.busy, "your shell") {
		t.Errorf("busy = %q while the shell runs", f.m.busy)
	}

	// The learner typed nothing: a plain shell like procbox itself.
	host := isolate.Observed{PID: 100, Comm: "procbox", Hostname: "workshop", NSInodes: map[string]uint64{"uts": 1}}
	plain := host
	plain.PID, plain.Comm = 101, "bash"
	sh.trace = isolate.ShellTrace{Host: host, Procs: []isolate.Observed{plain}}
	f.leaveShell(sh)
	if f.m.result == nil || f.m.result.Passed || f.m.busy != "" {
		t.Fatalf("an untouched shell passed (or is still busy): %+v busy %q", f.m.result, f.m.busy)
	}

	// Now with what unshare --uts sh; hostname learner makes.
	f.run(f.m.diy())
	did := plain
	did.PID, did.Comm, did.Hostname, did.NSInodes = 102, "sh", "learner", map[string]uint64{"uts": 2}
	sh.trace = isolate.ShellTrace{Host: host, Procs: []isolate.Observed{plain, did}}
	f.leaveShell(sh)
	if f.m.result == nil || !f.m.result.Passed {
		t.Fatalf("the learner's own UTS namespace did not pass: %+v", f.m.result)
	}
	key := lessons.Key("namespaces", "uts")
	if got := f.store.p.Via[key]; got != lessons.PathShell || !f.store.p.Completed[key] {
		t.Errorf("saved progress: via %q, completed %v; want shell, true", got, f.store.p.Completed[key])
	}
	v := f.view(120, 38)
	if !strings.Contains(v, "passed by hand") || !strings.Contains(v, "102 sh: own uts ns; hostname learner") {
		t.Errorf("the view does not say the shell passed, or what it did:\n%s", v)
	}

	// The show-me path records itself as such.
	f.press("a")
	if got := f.store.p.Via[key]; got != lessons.PathShow {
		t.Errorf("after a, via = %q, want show", got)
	}
}

func TestLearnDIYUnavailable(t *testing.T) {
	f := newFixture(t, "process", false, common.Progress{})
	f.press("s")
	if f.m.result == nil || !strings.Contains(f.m.result.Missing, "no do-it-yourself path") {
		t.Errorf("s on a step without a shell path: %+v", f.m.result)
	}
	f.goTo("namespaces", 0)
	f.press("s")
	if f.m.result == nil || !strings.Contains(f.m.result.Missing, "no shell of your own here") {
		t.Errorf("s without a ShellStarter: %+v", f.m.result)
	}
}

// byHandTrace is what the by-hand lesson's commands make of the learner's
// shell, step by step (the real thing is TestByHandLesson in cmd/procbox).
func byHandTrace(step string) isolate.ShellTrace {
	caps := []string{"cap_chown", "cap_net_raw", "cap_sys_admin"}
	host := isolate.Observed{PID: 100, Comm: "procbox", Hostname: "workshop",
		NSInodes: map[string]uint64{"pid": 1, "mnt": 2, "uts": 3, "ipc": 4, "net": 5, "user": 6},
		Mounts:   []string{"/ ext4 /dev/vda1"}, CapBnd: caps, CapEff: caps,
		Limits: isolate.CgroupStats{PidsMax: -1, MemoryMax: -1, CPUQuotaUsec: -1}}
	p := host
	p.PID, p.InnerPID, p.Comm = 101, 101, "bash"
	switch step {
	case "layers":
		p.Mounts = append(p.Mounts, "/tmp/learner/root overlay learner")
	case "cgroup":
		p.Limits.PidsMax = 32
	case "nsenter":
		p.NSInodes = map[string]uint64{"pid": 1, "mnt": 2, "uts": 13, "ipc": 4, "net": 5}
		p.Hostname = "kept-alive"
	case "userns":
		p.NSInodes = map[string]uint64{"pid": 1, "mnt": 2, "uts": 13, "ipc": 4, "net": 5, "user": 16}
		p.Hostname = "yes"
	case "veth":
		p.NSInodes = map[string]uint64{"pid": 1, "mnt": 2, "uts": 3, "ipc": 4, "net": 15}
		p.Interfaces = []isolate.Interface{{Name: "lrn1", Up: true, Addrs: []string{"10.199.0.2/24"}}}
	case "bridge", "nat":
		// The container's sleep: routed via the bridge, its connections in
		// TIME_WAIT; the host's side is gathered in HostNet.
		p.Comm = "sleep"
		p.NSInodes = map[string]uint64{"pid": 1, "mnt": 2, "uts": 3, "ipc": 4, "net": 15}
		p.Routes = []isolate.Route{{Dst: "default", Via: "10.199.1.1", Dev: "eth0"}}
		p.Conns = []isolate.Conn{{Local: "10.199.1.2:41000", Remote: "10.199.1.1:8000", State: "TIME_WAIT"},
			{Local: "10.199.1.2:41001", Remote: "10.199.2.2:9000", State: "TIME_WAIT"},
			{Local: "10.199.1.2:80", Remote: "10.199.2.2:52200", State: "TIME_WAIT"}}
		return isolate.ShellTrace{Host: host, Procs: []isolate.Observed{p}, HostNet: isolate.HostNet{
			Links: []isolate.Interface{{Name: "pbxbr0", Kind: "bridge", Addrs: []string{"10.199.1.1/24"}},
				{Name: "pbxveth0", Kind: "veth", Master: "pbxbr0"}},
			Forwarding: true,
			NAT: []string{"-A POSTROUTING -s 10.199.1.0/24 ! -o pbxbr0 -j MASQUERADE",
				"-A PREROUTING -i pbxout0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.199.1.2:80"},
		}}
	case "nnp":
		p.NoNewPrivs = true
	case "reap":
		p.InnerPID = 1
		p.NSInodes = map[string]uint64{"pid": 11, "mnt": 2, "uts": 3, "ipc": 4, "net": 5}
		z := host
		z.PID, z.Comm, z.State = 102, "sleep", "Z"
		return isolate.ShellTrace{Host: host, Procs: []isolate.Observed{p, z}}
	case "v2":
		p.Unified = isolate.UnifiedGroup{Path: "/learner-101/leaf", CPUUsageUsec: 2_400_000, CPUSomeUsec: 700_000}
	case "runc", "defaults":
		p.Comm, p.InnerPID, p.Hostname, p.Container = "sh", 1, "runc", "runc learner-oci-101"
		p.NSInodes = map[string]uint64{"pid": 11, "mnt": 12, "uts": 13, "ipc": 14, "net": 15, "user": 6}
		p.CapBnd = []string{"cap_kill", "cap_net_bind_service", "cap_audit_write"}
		p.CapEff, p.NoNewPrivs = p.CapBnd, true
		if step == "defaults" {
			p.Seccomp = 2
		}
	case "enter":
		p.Comm, p.InnerPID = "sh", 1
		p.NSInodes = map[string]uint64{"pid": 11, "mnt": 12, "uts": 13, "ipc": 14, "net": 15}
		p.Mounts = []string{"/ overlay learner", "/proc proc proc"}
		p.Limits.PidsMax = 32
		p.CapBnd, p.CapEff = []string{"cap_chown"}, []string{"cap_chown"}
	}
	return isolate.ShellTrace{Host: host, Procs: []isolate.Observed{p}}
}

// TestOneReading: where the child shares a namespace with the host, the
// columns show one reading; where it has its own, each side keeps its own.
func TestOneReading(t *testing.T) {
	h := isolate.View{ProcCount: 97, MountCount: 31, IPC: isolate.IPCObjects{Queues: 2},
		NSInodes: map[string]uint64{"pid": 1, "mnt": 2, "net": 3, "ipc": 4}}
	c := isolate.View{ProcCount: 95, MountCount: 30, IPC: isolate.IPCObjects{Queues: 1},
		NSInodes: map[string]uint64{"pid": 1, "mnt": 2, "net": 3, "ipc": 40}}
	oneReading(&h, &c)
	if c.ProcCount != 97 || c.MountCount != 31 {
		t.Errorf("shared pid and mnt namespaces still read %d|%d processes, %d|%d mounts", h.ProcCount, c.ProcCount, h.MountCount, c.MountCount)
	}
	if c.IPC.Queues != 1 {
		t.Errorf("the child's own IPC namespace was overwritten with the host's")
	}
}

// TestByHandPanelAt80 is the by-hand container seen at 80×24, as on a
// cgroup v1 host: its memory group is procbox's own, so the pids group the
// learner made shows only in its limit. The panel names every part the text
// promises (namespaces, PID 1, the overlay, the pids limit, the lost
// capabilities) and is not cut before the last.
func TestByHandPanelAt80(t *testing.T) {
	f := newFixture(t, "byhand", false, common.Progress{})
	f.goTo("byhand", stepIndex(t, "byhand", "enter"))
	tr := byHandTrace("enter")
	tr.Procs[0].Hostname = "learner-box"
	tr.Procs[0].Mounts = []string{"/ overlay learner"}
	f.byHand(tr)
	f.press("tab")
	v := strings.Join(strings.Fields(f.view(80, 24)), " ")
	for _, want := range []string{"1 process seen while it ran", "PID 1 inside", "hostname learner-box", "1 mount the host lacks (/ overlay learner)", "pids.max 32", "without cap_net_raw,cap_sys_admin"} {
		if !strings.Contains(v, want) {
			t.Errorf("the panel at 80×24 lacks %q:\n%s", want, f.view(80, 24))
		}
	}
}

// TestRuncContainerPanel: the learner's runc container in the panel at
// 80×24 names its runtime and id, its own namespaces, PID 1, and the
// capabilities config.json kept (not the dozens it dropped), with its
// no_new_privs and seccomp filter.
func TestRuncContainerPanel(t *testing.T) {
	f := newFixture(t, "runtimes", false, common.Progress{})
	f.goTo("runtimes", stepIndex(t, "runtimes", "defaults"))
	tr := byHandTrace("defaults")
	tr.Host.CapBnd = append(tr.Host.CapBnd, "cap_kill", "cap_net_bind_service", "cap_audit_write", "cap_setuid", "cap_setgid",
		"cap_fowner", "cap_fsetid", "cap_mknod", "cap_setpcap", "cap_setfcap", "cap_sys_chroot", "cap_dac_override")
	f.byHand(tr)
	f.press("tab")
	v := strings.Join(strings.Fields(f.view(80, 24)), " ")
	for _, want := range []string{"runc learner-oci-101", "own pid,net,mnt,uts,ipc ns", "PID 1 inside", "hostname runc",
		"only cap_kill,cap_net_bind_service,cap_audit_write", "no_new_privs", "seccomp 2"} {
		if !strings.Contains(v, want) {
			t.Errorf("the panel at 80×24 lacks %q:\n%s", want, f.view(80, 24))
		}
	}
}

// TestCgroupV2Panel: the learner's v2 group in the panel, with the CPU it
// used and the time its tasks waited.
func TestCgroupV2Panel(t *testing.T) {
	f := newFixture(t, "cgroups", false, common.Progress{})
	f.goTo("cgroups", stepIndex(t, "cgroups", "v2"))
	f.byHand(byHandTrace("v2"))
	f.press("tab")
	v := strings.Join(strings.Fields(f.view(80, 24)), " ")
	if want := "v2 group /learner-101/leaf, cpu 2.4 s, waited 0.7 s"; !strings.Contains(v, want) {
		t.Errorf("the panel at 80×24 lacks %q:\n%s", want, f.view(80, 24))
	}
}
