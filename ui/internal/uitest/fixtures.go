package uitest

import (
	"fmt"
	"time"

	"procbox/inspect"
	"procbox/isolate"
)

// Now is the frozen time of every UI test that does not set its own.
var Now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// Rows is the fake process table: a host with a shell, a sleeping child,
// a docker container, and a process whose files are not readable.
func Rows() []inspect.ProcRow {
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

// allCaps is every capability this build knows, as the bounding set of a
// process that dropped none.
var allCaps = func() []string {
	all, _ := isolate.ParseCaps("all")
	return all
}()

// SnapPlain is PID 300: a plain host process.
func SnapPlain() inspect.Snapshot {
	host := func(ino uint64) inspect.Namespace {
		return inspect.Namespace{Inode: ino, SharedWithHost: true, SharedWithSelf: true}
	}
	return inspect.Snapshot{
		PID: 300, PPID: 200, Comm: "sleep", Exe: "/usr/bin/sleep", Cmdline: []string{"sleep", "300"},
		State: "S", StartTime: Now.Add(-12 * time.Minute), Threads: 1,
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

// SnapDocker is PID 400: an nginx in a docker container.
func SnapDocker() inspect.Snapshot {
	s := SnapPlain()
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

// SnapDenied is PID 500: readable, but its files and environment are not.
func SnapDenied() inspect.Snapshot {
	s := SnapPlain()
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

// SnapUnreadable is PID 600 as a normal user sees a root process started by
// `unshare --pid --net --uts --ipc --mount`: its namespaces (and files, and
// environment) answer EACCES, so nothing says whether it is isolated.
func SnapUnreadable() inspect.Snapshot {
	s := SnapPlain()
	s.PID, s.PPID, s.Comm, s.User = 600, 1, "sleep", "root"
	s.Namespaces, s.FDs, s.Env, s.Syscall, s.UIDMap, s.GIDMap = nil, nil, nil, nil, nil, nil
	denied := "permission denied: needs root or the same user"
	s.Container = inspect.Container{Isolation: "unknown", Why: "cannot read /proc/600/ns: " + denied}
	s.Errors = map[string]string{"namespaces": denied, "uid_map": denied, "gid_map": denied, "fds": denied, "env": denied, "syscall": denied}
	return s
}

// SnapKernelThread is PID 2, kthreadd: no executable, no command line, and
// /proc/2/syscall reads as zeros.
func SnapKernelThread() inspect.Snapshot {
	s := SnapPlain()
	s.PID, s.PPID, s.Comm, s.User, s.Exe, s.Cmdline = 2, 0, "kthreadd", "root", "", nil
	s.KernelThread = true
	s.Container = inspect.Container{Isolation: "kernel_thread"}
	s.FDs, s.Env, s.Memory = nil, nil, inspect.Memory{}
	s.Syscall = &inspect.Syscall{Number: -1}
	return s
}

// NewInspector builds the fake host.
func NewInspector() *Inspector {
	return &Inspector{
		ProcRows:      Rows(),
		Snaps:         map[int]inspect.Snapshot{2: SnapKernelThread(), 300: SnapPlain(), 400: SnapDocker(), 500: SnapDenied(), 600: SnapUnreadable()},
		Errs:          map[int]error{998: fmt.Errorf("pid 998: %w", inspect.ErrDenied)},
		Secrets:       map[string]string{"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-example"},
		MemTotalBytes: 4 << 30,
		Report: inspect.HostReport{
			Root: true, UID: 0, Kernel: "6.1.0", CgroupMode: "hybrid", LSM: "none",
			UserNSUnpriv: inspect.Feature{Name: "user namespaces", Available: true},
			Seccomp:      inspect.Feature{Name: "seccomp", Available: true},
			NSReference:  "procbox (pid 42)",
		},
	}
}
