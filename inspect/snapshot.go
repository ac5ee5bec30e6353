package inspect

import "time"

// Snapshot is everything procbox knows about one process at one moment.
// Its JSON form is the contract of `procbox inspect PID --json` (see README).
type Snapshot struct {
	PID       int       `json:"pid"`
	PPID      int       `json:"ppid"`
	Comm      string    `json:"comm"`
	Exe       string    `json:"exe"`
	Cmdline   []string  `json:"cmdline"`
	State     string    `json:"state"` // one letter as in /proc/PID/stat: R, S, D, Z, T, t, X, I
	StartTime time.Time `json:"start_time"`
	Threads   int       `json:"threads"`
	UIDs      IDSet     `json:"uids"`
	GIDs      IDSet     `json:"gids"`
	User      string    `json:"user"`   // name of the effective uid, or the number
	Groups    []ID      `json:"groups"` // supplementary groups
	Nice      int       `json:"nice"`
	Priority  int       `json:"priority"`
	Policy    string    `json:"policy"` // SCHED_OTHER, SCHED_FIFO, ...

	Namespaces  map[string]Namespace `json:"namespaces"`   // keys: pid net mnt uts ipc user cgroup time pid_for_children time_for_children
	NSReference string               `json:"ns_reference"` // "pid 1" or "procbox (pid N)": what "host" means in shared_with_host
	UIDMap      []IDMapping          `json:"uid_map"`
	GIDMap      []IDMapping          `json:"gid_map"`
	Cgroups     []CgroupMembership   `json:"cgroups"`
	Limits      Limits               `json:"limits"`
	Caps        Capabilities         `json:"capabilities"`
	Seccomp     Seccomp              `json:"seccomp"`
	NoNewPrivs  bool                 `json:"no_new_privs"`
	LSM         string               `json:"lsm"` // label, or "none"

	FDs     []FD              `json:"fds"`
	Env     map[string]string `json:"env"` // masked unless the caller asked for secrets
	Rlimits []Rlimit          `json:"rlimits"`
	Memory  Memory            `json:"memory"`
	Syscall *Syscall          `json:"syscall"`

	Container Container `json:"container"`
	// KernelThread is true for a kernel thread (PF_KTHREAD): it has no
	// program, no user memory and no user registers, and is never a container.
	KernelThread bool `json:"kernel_thread"`

	// Errors maps a section name (identity, status, namespaces, cgroups, limits,
	// fds, env, memory, syscall, lsm, ...) to why it could not be read.
	Errors map[string]string `json:"errors"`
}

// ID is a numeric user or group id with its name, when the name is known.
type ID struct {
	ID   int    `json:"id"`
	Name string `json:"name,omitempty"`
}

// IDSet is the four ids the kernel keeps per process: see credentials(7).
type IDSet struct {
	Real      ID `json:"real"`
	Effective ID `json:"effective"`
	Saved     ID `json:"saved"`
	FS        ID `json:"fs"`
}

// Namespace is one entry of /proc/PID/ns. SharedWithHost compares against the
// reference named in Snapshot.NSReference; SharedWithSelf against procbox itself.
type Namespace struct {
	Inode          uint64 `json:"inode"`
	SharedWithHost bool   `json:"shared_with_host"`
	SharedWithSelf bool   `json:"shared_with_self"`
}

// IDMapping is one line of /proc/PID/uid_map or gid_map: user_namespaces(7).
type IDMapping struct {
	Inside  int64 `json:"inside"`
	Outside int64 `json:"outside"`
	Count   int64 `json:"count"`
}

// CgroupMembership is one line of /proc/PID/cgroup: cgroups(7).
type CgroupMembership struct {
	HierarchyID int      `json:"hierarchy_id"`
	Controllers []string `json:"controllers"` // empty for the v2 unified line
	Path        string   `json:"path"`
}

