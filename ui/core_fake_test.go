package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"procbox/inspect"
)

// coreNow is the frozen time of every core UI test.
var coreNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// coreClock is a fake clock: fixed time, and ticks that never fire on their
// own (tests send the tick messages themselves), so no test ever sleeps.
type coreClock struct{ now time.Time }

func (c coreClock) Now() time.Time { return c.now }

func (c coreClock) Tick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// coreInspector is a fake Inspector over a fixed set of processes.
type coreInspector struct {
	mu       sync.Mutex
	rows     []inspect.ProcRow
	snaps    map[int]inspect.Snapshot
	errs     map[int]error
	secrets  map[string]string // unmasked env values by name
	report   inspect.HostReport
	tableErr error
	tables   int // how many times Table was called
}

func (f *coreInspector) Table() ([]inspect.ProcRow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tables++
	if f.tableErr != nil {
		return nil, f.tableErr
	}
	return append([]inspect.ProcRow(nil), f.rows...), nil
}

func (f *coreInspector) Snapshot(pid int) (inspect.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err, ok := f.errs[pid]; ok {
		return inspect.Snapshot{}, err
	}
	s, ok := f.snaps[pid]
	if !ok {
		return inspect.Snapshot{}, fmt.Errorf("pid %d: %w", pid, inspect.ErrGone)
	}
	return s, nil
}

func (f *coreInspector) Doctor() inspect.HostReport { return f.report }

func (f *coreInspector) RevealEnv(pid int, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.secrets[name]; ok {
		return v, nil
	}
	return f.snaps[pid].Env[name], nil
}

// setErr makes pid fail with err from now on.
func (f *coreInspector) setErr(pid int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[pid] = err
}

// coreRows is the fake process table: a host with a shell, a sleeping child,
// a docker container, and a process whose files are not readable.
func coreRows() []inspect.ProcRow {
	return []inspect.ProcRow{
		{PID: 1, PPID: 0, UID: 0, User: "root", State: "S", Comm: "systemd", Cmdline: "/sbin/init", RSSBytes: 12 << 20, Threads: 1},
		{PID: 2, PPID: 0, UID: 0, User: "root", State: "S", Comm: "kthreadd", RSSBytes: 0, Threads: 1},
		{PID: 100, PPID: 1, UID: 0, User: "root", State: "S", Comm: "sshd", Cmdline: "sshd: /usr/sbin/sshd -D", RSSBytes: 7 << 20, Threads: 1},
		{PID: 200, PPID: 100, UID: 1000, User: "alice", State: "S", Comm: "bash", Cmdline: "-bash", RSSBytes: 5 << 20, Threads: 1},
		{PID: 300, PPID: 200, UID: 1000, User: "alice", State: "S", Comm: "sleep", Cmdline: "sleep 300", RSSBytes: 900 << 10, Threads: 1},
		{PID: 400, PPID: 1, UID: 0, User: "root", Nice: -5, State: "S", Comm: "nginx", Cmdline: "nginx: master process nginx -g daemon off;", RSSBytes: 40 << 20, Threads: 4, Container: "docker"},
		{PID: 401, PPID: 400, UID: 33, User: "www-data", State: "R", Comm: "nginx", Cmdline: "nginx: worker process", RSSBytes: 30 << 20, Threads: 2, Container: "docker"},
		{PID: 500, PPID: 1, UID: 1001, User: "bob", Nice: 10, State: "S", Comm: "python3", Cmdline: "python3 app.py --port 8080", RSSBytes: 300 << 20, Threads: 12},
	}
}

var allCaps = func() []string { return append([]string(nil), capOrder...) }()

