package lessons

import (
	"fmt"
	"strings"
	"time"

	"procbox/isolate"
)

// demoHostname is the hostname the uts step gives the child.
const demoHostname = "procbox-demo"

// nobodyID is the unprivileged uid and gid the user step maps root to.
const nobodyID = 65534

// timeOffset is how far the time step moves the child's monotonic and boot-time clocks.
const timeOffset = 240 * time.Hour

// nsStep builds a namespace step: the child starts plain and the learner's
// action switches spec on; check adds the effect beyond "the inode differs".
func nsStep(kind, title string, spec isolate.Spec, extra func(State) Result, hint, notes string) Step {
	return Step{
		ID: kind, Title: title, Text: "namespaces/" + kind + ".md",
		From:   isolate.Spec{},
		Spec:   spec,
		Action: Action{Kind: ActApply, Label: "switch on the " + kind + " namespace for the demo child"},
		Check:  all(viewsRead, nsDiffers(kind), extra),
		Hint:   hint,
		Notes:  notes,
	}
}

// nsExperimentStep builds a namespace step whose child has the namespace from
// the start and whose action makes something inside it that the host must not see.
func nsExperimentStep(kind, title, experiment, label string, extra func(State) Result, hint, notes string) Step {
	return Step{
		ID: kind, Title: title, Text: "namespaces/" + kind + ".md",
		Spec:   isolate.Spec{Namespaces: []string{kind}},
		Action: Action{Kind: ActExperiment, Experiment: experiment, Label: label},
		Check:  all(allowed(experiment), viewsRead, nsDiffers(kind), extra),
		Hint:   hint,
		Notes:  notes,
	}
}

// diy builds a do-it-yourself path.
func diy(check func(State) Result, hint string, commands ...string) *DIY {
	return &DIY{Commands: commands, Check: check, Hint: hint}
}

// withDIY returns s with its do-it-yourself path set.
func withDIY(s Step, d *DIY) Step {
	s.DIY = d
	return s
}

