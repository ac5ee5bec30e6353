package isolate

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Explain lists what procbox does for spec, in order, each as the shell command
// a person would type to do the same by hand. It creates nothing: cgroup paths
// are predicted ("procbox-<pid>-N"); Run and Start return the real ones.
func Explain(spec Spec) []Step {
	steps := namespaceSteps(spec)
	steps = append(steps, predictedCgroupSteps(spec)...)
	steps = append(steps, childSetupSteps(spec)...)
	return steps
}

// cgroupRoot is where every host procbox supports mounts its cgroups.
const cgroupRoot = "/sys/fs/cgroup"

// unshareFlags maps a namespace kind to its unshare(1) option.
var unshareFlags = map[string]string{
	NSPID: "--pid --fork", NSNet: "--net", NSMnt: "--mount", NSUTS: "--uts",
	NSIPC: "--ipc", NSUser: "--user", NSCgroup: "--cgroup", NSTime: "--time",
}

// nsWhat says in a few words what each namespace gives the child.
var nsWhat = map[string]string{
	NSPID:    "new pid namespace: the child is PID 1 and sees only its own tree",
	NSNet:    "new net namespace: only a loopback interface",
	NSMnt:    "new mount namespace: mounts inside never reach the host",
	NSUTS:    "new uts namespace: its own hostname",
	NSIPC:    "new ipc namespace: the host's SysV queues, semaphores and shared memory vanish",
	NSUser:   "new user namespace: its own uid/gid numbering and capabilities",
	NSCgroup: "new cgroup namespace: the child's cgroup looks like /",
	NSTime:   "new time namespace: monotonic and boot clocks can be shifted",
}

// namespaceSteps is one step per namespace, then the whole unshare(1) line.
func namespaceSteps(spec Spec) []Step {
	if len(spec.Namespaces) == 0 {
		return nil
	}
	var steps []Step
	all := []string{"unshare"}
	for _, ns := range AllNamespaces {
		if !spec.Has(ns) {
			continue
		}
		cmd := "unshare " + unshareFlags[ns]
		switch ns {
		case NSPID:
			if spec.Has(NSMnt) {
				cmd += " --mount-proc"
			}
		case NSUser:
			if spec.MapRoot {
				cmd += mapRootFlags(spec)
			}
		case NSTime:
			if spec.TimeOffset > 0 {
				cmd += timeOffsetFlags(spec.TimeOffset)
			}
		}
		what := nsWhat[ns]
		if ns == NSCgroup {
			// The order matters, and the comment is the Step's What, not part of the command.
			what += " (unshared after the child is placed in its cgroup, so that cgroup becomes its /)"
		}
		steps = append(steps, Step{What: what, Command: cmd})
		all = append(all, unshareFlags[ns])
		if ns == NSPID && spec.Has(NSMnt) {
			all = append(all, "--mount-proc")
		}
		if ns == NSUser && spec.MapRoot {
			all = append(all, strings.TrimSpace(mapRootFlags(spec)))
		}
		if ns == NSTime && spec.TimeOffset > 0 {
			all = append(all, strings.TrimSpace(timeOffsetFlags(spec.TimeOffset)))
		}
	}
	all = append(all, "CMD")
	steps = append(steps, Step{What: "all namespaces in one command", Command: strings.Join(all, " ")})
	return steps
}

func timeOffsetFlags(d time.Duration) string {
	secs := int64(d / time.Second)
	return fmt.Sprintf(" --monotonic %d --boottime %d", secs, secs)
}

// predictedCgroupSteps says which cgroup files Run would write, on this
// host's real layout, writing nothing (the directory name is the one the
// next cgroup of this process gets; CHILD_PID stands for the child).
func predictedCgroupSteps(spec Spec) []Step {
	if spec.MemoryMax == 0 && spec.PidsMax == 0 && spec.CPUMax == 0 {
		return nil
	}
	l, err := DetectCgroups(cgroupRoot)
	if err == nil && l.Mode == CgroupNone {
		err = fmt.Errorf("no cgroup filesystem is mounted under %s", cgroupRoot)
	}
	if err == nil {
		var steps []Step
		if steps, err = PlanCgroup(l, spec); err == nil {
			return steps
		}
	}
	return []Step{{What: "cgroup limits cannot be set here: " + err.Error(), Command: "# (procbox run would fail)"}}
}