// Limits are the memory, pids and cpu limits and usage of the process's cgroups.
// A negative max means "no limit" ("max" in cgroup v2). Zero values with an entry
// in Snapshot.Errors["limits"] mean unknown.
//
// MemoryMax, PidsMax and CPUMax are the limits the kernel enforces: the
// tightest of the process's cgroup and every ancestor up to the hierarchy's
// root (a child cannot use more than its parent allows), with the cgroup
// that sets it in *SetBy. The *Leaf values are what the process's own cgroup
// file says (what a runtime wrote), which may be looser.
type Limits struct {
	MemoryMax      int64  `json:"memory_max"`
	MemoryMaxSetBy string `json:"memory_max_set_by"` // cgroup path setting memory_max, "" when nothing limits
	MemoryMaxLeaf  int64  `json:"memory_max_leaf"`
	MemoryCurrent  int64  `json:"memory_current"`
	PidsMax        int64  `json:"pids_max"`
	PidsMaxSetBy   string `json:"pids_max_set_by"`
	PidsMaxLeaf    int64  `json:"pids_max_leaf"`
	PidsCurrent    int64  `json:"pids_current"` // -1: not accounted (v1 root pids cgroup; Errors["limits"] says so)
	CPUMax         string `json:"cpu_max"`      // "max 100000" or "50000 100000" (quota period, µs)
	CPUMaxSetBy    string `json:"cpu_max_set_by"`
	CPUMaxLeaf     string `json:"cpu_max_leaf"`
	OOMKills       int64  `json:"oom_kills"`
	ThrottledUsec  int64  `json:"throttled_usec"`
	NrThrottled    int64  `json:"nr_throttled"`
	CgroupVersion  string `json:"cgroup_version"` // "v1", "v2"
}

// Capabilities are the five sets of capabilities(7), decoded to lower-case names.
type Capabilities struct {
	Effective   []string `json:"effective"`
	Permitted   []string `json:"permitted"`
	Inheritable []string `json:"inheritable"`
	Bounding    []string `json:"bounding"`
	Ambient     []string `json:"ambient"`
}

// Seccomp is the Seccomp and Seccomp_filters lines of /proc/PID/status: seccomp(2).
type Seccomp struct {
	Mode    int    `json:"mode"` // 0 disabled, 1 strict, 2 filter
	Filters int    `json:"filters"`
	Name    string `json:"name"` // "disabled", "strict", "filter"
}

// FD is one entry of /proc/PID/fd.
type FD struct {
	FD     int    `json:"fd"`
	Target string `json:"target"`
	Kind   string `json:"kind"`             // file, directory, pipe, socket, tty, device, anon_inode
	Detail string `json:"detail,omitempty"` // for sockets: "tcp 127.0.0.1:80 -> 0.0.0.0:0 LISTEN", "unix /run/x.sock"
}

// Rlimit is one line of /proc/PID/limits; -1 means unlimited.
type Rlimit struct {
	Name  string `json:"name"`
	Soft  int64  `json:"soft"`
	Hard  int64  `json:"hard"`
	Units string `json:"units,omitempty"`
}

// Memory is the process's memory space: sizes and the map summarised by kind.
type Memory struct {
	RSSBytes   int64        `json:"rss_bytes"`
	VSizeBytes int64        `json:"vsize_bytes"`
	Kinds      []MemoryKind `json:"kinds"` // text, heap, stack, anon, lib, vdso, vvar, file, other
	Maps       []MemoryMap  `json:"maps"`
}

// MemoryKind sums the mappings of one kind.
type MemoryKind struct {
	Kind      string `json:"kind"`
	Count     int    `json:"count"`
	SizeBytes int64  `json:"size_bytes"`
}

// MemoryMap is one line of /proc/PID/maps.
type MemoryMap struct {
	Start uint64 `json:"start"`
	End   uint64 `json:"end"`
	Perms string `json:"perms"`
	Path  string `json:"path,omitempty"`
	Kind  string `json:"kind"`
}

// Syscall is /proc/PID/syscall decoded: what the process is doing in the kernel
// right now, with its stack pointer and program counter.
type Syscall struct {
	Running bool     `json:"running"` // true when the process is on a CPU (file says "running")
	Number  int      `json:"number"`  // -1 when not in a syscall
	Name    string   `json:"name,omitempty"`
	Args    []uint64 `json:"args,omitempty"`
	SP      uint64   `json:"sp"`
	PC      uint64   `json:"pc"`
}

// Container is the verdict: how isolated the process is and by whom. The
// runtime and id come from the cgroup paths; name, image and pod from the
// runtime's own state files on the host (see runtime_state.go).
type Container struct {
	// Isolation is "host", "isolated", "kernel_thread" or "unknown" (the
	// namespaces could not be read; Why says why). Unknown is never host.
	Isolation          string   `json:"isolation"`
	Why                string   `json:"why,omitempty"`
	IsolatedNamespaces []string `json:"isolated_namespaces"`
	Runtime            string   `json:"runtime"` // runc, crun, containerd, cri-o, docker, podman, lxc, systemd-nspawn, bwrap, kubepods, procbox, or ""
	ID                 string   `json:"id"`
	Name               string   `json:"name,omitempty"`
	Image              string   `json:"image,omitempty"`
	Pod                *Pod     `json:"pod,omitempty"`
	StateFile          string   `json:"state_file,omitempty"` // the runtime's file name, image and pod were read from
}
