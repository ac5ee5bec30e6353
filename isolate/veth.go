package isolate

import (
	"strconv"
	"strings"
	"sync"
)

// Veth is a veth pair: host end "pbx<pid>h" (keep ≤15 chars), child end "pbx<pid>c" moved
// into the child's net ns, addresses 10.200.X.1/30 host and .2/30 child, both up, lo up in child.
//
// A veth pair is a virtual cable: what goes in one end comes out of the other.
// With one end in the child's network namespace, the child can reach the host
// (and only the host: nothing routes or forwards its packets further).
type Veth struct {
	childPID  int
	host      string
	peer      string
	hostAddr  string
	childAddr string

	mu      sync.Mutex
	removed bool
}

// vethPrefix starts every link name procbox creates. Interface names are at most
// 15 bytes, so "procbox-" would not leave room for a pid; "pbx" does:
// "pbx" + 7 digits (pid_max is at most 4194304) + "h" = 11.
const vethPrefix = "pbx"

// vethNames gives the host and child end names for a child pid.
func vethNames(childPID int) (host, peer string) {
	p := vethPrefix + strconv.Itoa(childPID)
	return p + "h", p + "c"
}

// parseVethName returns the child pid encoded in a procbox link name.
func parseVethName(name string) (pid int, ok bool) {
	rest, found := strings.CutPrefix(name, vethPrefix)
	if !found || len(rest) < 2 {
		return 0, false
	}
	end := rest[len(rest)-1]
	if end != 'h' && end != 'c' {
		return 0, false
	}
	digits := rest[:len(rest)-1]
	pid, err := strconv.Atoi(digits)
	if err != nil || pid <= 0 || strconv.Itoa(pid) != digits {
		return 0, false
	}
	return pid, true
}

// vethSubnet picks X for 10.200.X.0/30: start from the child pid and skip the
// ones already used by a link on the host.
func vethSubnet(childPID int, used map[int]bool) int {
	start := childPID % 256
	for i := 0; i < 256; i++ {
		x := (start + i) % 256
		if !used[x] {
			return x
		}
	}
	return start // all taken: share, addresses on different links still work
}

// HostName is the host end's link name, "pbx<pid>h".
func (v *Veth) HostName() string { return v.host }

// ChildName is the child end's link name, "pbx<pid>c", inside the child's net ns.
func (v *Veth) ChildName() string { return v.peer }

// HostAddr is the host end's address, "10.200.X.1".
func (v *Veth) HostAddr() string { return v.hostAddr }

// ChildAddr is the child end's address, "10.200.X.2".
func (v *Veth) ChildAddr() string { return v.childAddr }

// vethSteps lists, in order, the commands that do by hand what SetupVeth does:
// SetupVeth reports them one by one as each succeeds, PlanVeth all at once.
func vethSteps(host, peer, pid, hostAddr, childAddr string) []Step {
	in := "nsenter -t " + pid + " -n "
	return []Step{
		{What: "a virtual cable: " + host + " on the host, " + peer + " plugged into the child's network namespace",
			Command: "ip link add " + host + " type veth peer name " + peer + " netns " + pid},
		{What: "host end address " + hostAddr, Command: "ip addr add " + hostAddr + "/30 dev " + host},
		{What: "host end up", Command: "ip link set " + host + " up"},
		{What: "child end address " + childAddr, Command: in + "ip addr add " + childAddr + "/30 dev " + peer},
		{What: "child end up", Command: in + "ip link set " + peer + " up"},
		{What: "loopback up in the child", Command: in + "ip link set lo up"},
	}
}

// PlanVeth returns the steps SetupVeth will take, for `procbox run --explain`,
// before the child exists: CHILD_PID stands for its pid and X for the subnet
// picked then (the child's pid mod 256, or the next free one).
func PlanVeth() []Step {
	return vethSteps(vethPrefix+"CHILD_PIDh", vethPrefix+"CHILD_PIDc", "CHILD_PID", "10.200.X.1", "10.200.X.2")
}
