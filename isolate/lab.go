package isolate

import "time"

// Change says how a new Spec reached a live child.
type Change struct {
	InPlace  bool   `json:"in_place"`  // true: applied to the running child
	Recreate bool   `json:"recreated"` // true: the child was replaced by a new one
	What     string `json:"what"`      // "memory limit changed in place"
	Why      string `json:"why"`       // "a new pid namespace only applies to new processes"
	OldPID   int    `json:"old_pid"`
	NewPID   int    `json:"new_pid"`
}

// View is the answer to the Lab's questions, asked from one side (host or child).
type View struct {
	Side       string            `json:"side"` // "host" or "child"
	PID        int               `json:"pid"`  // the child's PID as this side sees it
	Hostname   string            `json:"hostname"`
	ProcCount  int               `json:"proc_count"` // processes visible from this side
	Procs      []string          `json:"procs"`      // the first few, "1 procbox"
	Interfaces []Interface       `json:"interfaces"`
	MountRoot  string            `json:"mount_root"` // what / is (device/source of the root mount)
	MountCount int               `json:"mount_count"`
	UID        int               `json:"uid"`
	GID        int               `json:"gid"`
	UIDMap     string            `json:"uid_map"` // "0 1000 1" or "0 0 4294967295"
	IPC        IPCObjects        `json:"ipc"`
	CgroupPath string            `json:"cgroup_path"`
	Limits     CgroupStats       `json:"limits"`
	CapEff     []string          `json:"cap_eff"`
	Seccomp    int               `json:"seccomp"`
	NoNewPrivs bool              `json:"no_new_privs"`
	NSInodes   map[string]uint64 `json:"ns_inodes"`
	Monotonic  time.Duration     `json:"monotonic"`
	Boottime   time.Duration     `json:"boottime"`
	Realtime   time.Time         `json:"realtime"`
	Errors     map[string]string `json:"errors,omitempty"`
}

// Interface is a network interface and its addresses.
type Interface struct {
	Name  string   `json:"name"`
	Up    bool     `json:"up"`
	Addrs []string `json:"addrs"`
	// Kind ("veth", "bridge", "device", ...) and Master (the bridge it is
	// plugged into) are filled by Observe only.
	Kind   string `json:"kind,omitempty"`
	Master string `json:"master,omitempty"`
}

// IPCObjects counts System V IPC objects visible from one side.
type IPCObjects struct {
	Queues     int `json:"queues"`
	Semaphores int `json:"semaphores"`
	SharedMem  int `json:"shared_mem"`
}

// CgroupStats are the child's cgroup limits and usage. Max values < 0 mean none.
type CgroupStats struct {
	Version       string `json:"version"` // "v1" or "v2"
	MemoryMax     int64  `json:"memory_max"`
	MemoryCurrent int64  `json:"memory_current"`
	OOMKills      int64  `json:"oom_kills"`
	PidsMax       int64  `json:"pids_max"`
	PidsCurrent   int64  `json:"pids_current"`
	CPUQuotaUsec  int64  `json:"cpu_quota_usec"` // < 0: none
	CPUPeriodUsec int64  `json:"cpu_period_usec"`
	CPUUsageUsec  int64  `json:"cpu_usage_usec"`
	ThrottledUsec int64  `json:"throttled_usec"`
	NrThrottled   int64  `json:"nr_throttled"`
	// Uncounted names what procbox has no cgroup of its own to read for
	// ("memory", "pids", "cpu"): no limit of that kind was asked, so the
	// child stays in its caller's cgroup there and the numbers above for it
	// are not the child's (0, not a reading).
	Uncounted []string `json:"uncounted,omitempty"`
}

// Counted reports whether the numbers of controller ("memory", "pids",
// "cpu") were read from a cgroup of the child's own.
func (s CgroupStats) Counted(controller string) bool {
	for _, u := range s.Uncounted {
		if u == controller {
			return false
		}
	}
	return true
}

