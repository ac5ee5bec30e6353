package inspect

import (
	"errors"
	"time"
)

// Sentinel errors. Callers test with errors.Is; messages wrap them with %w.
var (
	// ErrGone means the process does not exist (any more): ENOENT or ESRCH.
	ErrGone = errors.New("process gone")
	// ErrDenied means the caller may not read it: EACCES or EPERM.
	ErrDenied = errors.New("permission denied: needs root or the same user")
)

// FS is a view of the kernel's files. Roots are parameters so tests can point
// them at a fixture tree (testdata/fixtures).
type FS struct {
	Proc   string // usually /proc
	Cgroup string // usually /sys/fs/cgroup
	Sys    string // usually /sys (for /sys/kernel/security and friends)
	Etc    string // usually /etc (passwd and group for names)
	Run    string // usually /run (container runtimes' state); "" reads none
	Lib    string // usually /var/lib (docker's, LXC's and containers/storage's state); "" reads none
}

// DefaultFS is the live host.
func DefaultFS() FS {
	return FS{Proc: "/proc", Cgroup: "/sys/fs/cgroup", Sys: "/sys", Etc: "/etc", Run: "/run", Lib: "/var/lib"}
}

// Options tune a Snapshot.
type Options struct {
	ShowSecrets bool // do not mask secret-looking environment values
}

// ProcRow is one line of the process table: the cheap subset of a Snapshot.
type ProcRow struct {
	PID      int    `json:"pid"`
	PPID     int    `json:"ppid"`
	UID      int    `json:"uid"`
	User     string `json:"user"`
	Nice     int    `json:"nice"`
	State    string `json:"state"`
	Comm     string `json:"comm"`
	Cmdline  string `json:"cmdline,omitempty"`
	RSSBytes int64  `json:"rss_bytes"`
	Threads  int    `json:"threads"`
	// CPUTime is the CPU the process used so far, user and system (stat
	// fields 14 and 15). Not in the JSON: one number says little; the
	// picker turns two scans into a CPU%.
	CPUTime time.Duration `json:"-"`
	// Container is "" for a plain host process or a kernel thread, "unknown"
	// when its namespaces could not be read (never "" then), otherwise the
	// runtime ("runc", "docker", "procbox", ...) or "isolated".
	Container string `json:"container"`
	// ContainerID, ContainerName and Pod ("namespace/name") come from the
	// cgroup path and the runtime's state files, when there are any.
	ContainerID   string `json:"container_id,omitempty"`
	ContainerName string `json:"container_name,omitempty"`
	Pod           string `json:"pod,omitempty"`
}

// Difference is one isolation-relevant field where two snapshots disagree.
type Difference struct {
	Field string `json:"field"` // "namespaces.net", "cgroups", "capabilities.effective", ...
	A     string `json:"a"`
	B     string `json:"b"`
	// Unknown is true when either side could not be read: A or B then says
	// "unknown (why)". Such a row is listed whatever the values, never dropped.
	Unknown bool `json:"unknown,omitempty"`
}

// HostReport is `procbox doctor`: what this host supports, and why not.
type HostReport struct {
	Root        bool     `json:"root"`
	UID         int      `json:"uid"`
	Kernel      string   `json:"kernel"`
	CgroupMode  string   `json:"cgroup_mode"` // "v1", "v2", "hybrid", "none"
	CgroupNote  string   `json:"cgroup_note"`
	Controllers []string `json:"controllers"`
	Delegated   []string `json:"delegated"` // controllers the current user may write
	// CgroupReadOnly: a cgroup filesystem is mounted read-only here, so no
	// cgroup can be made and no limit set, by root either.
	CgroupReadOnly bool      `json:"cgroup_read_only"`
	Namespaces     []Feature `json:"namespaces"`
	UserNSUnpriv   Feature   `json:"user_namespaces_unprivileged"`
	Seccomp        Feature   `json:"seccomp"`
	LSM            string    `json:"lsm"` // "apparmor", "selinux", "none", ...
	LSMNote        string    `json:"lsm_note"`
	TimeNamespace  Feature   `json:"time_namespace"`
	HidePID        Feature   `json:"hidepid"`
	NSReference    string    `json:"ns_reference"`
	Notes          []string  `json:"notes"`
}

// Feature is one thing the host can or cannot do, with the reason.
type Feature struct {
	Name      string `json:"name"`
	Available bool   `json:"available"`
	Why       string `json:"why"`
}