// childSetupSteps are the steps the child takes on itself, in the order it
// takes them (see child_linux.go).
func childSetupSteps(spec Spec) []Step {
	var steps []Step
	if spec.Veth {
		steps = append(steps,
			Step{What: "veth pair: one end stays on the host", Command: "ip link add pbxPIDh type veth peer name pbxPIDc"},
			Step{What: "the other end goes into the child's net namespace", Command: "ip link set pbxPIDc netns CHILD_PID"},
			Step{What: "host address", Command: "ip addr add 10.200.X.1/30 dev pbxPIDh && ip link set pbxPIDh up"},
			Step{What: "child address", Command: "nsenter -t CHILD_PID -n sh -c 'ip addr add 10.200.X.2/30 dev pbxPIDc && ip link set pbxPIDc up'"})
	}
	if spec.Has(NSMnt) {
		steps = append(steps, Step{What: "make every mount private, so nothing propagates back to the host", Command: "mount --make-rprivate /"})
	}
	if spec.Rootfs != "" {
		steps = append(steps,
			Step{What: "the new root must be a mount point", Command: fmt.Sprintf("mount --bind %s %s", spec.Rootfs, spec.Rootfs)},
			Step{What: "a fresh /proc that shows this pid namespace, in the new root (only the child's own processes: no /proc/PID/root leads back to the host's /, which is why --rootfs needs --ns pid); before the pivot, because in a user namespace the kernel mounts a new proc only while a fully visible one is in the mount namespace",
				Command: fmt.Sprintf("mkdir -p %s/proc && mount -t proc proc %s/proc", spec.Rootfs, spec.Rootfs)},
			Step{What: "swap the root and drop the old one", Command: fmt.Sprintf("cd %s && pivot_root . . && umount -l .", spec.Rootfs)})
	}
	// With --rootfs, /proc is in place already (above).
	if spec.Rootfs == "" && spec.Has(NSMnt) && spec.Has(NSPID) {
		steps = append(steps, Step{What: "a fresh /proc that shows this pid namespace", Command: "mount -t proc proc /proc"})
	} else if spec.Has(NSPID) && !spec.Has(NSMnt) {
		steps = append(steps, Step{What: "no mnt namespace: /proc stays the host's, so ps still lists host processes", Command: "# (add --ns mnt for a fresh /proc)"})
	}
	steps = append(steps, kernelFileSteps(spec)...)
	if spec.Has(NSCgroup) {
		steps = append(steps, Step{What: "enter a new cgroup namespace now that the child is placed", Command: "unshare --cgroup"})
	}
	if spec.Hostname != "" {
		steps = append(steps, Step{What: "set the hostname inside", Command: "hostname " + spec.Hostname})
	}
	if spec.Has(NSNet) {
		steps = append(steps, Step{What: "bring up loopback in the new net namespace", Command: "ip link set lo up"})
	}
	// No step for the time offsets: unshare --monotonic/--boottime (above)
	// already writes /proc/PID/timens_offsets, and it must: the kernel takes
	// the offsets only before the first process enters the new time
	// namespace (time_namespaces(7)), so the same write typed into a shell
	// already inside fails.
	if len(spec.DropCaps) > 0 || len(spec.Seccomp) > 0 {
		steps = append(steps, Step{What: "no_new_privs: no setuid binary can give privileges back (setpriv sets it, then runs CMD)", Command: "setpriv --no-new-privs CMD"})
	}
	if len(spec.DropCaps) > 0 {
		caps := strings.Join(spec.DropCaps, ",")
		// capsh --drop empties the bounding set; the exec that follows then
		// leaves the caps out of the permitted and effective sets as well.
		steps = append(steps, Step{What: "drop capabilities: from the bounding set, so no later exec regains them, and from the effective, permitted and inheritable sets",
			Command: "capsh --drop=" + caps + " --"})
	}
	if len(spec.Seccomp) > 0 {
		denied := expandSyscalls(spec.Seccomp)
		var owners []string
		for _, c := range seccompArgCalls(denied) {
			owners = append(owners, c.Text)
		}
		also := ""
		if len(owners) > 0 {
			also = "; so do " + strings.Join(owners, ", ") + " (the same job by another call: naming a signal's owner, making namespaces at fork)"
		}
		steps = append(steps, Step{What: "seccomp filter, installed last: " + strings.Join(denied, ", ") + " fail with EPERM" + also + " " +
			"(each name denies its whole family, the calls that do the same job, as Docker's default profile groups them)",
			Command: "# no stock tool; in code: seccomp(SECCOMP_SET_MODE_FILTER, TSYNC, deny " + strings.Join(denied, ",") + " -> EPERM)"})
	}
	return steps
}