// NoCgroupStats are the stats of a child procbox made no cgroup for.
func NoCgroupStats() CgroupStats {
	return CgroupStats{MemoryMax: -1, PidsMax: -1, CPUQuotaUsec: -1, Uncounted: []string{"memory", "pids", "cpu"}}
}

// Experiment names, run inside the child by Child.Experiment.
const (
	ExpForkBomb  = "forkbomb"    // bounded: stops itself after a few seconds
	ExpMemoryHog = "memhog"      // bounded: stops itself at a safe size without a limit
	ExpCPUBurner = "cpuburn"     // bounded: a busy loop for a few seconds
	ExpChown     = "chown"       // needs cap_chown
	ExpBind80    = "bind80"      // needs cap_net_bind_service
	ExpRawSocket = "rawsocket"   // needs cap_net_raw
	ExpMount     = "mount"       // needs cap_sys_admin (and a mnt namespace to be harmless)
	ExpHostname  = "sethostname" // needs cap_sys_admin; harmless only with uts
	ExpKillHost  = "killhost"    // signal 0 to a host process: pid namespace hides it
	ExpMkdir     = "mkdir"       // denied by seccomp when mkdir/mkdirat is listed

	// Lesson actions on the demo process (not in Experiments: the Lab does not list them).
	ExpRenice    = "renice"    // the child raises its own nice value by 5 (priority changes)
	ExpOpenFile  = "openfile"  // the child opens a file and keeps it open (a new fd appears)
	ExpEnvChild  = "envchild"  // the child starts a grandchild with PROCBOX_DEMO=1: inherited below, never seen above
	ExpMountKeep = "mountkeep" // with mnt only: the child mounts a tmpfs and keeps it (one more mount inside)
	ExpIPCQueue  = "ipcqueue"  // with ipc only: the child creates a System V message queue and keeps it
)

// LessonExperiments are the lesson actions above: the agent runs them, the Lab does not list them.
var LessonExperiments = []string{ExpRenice, ExpOpenFile, ExpEnvChild, ExpMountKeep, ExpIPCQueue}

// Experiments lists them in the order the UI shows them.
var Experiments = []string{ExpForkBomb, ExpMemoryHog, ExpCPUBurner, ExpChown, ExpBind80,
	ExpRawSocket, ExpMount, ExpHostname, ExpKillHost, ExpMkdir}

// Outcome is what an experiment did.
type Outcome struct {
	Experiment string        `json:"experiment"`
	Allowed    bool          `json:"allowed"`         // the action succeeded
	Errno      string        `json:"errno,omitempty"` // "EPERM", "EAGAIN", ...
	Cause      string        `json:"cause,omitempty"` // the switch that caused a denial: "drop cap_chown", "seccomp mkdir", "pids limit 64"
	Summary    string        `json:"summary"`         // one line for the log
	Count      int64         `json:"count,omitempty"` // processes reached, bytes allocated, ...
	OOMKilled  bool          `json:"oom_killed,omitempty"`
	Duration   time.Duration `json:"duration"`
}

// Registers is a register snapshot of the child, read with ptrace
// (seize, interrupt, read, continue).
type Registers struct {
	PC   uint64     `json:"pc"` // program counter (rip on amd64): the next instruction
	SP   uint64     `json:"sp"` // stack pointer (rsp on amd64): the top of the stack
	Regs []Register `json:"regs"`
	// Which thread was read, and a later look at it (50 ms or more after).
	TID     int    `json:"tid"`
	Thread  string `json:"thread"`  // in words: "a thread the demo keeps busy computing for this look"
	Threads int    `json:"threads"` // threads in the process
	LaterPC uint64 `json:"later_pc"`
	LaterSP uint64 `json:"later_sp"`
	SPIn    string `json:"sp_in"` // the mapping SP points into: "[stack]", a file, "anonymous memory"
}

// Register is one named register.
type Register struct {
	Name  string `json:"name"`
	Value uint64 `json:"value"`
}