// namespacesLesson: one step per namespace kind.
func namespacesLesson() Lesson {
	return Lesson{
		ID:      "namespaces",
		Title:   "Namespaces: each process its own view",
		Minutes: 32,
		Steps: []Step{
			withDIY(nsStep(isolate.NSPID, "pid: its own process numbers",
				isolate.Spec{Namespaces: []string{isolate.NSPID, isolate.NSMnt}},
				func(s State) Result {
					if s.Child.PID != 1 {
						return missing("inside, the child should be PID 1 but calls itself %d", s.Child.PID)
					}
					if s.Child.ProcCount >= s.Host.ProcCount {
						return missing("the child still sees %d processes, as many as the host", s.Child.ProcCount)
					}
					return pass()
				},
				"Press a. On the left the host still sees the child under its old PID; on the right the child is PID 1 and alone.",
				"The pid namespace comes with a mount namespace here so the child can mount its own /proc; otherwise ps would still read the host's. Ask what happens to the others when PID 1 exits: the kernel kills them all."),
				diy(diyNS(isolate.NSPID, "its own pid namespace as PID 1", func(_, p isolate.Observed) string {
					if p.InnerPID != 1 {
						return fmt.Sprintf("%s is PID %d inside, not 1", p.Comm, p.InnerPID)
					}
					return ""
				}), "Type unshare --pid --fork --mount-proc sh, then echo $$ (it says 1), then exit twice (sh, then your shell).",
					"unshare --pid --fork --mount-proc sh", "echo $$; ps", "exit", "exit")),
			withDIY(nsStep(isolate.NSNet, "net: its own network stack",
				isolate.Spec{Namespaces: []string{isolate.NSNet}},
				func(s State) Result {
					for _, i := range s.Child.Interfaces {
						if i.Name != "lo" {
							return missing("the child still sees the interface %s", i.Name)
						}
					}
					return pass()
				},
				"Press a, then compare the interface lists: the child has only a loopback (procbox switches it on; the kernel starts it down).",
				"Mention veth pairs: the Lab's --veth gives the child a cable to the host."),
				diy(diyNS(isolate.NSNet, "its own network namespace with only lo", func(_, p isolate.Observed) string {
					if len(p.Interfaces) == 0 {
						return p.Comm + "'s interfaces could not be read"
					}
					for _, i := range p.Interfaces {
						if i.Name != "lo" {
							return p.Comm + " still sees the interface " + i.Name
						}
					}
					return ""
				}), "Type unshare --net sh, then ip link, then exit twice (sh, then your shell).",
					"unshare --net sh", "ip link", "exit", "exit")),
			withDIY(nsExperimentStep(isolate.NSMnt, "mnt: its own mount table", isolate.ExpMountKeep,
				"mount a tmpfs inside the demo child's mount namespace",
				func(s State) Result {
					if s.Before == nil || s.Child.MountCount <= s.Before.Child.MountCount {
						return missing("the child still sees %d mounts: the new tmpfs is not there", s.Child.MountCount)
					}
					return pass()
				},
				"Press a: the child mounts a tmpfs; its mount count goes up by one, the host's does not.",
				"Ask where the mount is visible: only where it was made. procbox makes / private in the child first, so nothing ever propagates back to the host."),
				diy(diyNS(isolate.NSMnt, "its own mount namespace with a mount the host lacks", func(host, p isolate.Observed) string {
					if len(newMounts(host, p)) == 0 {
						return p.Comm + " has no mount the host lacks: mount something inside"
					}
					return ""
				}), "Type unshare --mount sh, then mount -t tmpfs learner /mnt, then exit twice (sh, then your shell).",
					"unshare --mount sh", "mount -t tmpfs learner /mnt", "grep learner /proc/self/mounts", "exit", "exit")),
			withDIY(nsStep(isolate.NSUTS, "uts: its own hostname",
				isolate.Spec{Namespaces: []string{isolate.NSUTS}, Hostname: demoHostname},
				func(s State) Result {
					if s.Child.Hostname == s.Host.Hostname {
						return missing("both sides still say the hostname is %q", s.Host.Hostname)
					}
					return pass()
				},
				"Press a: the child gets the hostname "+demoHostname+" while the host keeps its own.",
				"UTS stands for UNIX Time-sharing System, from struct utsname that uname(2) fills in."),
				diy(diyNS(isolate.NSUTS, "its own UTS namespace and hostname", func(host, p isolate.Observed) string {
					if p.Hostname == host.Hostname {
						return p.Comm + " still says the hostname is " + host.Hostname
					}
					return ""
				}), "Type unshare --uts sh, then hostname learner, then exit twice (sh, then your shell).",
					"unshare --uts sh", "hostname learner", "hostname", "exit", "exit")),
			withDIY(nsExperimentStep(isolate.NSIPC, "ipc: its own message queues and shared memory", isolate.ExpIPCQueue,
				"create a message queue inside the demo child's IPC namespace",
				func(s State) Result {
					c := s.Child.IPC
					if c.Queues == 0 {
						return missing("the child's IPC namespace holds no message queue")
					}
					if s.Before != nil && c.Queues <= s.Before.Child.IPC.Queues {
						return missing("the child still holds %d queues, as before", c.Queues)
					}
					if c == s.Host.IPC {
						return missing("both sides count the same IPC objects (%d queues)", c.Queues)
					}
					return pass()
				},
				"Press a: the child creates a message queue; it is counted on the child's side only.",
				"Try `ipcs -q` in a host terminal before and after: the child's queue never shows up there."),
				diy(diyNS(isolate.NSIPC, "its own IPC namespace holding an object", func(_, p isolate.Observed) string {
					if p.IPC.Queues+p.IPC.Semaphores+p.IPC.SharedMem == 0 {
						return p.Comm + "'s IPC namespace is still empty: create a queue with ipcmk -Q"
					}
					return ""
				}), "Type unshare --ipc sh, then ipcmk -Q, then exit twice (sh, then your shell).",
					"unshare --ipc sh", "ipcmk -Q", "ipcs -q", "exit", "exit")),
			withDIY(nsStep(isolate.NSUser, "user: its own user and group ids",
				isolate.Spec{Namespaces: []string{isolate.NSUser}, MapRoot: true, MapRootTo: nobodyID},
				func(s State) Result {
					if s.Child.UIDMap == s.Host.UIDMap {
						return missing("the child's uid map %q is still the host's", s.Child.UIDMap)
					}
					if f := strings.Fields(s.Child.UIDMap); len(f) < 2 || f[0] != "0" || f[1] == "0" {
						return missing("root inside is not an unprivileged uid outside (uid map %q)", s.Child.UIDMap)
					}
					return pass()
				},
				"Press a and read the uid_map lines: inside, uid 0 maps to a single uid outside, 65534 (nobody).",
				"Root inside, nobody outside: the heart of rootless containers. With a map 0 0 1 (root to root) the namespace would protect nothing."),
				diy(diyNS(isolate.NSUser, "its own user namespace mapping root to an unprivileged uid", unprivilegedRoot),
					"Type the lines: unshare --user sleep 300 & sleep 1, then echo '0 65534 1' > /proc/$!/uid_map, then kill %1 and exit.",
					"unshare --user sleep 300 & sleep 1", "echo '0 65534 1' > /proc/$!/uid_map", "cat /proc/$!/uid_map", "kill %1", "exit")),
			withDIY(nsStep(isolate.NSCgroup, "cgroup (extra): its own cgroup root",
				isolate.Spec{Namespaces: []string{isolate.NSCgroup}},
				func(s State) Result {
					if s.Child.CgroupPath == s.Host.CgroupPath {
						return missing("the child still sees its cgroup as %q, as the host does", s.Child.CgroupPath)
					}
					return pass()
				},
				"Press a: the host sees the child's cgroup by its full path, the child sees it as /.",
				"Without this the child learns the host's cgroup layout, which leaks names like the container id."),
				diy(diyNS(isolate.NSCgroup, "its own cgroup namespace", nil),
					"Type unshare --cgroup sh, then cat /proc/self/cgroup, then exit twice (sh, then your shell).",
					"unshare --cgroup sh", "cat /proc/self/cgroup", "exit", "exit")),
			withDIY(nsStep(isolate.NSTime, "time (extra): its own clocks",
				isolate.Spec{Namespaces: []string{isolate.NSTime}, TimeOffset: timeOffset},
				func(s State) Result {
					d := s.Child.Boottime - s.Host.Boottime
					if d < timeOffset/2 {
						return missing("the child's boot-time clock is only %s ahead of the host's", d.Round(time.Second))
					}
					return pass()
				},
				"Press a: the child's monotonic and boot-time clocks jump ahead by 10 days; the wall clock does not move.",
				"Time namespaces arrived in Linux 5.6; they exist for checkpoint/restore, so a restored process's clocks do not jump backwards."),
				diy(diyNS(isolate.NSTime, "its own time namespace with a boot-time offset", func(_, p isolate.Observed) string {
					if p.BoottimeOffset <= 0 {
						return p.Comm + "'s boot-time clock has no offset: use --boottime"
					}
					return ""
				}), "Type unshare --time --fork --boottime 864000 sh, then cat /proc/uptime, then exit twice (sh, then your shell).",
					"unshare --time --fork --boottime 864000 sh", "cat /proc/uptime", "exit", "exit")),
		},
		Quiz: []Question{
			{
				Prompt:  "Which namespace makes a container's first process PID 1?",
				Choices: []string{"mnt", "uts", "user", "pid"},
				Answer:  3,
				Explain: "A new pid namespace numbers its processes from 1; the host still knows them under their host PIDs.",
				Needs:   []string{"PID namespace"},
			},
			{
				Prompt:  "The PID 1 of a pid namespace exits. What happens to the other processes in it?",
				Choices: []string{"The kernel kills them all with SIGKILL", "They are adopted by the host's PID 1", "One of them becomes PID 1", "Nothing: they keep running"},
				Answer:  0,
				Explain: "pid_namespaces(7): when the namespace's init terminates, the kernel sends SIGKILL to every process in it.",
				Needs:   []string{"PID namespace", "SIGKILL"},
			},
			{
				Prompt:  "A new network namespace starts with which interfaces?",
				Choices: []string{"A copy of the host's", "eth0 and lo", "Only a loopback, down", "None at all, not even lo"},
				Answer:  2,
				Explain: "It is empty except for lo, which is down. A veth pair or similar must be added to reach anything.",
				Needs:   []string{"network namespace", "loopback"},
			},
			{
				Prompt:  "A user namespace maps 0 65534 1. Its root process…",
				Choices: []string{"Is root on the host", "Has capabilities over what its namespace owns, and is uid 65534 towards everything else", "Has no capabilities at all", "Can only read files"},
				Answer:  1,
				Explain: "Capabilities inside a user namespace apply to what that namespace owns; outside it is the uid in uid_map.",
				Needs:   []string{"user namespace", "uid_map"},
			},
		},
	}
}