// coreSnapPlain is PID 300: a plain host process.
func coreSnapPlain() inspect.Snapshot {
	host := func(ino uint64) inspect.Namespace {
		return inspect.Namespace{Inode: ino, SharedWithHost: true, SharedWithSelf: true}
	}
	return inspect.Snapshot{
		PID: 300, PPID: 200, Comm: "sleep", Exe: "/usr/bin/sleep", Cmdline: []string{"sleep", "300"},
		State: "S", StartTime: coreNow.Add(-12 * time.Minute), Threads: 1,
		UIDs:   inspect.IDSet{Real: inspect.ID{ID: 1000, Name: "alice"}, Effective: inspect.ID{ID: 1000, Name: "alice"}, Saved: inspect.ID{ID: 1000, Name: "alice"}, FS: inspect.ID{ID: 1000, Name: "alice"}},
		GIDs:   inspect.IDSet{Real: inspect.ID{ID: 1000, Name: "alice"}, Effective: inspect.ID{ID: 1000, Name: "alice"}, Saved: inspect.ID{ID: 1000, Name: "alice"}, FS: inspect.ID{ID: 1000, Name: "alice"}},
		User:   "alice",
		Groups: []inspect.ID{{ID: 1000, Name: "alice"}, {ID: 27, Name: "sudo"}},
		Nice:   0, Priority: 20, Policy: "SCHED_OTHER",
		Namespaces: map[string]inspect.Namespace{
			"pid": host(4026531836), "mnt": host(4026531841), "net": host(4026531840), "uts": host(4026531838),
			"ipc": host(4026531839), "user": host(4026531837), "cgroup": host(4026531835), "time": host(4026531834),
		},
		NSReference: "procbox (pid 42)",
		UIDMap:      []inspect.IDMapping{{Inside: 0, Outside: 0, Count: 4294967295}},
		GIDMap:      []inspect.IDMapping{{Inside: 0, Outside: 0, Count: 4294967295}},
		Cgroups: []inspect.CgroupMembership{
			{HierarchyID: 4, Controllers: []string{"memory"}, Path: "/user.slice/user-1000.slice/session-3.scope"},
			{HierarchyID: 3, Controllers: []string{"pids"}, Path: "/user.slice/user-1000.slice/session-3.scope"},
			{HierarchyID: 0, Path: "/user.slice/user-1000.slice/session-3.scope"},
		},
		Limits:  inspect.Limits{MemoryMax: -1, MemoryCurrent: 300 << 20, PidsMax: 10813, PidsCurrent: 9, CPUMax: "max 100000", CgroupVersion: "v1"},
		Caps:    inspect.Capabilities{Bounding: allCaps},
		Seccomp: inspect.Seccomp{Mode: 0, Name: "disabled"},
		LSM:     "none",
		FDs: []inspect.FD{
			{FD: 0, Target: "/dev/pts/1", Kind: "tty"},
			{FD: 1, Target: "/dev/pts/1", Kind: "tty"},
			{FD: 2, Target: "/dev/pts/1", Kind: "tty"},
			{FD: 3, Target: "socket:[31337]", Kind: "socket", Detail: "tcp 127.0.0.1:8080 -> 0.0.0.0:0 LISTEN"},
			{FD: 4, Target: "pipe:[4242]", Kind: "pipe"},
		},
		Env: map[string]string{
			"HOME": "/home/alice", "LANG": "C.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin",
			"AWS_SECRET_ACCESS_KEY": "•••••• (masked)", "TERM": "xterm-256color",
		},
		Rlimits: []inspect.Rlimit{{Name: "Max open files", Soft: 1024, Hard: 524288, Units: "files"}},
		Memory: inspect.Memory{
			RSSBytes: 900 << 10, VSizeBytes: 8 << 20,
			Kinds: []inspect.MemoryKind{
				{Kind: "text", Count: 1, SizeBytes: 16 << 10}, {Kind: "heap", Count: 1, SizeBytes: 132 << 10},
				{Kind: "lib", Count: 12, SizeBytes: 2 << 20}, {Kind: "stack", Count: 1, SizeBytes: 132 << 10},
				{Kind: "vdso", Count: 1, SizeBytes: 8 << 10},
			},
			Maps: []inspect.MemoryMap{
				{Start: 0x55d0c0a00000, End: 0x55d0c0a04000, Perms: "r-xp", Path: "/usr/bin/sleep", Kind: "text"},
				{Start: 0x55d0c1200000, End: 0x55d0c1221000, Perms: "rw-p", Path: "[heap]", Kind: "heap"},
				{Start: 0x7ffd5e000000, End: 0x7ffd5e021000, Perms: "rw-p", Path: "[stack]", Kind: "stack"},
			},
		},
		Syscall: &inspect.Syscall{Number: 230, Name: "clock_nanosleep", Args: []uint64{0, 0, 0x7ffd5e01f0a0, 0x7ffd5e01f0a0, 0, 0}, SP: 0x7ffd5e01f068, PC: 0x7f3b2c4e57fa},
		Errors:  map[string]string{},
	}
}

