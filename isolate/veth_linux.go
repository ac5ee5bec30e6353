package isolate

// Creating and removing the veth pair with netlink (the same messages `ip link`
// sends). See veth(4) and network_namespaces(7).

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// SetupVeth creates the pair for a child already running in its own network
// namespace and returns the equivalent `ip` commands. The child's end is
// configured from the host through a netlink handle opened inside the child's
// namespace, so the child needs no tools and no privileges of its own.
// On failure nothing is left behind.
func SetupVeth(childPID int) (*Veth, []Step, error) {
	if childPID <= 0 {
		return nil, nil, fmt.Errorf("veth: bad child pid %d", childPID)
	}
	if err := vethOwnNetns(childPID); err != nil {
		return nil, nil, err
	}
	host, peer := vethNames(childPID)
	used, err := vethUsedSubnets()
	if err != nil {
		return nil, nil, err
	}
	x := vethSubnet(childPID, used)
	v := &Veth{
		childPID:  childPID,
		host:      host,
		peer:      peer,
		hostAddr:  "10.200." + strconv.Itoa(x) + ".1",
		childAddr: "10.200." + strconv.Itoa(x) + ".2",
	}
	pid := strconv.Itoa(childPID)
	var steps []Step
	fail := func(err error) (*Veth, []Step, error) {
		if rerr := v.Remove(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", rerr))
		}
		return nil, nil, err
	}

	// The child's end is created straight inside its namespace: one netlink
	// message instead of create-then-move, which halves the time (moving a
	// device between namespaces waits for the kernel to quiesce it), and no
	// moment where both ends sit on the host.
	// Claimed before it exists, so a procbox killed right after still has it
	// listed for the sweep (owner_linux.go).
	if err := Claim(OwnVeth, host); err != nil {
		return nil, nil, err
	}
	pair := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: host}, PeerName: peer, PeerNamespace: netlink.NsPid(childPID)}
	if err := netlink.LinkAdd(pair); err != nil {
		Unclaim(OwnVeth, host) // not made (EEXIST: another procbox's of the same name)
		return nil, nil, fmt.Errorf("cannot create veth pair %s/%s with %s in the network namespace of pid %d: %w",
			host, peer, peer, childPID, err)
	}
	plan := vethSteps(host, peer, pid, v.hostAddr, v.childAddr)
	steps = append(steps, plan[0])

	hostLink, err := netlink.LinkByName(host)
	if err != nil {
		return fail(fmt.Errorf("cannot find %s: %w", host, err))
	}
	if err := netlink.AddrAdd(hostLink, vethAddr(v.hostAddr)); err != nil {
		return fail(fmt.Errorf("cannot add %s/30 to %s: %w", v.hostAddr, host, err))
	}
	steps = append(steps, plan[1])
	if err := netlink.LinkSetUp(hostLink); err != nil {
		return fail(fmt.Errorf("cannot bring %s up: %w", host, err))
	}
	steps = append(steps, plan[2])

	more, err := vethConfigureChild(childPID, peer, v.childAddr, plan[3:])
	steps = append(steps, more...)
	if err != nil {
		return fail(err)
	}
	return v, steps, nil
}

// vethOwnNetns checks the child has a network namespace of its own: in the
// host's, the "child" end and its address would land on the host itself.
func vethOwnNetns(childPID int) error {
	child, err := netns.GetFromPid(childPID)
	if err != nil {
		return fmt.Errorf("cannot open the network namespace of pid %d: %w", childPID, err)
	}
	defer child.Close()
	self, err := netns.GetFromPid(os.Getpid())
	if err != nil {
		return fmt.Errorf("cannot open this process's network namespace: %w", err)
	}
	defer self.Close()
	if child.Equal(self) {
		return fmt.Errorf("pid %d shares the host's network namespace: a veth pair needs the net namespace", childPID)
	}
	return nil
}

// vethConfigureChild sets the child end's address and brings it and lo up,
// speaking netlink inside the child's network namespace.
func vethConfigureChild(childPID int, peer, addr string, plan []Step) ([]Step, error) {
	ns, err := netns.GetFromPid(childPID)
	if err != nil {
		return nil, fmt.Errorf("cannot open the network namespace of pid %d: %w", childPID, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return nil, fmt.Errorf("cannot talk netlink in the network namespace of pid %d: %w", childPID, err)
	}
	defer h.Close()
	var steps []Step
	link, err := h.LinkByName(peer)
	if err != nil {
		return nil, fmt.Errorf("cannot find %s in the child: %w", peer, err)
	}
	if err := h.AddrAdd(link, vethAddr(addr)); err != nil {
		return nil, fmt.Errorf("cannot add %s/30 to %s in the child: %w", addr, peer, err)
	}
	steps = append(steps, plan[0])
	if err := h.LinkSetUp(link); err != nil {
		return steps, fmt.Errorf("cannot bring %s up in the child: %w", peer, err)
	}
	steps = append(steps, plan[1])
	// A new network namespace starts with lo down; bringing it up is
	// harmless if the child already did.
	lo, err := h.LinkByName("lo")
	if err != nil {
		return steps, fmt.Errorf("cannot find lo in the child: %w", err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		return steps, fmt.Errorf("cannot bring lo up in the child: %w", err)
	}
	steps = append(steps, plan[2])
	return steps, nil
}

func vethAddr(ip string) *netlink.Addr {
	return &netlink.Addr{IPNet: &net.IPNet{IP: net.ParseIP(ip).To4(), Mask: net.CIDRMask(30, 32)}}
}

// vethUsedSubnets lists the X of every 10.200.X.* address on the host.
func vethUsedSubnets() (map[int]bool, error) {
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, fmt.Errorf("cannot list host addresses: %w", err)
	}
	used := map[int]bool{}
	for _, a := range addrs {
		ip := a.IP.To4()
		if ip != nil && ip[0] == 10 && ip[1] == 200 {
			used[int(ip[2])] = true
		}
	}
	return used, nil
}

// Remove deletes the host end; the kernel destroys the child end with it (a veth
// pair only exists as a pair). Safe to call twice.
func (v *Veth) Remove() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.removed {
		return nil
	}
	if _, err := vethDelete(v.host); err != nil {
		return err
	}
	// A pbx<pid>c on the host would be a pair made by hand or by an older
	// procbox; normally it is gone with the host end already.
	if _, err := vethDelete(v.peer); err != nil {
		return err
	}
	v.removed = true
	Unclaim(OwnVeth, v.host)
	return nil
}

// vethDelete deletes a host link by name; a link that is not there is fine
// (deleted reports whether this call removed it).
func vethDelete(name string) (deleted bool, err error) {
	var nf netlink.LinkNotFoundError
	link, err := netlink.LinkByName(name)
	if err != nil {
		if errors.As(err, &nf) {
			return false, nil
		}
		return false, fmt.Errorf("cannot look up %s: %w", name, err)
	}
	if err := netlink.LinkDel(link); err != nil {
		// Gone in between: its peer was deleted, which takes it too.
		if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
			return false, nil
		}
		return false, fmt.Errorf("cannot delete %s: %w", name, err)
	}
	return true, nil
}
