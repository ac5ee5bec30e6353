package isolate

import (
	"fmt"
	"os"
	"sort"

	"procbox/internal/kernel"

	"golang.org/x/sys/unix"
)

// capNumbers turns "cap_chown" names into capability numbers.
func capNumbers(names []string) ([]int, error) {
	var out []int
	for _, n := range names {
		c, ok := kernel.CapNumber(n)
		if !ok {
			return nil, fmt.Errorf("unknown capability %q", n)
		}
		out = append(out, c)
	}
	return out, nil
}

// clearInheritable empties this thread's inheritable set, as a process that
// has just entered a user namespace with `unshare --user` has it. procbox's
// child raised the set to carry its setup over a re-exec (ambient caps need
// their bits in inheritable); left full, a program with file capabilities
// +ei would gain them at exec: its permitted set becomes inheritable ∩ the
// file's inheritable (capabilities(7), "Transformation of capabilities
// during execve()").
func clearInheritable() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %v", err)
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: clear the inheritable set: %v", err)
	}
	return nil
}

// privilegeRefused says, before anything is made, why this caller cannot
// have what spec asks of the host side, in one line:
//   - --drop-caps for a child that stays in procbox's user namespace: a
//     caller without cap_setpcap holds no capabilities to give up and may not
//     shrink the bounding set (PR_CAPBSET_DROP, capabilities(7)); in a new
//     user namespace the child drops from that namespace's set, which works;
//   - --veth: the host end of the pair is made in the host's network
//     namespace, which takes cap_net_admin there.
func privilegeRefused(spec Spec) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return nil // let the setup try, and say what failed
	}
	has := func(c int) bool { return data[c/32].Effective&(1<<(uint(c)%32)) != 0 }
	if len(spec.DropCaps) > 0 && !spec.Has(NSUser) && !has(unix.CAP_SETPCAP) {
		return fmt.Errorf("--drop-caps: uid %d has no capabilities to drop and may not shrink the bounding set (that takes cap_setpcap): run as root, or add --ns user to drop them in a user namespace of the child's own", os.Geteuid())
	}
	if spec.Veth && !has(unix.CAP_NET_ADMIN) {
		return fmt.Errorf("--veth: uid %d may not make network interfaces on the host (that takes cap_net_admin): run as root, or leave out --veth (the child keeps its loopback)", os.Geteuid())
	}
	return nil
}

// dropCapsThisThread removes caps from the bounding set (so no exec can bring
// them back), then from the effective, permitted and inheritable sets, and
// lowers them in the ambient set. Capability sets belong to a thread: the
// caller is locked to its thread and execs right after, which makes these sets
// the new program's. (Other threads of a Go process keep theirs, which is why
// procbox never drops caps without exec-ing next.)
func dropCapsThisThread(names []string) error {
	nums, err := capNumbers(names)
	if err != nil {
		return err
	}
	for _, c := range nums {
		// EINVAL: the running kernel does not know this cap; nothing to drop.
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL {
			return fmt.Errorf("drop %s from the bounding set: %v", kernel.CapName(c), err)
		}
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_LOWER, uintptr(c), 0, 0); err != nil && err != unix.EINVAL {
			return fmt.Errorf("lower ambient %s: %v", kernel.CapName(c), err)
		}
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %v", err)
	}
	for _, c := range nums {
		i, bit := c/32, uint32(1)<<(uint(c)%32)
		data[i].Effective &^= bit
		data[i].Permitted &^= bit
		data[i].Inheritable &^= bit
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %v", err)
	}
	return nil
}

// capsFromMask lists the names of the capabilities set in a CapEff-style
// mask, sorted by name.
func capsFromMask(mask uint64) []string {
	names := kernel.CapsFromMask(mask)
	sort.Strings(names)
	return names
}