// coreSnapDocker is PID 400: an nginx in a docker container.
func coreSnapDocker() inspect.Snapshot {
	s := coreSnapPlain()
	s.PID, s.PPID, s.Comm, s.Exe = 400, 1, "nginx", "/usr/sbin/nginx"
	s.Cmdline = []string{"nginx:", "master", "process", "nginx", "-g", "daemon off;"}
	s.User = "root"
	root := inspect.ID{ID: 0, Name: "root"}
	s.UIDs = inspect.IDSet{Real: root, Effective: root, Saved: root, FS: root}
	s.GIDs = s.UIDs
	s.Groups = nil
	s.Nice = -5
	s.Namespaces = map[string]inspect.Namespace{
		"pid": {Inode: 4026532201}, "mnt": {Inode: 4026532198}, "net": {Inode: 4026532204}, "uts": {Inode: 4026532199},
		"ipc": {Inode: 4026532200}, "user": {Inode: 4026531837, SharedWithHost: true, SharedWithSelf: true},
		"cgroup": {Inode: 4026532260}, "time": {Inode: 4026531834, SharedWithHost: true, SharedWithSelf: true},
	}
	s.Cgroups = []inspect.CgroupMembership{
		{HierarchyID: 4, Controllers: []string{"memory"}, Path: "/docker/3f2a9c1b7e6d5a4f"},
		{HierarchyID: 3, Controllers: []string{"pids"}, Path: "/docker/3f2a9c1b7e6d5a4f"},
	}
	s.Limits = inspect.Limits{MemoryMax: 64 << 20, MemoryCurrent: 60 << 20, PidsMax: 100, PidsCurrent: 5, CPUMax: "50000 100000", OOMKills: 1, NrThrottled: 7, ThrottledUsec: 120000, CgroupVersion: "v1"}
	s.Caps = inspect.Capabilities{
		Effective: []string{"cap_chown", "cap_net_bind_service", "cap_setuid", "cap_setgid", "cap_kill"},
		Permitted: []string{"cap_chown", "cap_net_bind_service", "cap_setuid", "cap_setgid", "cap_kill"},
		Bounding:  []string{"cap_chown", "cap_net_bind_service", "cap_setuid", "cap_setgid", "cap_kill"},
	}
	s.Seccomp = inspect.Seccomp{Mode: 2, Filters: 1, Name: "filter"}
	s.NoNewPrivs = true
	s.LSM = "docker-default (enforce)"
	s.Container = inspect.Container{IsolatedNamespaces: []string{"pid", "mnt", "net", "uts", "ipc", "cgroup"}, Runtime: "docker", ID: "3f2a9c1b7e6d5a4f"}
	return s
}

// coreSnapDenied is PID 500: readable, but its files and environment are not.
func coreSnapDenied() inspect.Snapshot {
	s := coreSnapPlain()
	s.PID, s.PPID, s.Comm, s.User = 500, 1, "python3", "bob"
	s.Cmdline = []string{"python3", "app.py", "--port", "8080"}
	s.FDs, s.Env, s.Syscall = nil, nil, nil
	s.Errors = map[string]string{
		"fds":     "permission denied: needs root or the same user",
		"env":     "permission denied: needs root or the same user",
		"syscall": "permission denied: needs root or the same user",
	}
	return s
}

// newCoreInspector builds the fake host.
func newCoreInspector() *coreInspector {
	return &coreInspector{
		rows:    coreRows(),
		snaps:   map[int]inspect.Snapshot{300: coreSnapPlain(), 400: coreSnapDocker(), 500: coreSnapDenied()},
		errs:    map[int]error{998: fmt.Errorf("pid 998: %w", inspect.ErrDenied)},
		secrets: map[string]string{"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-example"},
		report: inspect.HostReport{
			Root: true, UID: 0, Kernel: "6.1.0", CgroupMode: "hybrid", LSM: "none",
			UserNSUnpriv: inspect.Feature{Name: "user namespaces", Available: true},
			Seccomp:      inspect.Feature{Name: "seccomp", Available: true},
			NSReference:  "procbox (pid 42)",
		},
	}
}

// coreDeps builds Deps over the fake inspector, frozen clock, monochrome styles.
func coreDeps(in *coreInspector) Deps {
	return Deps{Inspector: in, Clock: coreClock{now: coreNow}, Styles: NewStyles(true, true)}
}

// coreDriver runs a root model the way tea does, but synchronously: every
// command is run at once and its message fed back, until nothing is left.
type coreDriver struct {
	t    testing.TB
	m    tea.Model
	quit bool
}

func newCoreDriver(t testing.TB, d Deps, s screen, w, h int) *coreDriver {
	t.Helper()
	dr := &coreDriver{t: t, m: newRoot(d, s)}
	dr.run(dr.m.Init())
	dr.send(tea.WindowSizeMsg{Width: w, Height: h})
	return dr
}

// send delivers msg and runs every command that follows from it.
func (d *coreDriver) send(msg tea.Msg) {
	d.t.Helper()
	m, cmd := d.m.Update(msg)
	d.m = m
	d.run(cmd)
}

// run runs cmd and its descendants; it stops after a bound so a bug that
// loops shows up as a failure, not a hang.
func (d *coreDriver) run(cmd tea.Cmd) {
	d.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			d.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			d.quit = true
		default:
			m, next := d.m.Update(msg)
			d.m = m
			queue = append(queue, next)
		}
	}
}

// keys types each key: names like "enter", "tab", "esc", or single characters.
func (d *coreDriver) keys(ks ...string) {
	d.t.Helper()
	for _, k := range ks {
		d.send(keyPress(k))
	}
}

// typeText types s one character at a time.
func (d *coreDriver) typeText(s string) {
	d.t.Helper()
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (d *coreDriver) root() rootModel { return d.m.(rootModel) }

// view is the stripped window.
func (d *coreDriver) view() string { return ansi.Strip(d.root().render()) }

// top is the screen on top of the stack.
func (d *coreDriver) top() screen { return d.root().top() }

// checkFits fails if any line of the view is wider than w or there are more than h lines.
func checkFits(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines, more than %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, lw, w, l)
		}
	}
}
