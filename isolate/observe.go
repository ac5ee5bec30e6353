package isolate

import "time"

// Observed is one process read from outside, by procbox in the host's
// namespaces: what the learner's own commands made of it (a new namespace, a
// hostname, a mount, a cgroup limit, a smaller capability set). The lessons'
// do-it-yourself checks read it; nothing here comes from the demo agent.
type Observed struct {
	PID        int               `json:"pid"`       // host PID
	InnerPID   int               `json:"inner_pid"` // its PID in its own pid namespace (NSpid's last)
	Comm       string            `json:"comm"`
	State      string            `json:"state"` // one letter: R, S, D, Z (zombie), T, ...
	NSInodes   map[string]uint64 `json:"ns_inodes"`
	Hostname   string            `json:"hostname"`   // of its UTS namespace
	Interfaces []Interface       `json:"interfaces"` // of its network namespace
	IPC        IPCObjects        `json:"ipc"`        // of its IPC namespace
	Mounts     []string          `json:"mounts"`     // its mount table, "MOUNTPOINT FSTYPE SOURCE" per mount
	UIDMap     string            `json:"uid_map"`    // "0 65534 1"
	CapEff     []string          `json:"cap_eff"`
	CapBnd     []string          `json:"cap_bnd"`
	NoNewPrivs bool              `json:"no_new_privs"`
	Seccomp    int               `json:"seccomp"`
	CgroupPath string            `json:"cgroup_path"` // as the host names it (memory or pids on v1)
	Limits     CgroupStats       `json:"limits"`      // of the cgroups it sits in
	// Unified is its group on the cgroup v2 tree (v2 and hybrid hosts).
	Unified UnifiedGroup `json:"unified"`
	// Container names the runtime and container that run it ("runc
	// learner-oci") when the watch was given a namer (WatchTreeNamed);
	// isolate reads no runtime's state itself.
	Container string `json:"container,omitempty"`
	// Clock offsets of its time namespace (/proc/PID/timens_offsets).
	MonotonicOffset time.Duration     `json:"monotonic_offset"`
	BoottimeOffset  time.Duration     `json:"boottime_offset"`
	Errors          map[string]string `json:"errors,omitempty"`
}

// ShellTrace is what procbox saw while a learner's shell ran: itself as the
// host reference, and every process below the shell's root, each at its
// latest reading (a process that has exited keeps its last one).
type ShellTrace struct {
	Host  Observed   `json:"host"`
	Procs []Observed `json:"procs"`
}