// kernelFileSteps says how the child's mount namespace protects cgroupfs and
// the kernel's tunables (readonly_linux.go), or, without one, that the limits
// only hold against a child that is not root.
func kernelFileSteps(spec Spec) []Step {
	limits := spec.MemoryMax > 0 || spec.PidsMax > 0 || spec.CPUMax > 0
	if !spec.Has(NSMnt) {
		if !limits {
			return nil
		}
		return []Step{{What: "no mnt namespace: /sys/fs/cgroup stays writable inside, so a root child can move itself out of its cgroup " +
			"or raise its own limits; they are advisory against root (add --ns mnt, and --drop-caps cap_sys_admin, for limits that hold)",
			Command: "# (add --ns mnt)"}}
	}
	what := "kernel files read-only, as runc's readonlyPaths: /sys with /sys/fs/cgroup below it, /proc/sys, /proc/sysrq-trigger, " +
		"/proc/irq, /proc/bus, /proc/fs, each with every mount below it (EROFS inside: no leaving the cgroup, no raising a limit, " +
		"no tuning the host's kernel)"
	if !capsDropped(spec, "cap_sys_admin") {
		what += "; a child that keeps cap_sys_admin could remount them read-write, which is why runc drops it by default"
		// Root of the user namespace is uid 0 outside with --map-root run by
		// root, and without it too when root runs procbox (the map keeps 0).
		if spec.Has(NSUser) && spec.MapRootTo == 0 && (spec.MapRoot || os.Geteuid() == 0) && limits {
			// Found by the red team: root of its own user namespace may unmount
			// what it mounted itself (these copies are not locked) or mount
			// cgroupfs afresh in its cgroup namespace; run by root, the map
			// makes it uid 0 outside, so the cgroup files accept its writes.
			what += "; that includes root of a user namespace, which may unmount these copies or, with --ns cgroup, mount cgroupfs " +
				"afresh and write its own limits, and which is uid 0 on the host when you run procbox as root: " +
				"against it the limits are advisory unless you also --drop-caps cap_sys_admin"
		}
	}
	// In the child's order (readonly_linux.go): masks first, since a
	// read-only /sys would refuse the tmpfs; paths this kernel lacks are
	// skipped, as the child skips them.
	return []Step{
		{What: "mask what only leaks the host's secrets, as runc's maskedPaths (/proc/kcore, /proc/keys, /proc/timer_list, " +
			"/proc/sched_debug, /proc/latency_stats under /dev/null; /proc/acpi, /proc/scsi, /sys/firmware under an empty tmpfs), " +
			"and procbox's own " + ownerRunDir + " (the ownership locks: a child must not forge or delete them)",
			Command: "for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do [ ! -e $f ] || mount --bind /dev/null $f; done; " +
				"for d in /proc/acpi /proc/scsi /sys/firmware " + ownerRunDir + "; do [ ! -d $d ] || mount -t tmpfs -o ro,size=0 tmpfs $d; done"},
		{What: what, Command: "for p in /sys /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs; do " +
			"[ ! -e $p ] || { mount --rbind $p $p && for m in $(awk -v p=$p '$5 == p || index($5, p \"/\") == 1 {print $5}' /proc/self/mountinfo); " +
			"do mount -o remount,bind,ro $m; done; }; done"},
	}
}

// capsDropped reports whether spec drops capability name (or all of them).
func capsDropped(spec Spec, name string) bool {
	for _, c := range spec.DropCaps {
		if c == name || c == "all" {
			return true
		}
	}
	return false
}

// mapRootFlags is how unshare maps root inside: to the caller, or to
// MapRootTo (util-linux 2.38 and later; it writes the map with newuidmap).
func mapRootFlags(spec Spec) string {
	if spec.MapRootTo > 0 {
		n := strconv.Itoa(spec.MapRootTo)
		return " --map-users=" + n + ",0,1 --map-groups=" + n + ",0,1"
	}
	return " --map-root-user"
}

// NeedsRoot lists, in a few words each, the parts of spec that an
// unprivileged caller (euid != 0) cannot do: namespaces other than user need
// CAP_SYS_ADMIN, which only a user namespace of the child's own gives a
// normal user; limits need a cgroup the caller may write (root, or a
// delegated subtree); the host end of a veth needs the host's CAP_NET_ADMIN.
// It is empty for root, and for a spec a normal user can run.
func NeedsRoot(spec Spec, euid int) []string {
	if euid == 0 {
		return nil
	}
	var out []string
	if !spec.Has(NSUser) && len(spec.Namespaces) > 0 {
		out = append(out, "namespaces "+strings.Join(spec.Namespaces, ",")+" (add --ns user to make them as you)")
	}
	if spec.MemoryMax > 0 || spec.PidsMax > 0 || spec.CPUMax > 0 {
		out = append(out, "the cgroup limits (unless your cgroup is delegated to you)")
	}
	if spec.Veth {
		out = append(out, "--veth (its host end lives in the host's network namespace)")
	}
	return out
}
