package isolate

import "time"

// Namespace kinds, by their /proc/PID/ns names.
const (
	NSPID    = "pid"
	NSNet    = "net"
	NSMnt    = "mnt"
	NSUTS    = "uts"
	NSIPC    = "ipc"
	NSUser   = "user"
	NSCgroup = "cgroup"
	NSTime   = "time"
)

// AllNamespaces lists every kind in the order the UI shows them.
var AllNamespaces = []string{NSPID, NSNet, NSMnt, NSUTS, NSIPC, NSUser, NSCgroup, NSTime}

// Spec is plain data: what isolation the child gets. The zero Spec is a plain
// process with no isolation at all. Validate says what is wrong in one line.
type Spec struct {
	Namespaces []string `json:"namespaces"`         // subset of AllNamespaces
	Hostname   string   `json:"hostname,omitempty"` // needs uts
	MapRoot    bool     `json:"map_root,omitempty"` // needs user: uid 0 inside = caller outside
	// MapRootTo, with MapRoot, is the uid and gid root inside is outside
	// instead of the caller's: a root caller maps to an unprivileged id
	// (65534) so that outside the namespace it really is nobody special.
	MapRootTo  int           `json:"map_root_to,omitempty"`
	MemoryMax  int64         `json:"memory_max,omitempty"`  // bytes, 0 = no limit
	PidsMax    int64         `json:"pids_max,omitempty"`    // 0 = no limit
	CPUMax     float64       `json:"cpu_max,omitempty"`     // fraction of one CPU, 0 = no limit
	DropCaps   []string      `json:"drop_caps,omitempty"`   // lower-case names like cap_net_raw
	Seccomp    []string      `json:"seccomp,omitempty"`     // syscall names denied with EPERM
	Rootfs     string        `json:"rootfs,omitempty"`      // needs mnt
	Veth       bool          `json:"veth,omitempty"`        // needs net
	TimeOffset time.Duration `json:"time_offset,omitempty"` // needs time
}

// Has reports whether the spec asks for namespace kind ns.
func (s Spec) Has(ns string) bool {
	for _, n := range s.Namespaces {
		if n == ns {
			return true
		}
	}
	return false
}

// Step is one thing procbox did (or would do), with the shell command that does
// the same thing by hand.
type Step struct {
	What    string `json:"what"`    // "new pid namespace", "memory limit 64 MiB"
	Command string `json:"command"` // "unshare --pid --fork --mount-proc", "echo 67108864 > …"
}
