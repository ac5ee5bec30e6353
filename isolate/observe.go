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
	Interfaces []Interface       `json:"interfaces"` // of its network namespace, with Kind and Master
	Routes     []Route           `json:"routes"`     // IPv4 routes of its network namespace (main table)
	// Conns are the TCP sockets of its network namespace, read only when that
	// is not procbox's own (the host's table can be long and is not the learner's).
	Conns      []Conn      `json:"conns,omitempty"`
	Forwarding bool        `json:"forwarding"` // net.ipv4.ip_forward of its network namespace
	IPC        IPCObjects  `json:"ipc"`        // of its IPC namespace
	Mounts     []string    `json:"mounts"`     // its mount table, "MOUNTPOINT FSTYPE SOURCE" per mount
	UIDMap     string      `json:"uid_map"`    // "0 65534 1"
	CapEff     []string    `json:"cap_eff"`
	CapBnd     []string    `json:"cap_bnd"`
	NoNewPrivs bool        `json:"no_new_privs"`
	Seccomp    int         `json:"seccomp"`
	CgroupPath string      `json:"cgroup_path"` // as the host names it (memory or pids on v1)
	Limits     CgroupStats `json:"limits"`      // of the cgroups it sits in
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
	// HostNet is what the host's network namespace showed while one of the
	// learner's processes had a network namespace of its own.
	HostNet HostNet `json:"host_net"`
	// Cleanup is what procbox undid after the shell ended: the lesson's
	// links, nat rules and ip_forward the learner's commands left behind,
	// and a runc container still running below the shell (runc delete -f).
	Cleanup []string `json:"cleanup,omitempty"`
}

// HostNet gathers the host's network over every reading while a learner's
// shell ran: a link or rule the learner removed before exiting stays listed,
// with its last reading.
type HostNet struct {
	// Links are the host's links, read through the learner's processes in
	// the host's network namespace.
	Links []Interface `json:"links,omitempty"`
	// Forwarding: net.ipv4.ip_forward was seen on in the host's namespace.
	Forwarding bool `json:"forwarding"`
	// NAT holds the rules of the host's nat table as `iptables -t nat -S`
	// prints them ("-A POSTROUTING -s … -j MASQUERADE").
	NAT []string `json:"nat,omitempty"`
}

// Route is one route of a network namespace, as `ip route` shows it.
type Route struct {
	Dst string `json:"dst"` // "default" or a CIDR
	Via string `json:"via,omitempty"`
	Dev string `json:"dev"`
}

// Conn is one TCP socket, as /proc/net/tcp (or tcp6, IPv4-mapped addresses
// written as IPv4) lists it.
type Conn struct {
	Local  string `json:"local"`  // "10.199.1.2:43210"
	Remote string `json:"remote"` // "10.199.1.1:8000"; "0.0.0.0:0" for a listener
	State  string `json:"state"`  // "ESTABLISHED", "TIME_WAIT", "LISTEN", ...
}

// Connected reports whether the socket got past the handshake: the peer
// answered. A socket in TIME_WAIT (kept a minute after the side that closed
// first) or closing still proves the connection happened.
func (c Conn) Connected() bool {
	switch c.State {
	case "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK", "CLOSING":
		return true
	}
	return false
}
