package lessons

import (
	"time"

	"procbox/isolate"
)

// demoHostname is the hostname the uts step gives the child.
const demoHostname = "procbox-demo"

// timeOffset is how far the time step moves the child's monotonic clock.
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

// namespacesLesson: one step per namespace kind.
func namespacesLesson() Lesson {
	return Lesson{
		ID:      "namespaces",
		Title:   "Namespaces: each process its own view",
		Minutes: 20,
		Steps: []Step{
			nsStep(isolate.NSPID, "pid: its own process numbers",
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
				"The pid namespace comes with a mount namespace here so the child can mount its own /proc; otherwise ps would still read the host's."),
			nsStep(isolate.NSNet, "net: its own network stack",
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
			nsStep(isolate.NSMnt, "mnt: its own mount table",
				isolate.Spec{Namespaces: []string{isolate.NSMnt}},
				func(State) Result { return pass() },
				"Press a. The mount tables start as copies; from now on a mount on one side is invisible on the other.",
				"procbox makes / private in the child first, so no mount ever propagates back to the host."),
			nsStep(isolate.NSUTS, "uts: its own hostname",
				isolate.Spec{Namespaces: []string{isolate.NSUTS}, Hostname: demoHostname},
				func(s State) Result {
					if s.Child.Hostname == s.Host.Hostname {
						return missing("both sides still say the hostname is %q", s.Host.Hostname)
					}
					return pass()
				},
				"Press a: the child gets the hostname "+demoHostname+" while the host keeps its own.",
				"UTS stands for UNIX Time-sharing System, the struct that uname(2) returns."),
			nsStep(isolate.NSIPC, "ipc: its own message queues and shared memory",
				isolate.Spec{Namespaces: []string{isolate.NSIPC}},
				func(s State) Result {
					if n := s.Child.IPC.Queues + s.Child.IPC.Semaphores + s.Child.IPC.SharedMem; n != 0 {
						return missing("the child still sees %d System V IPC objects", n)
					}
					return pass()
				},
				"Press a: the child's System V IPC tables start empty, whatever the host holds.",
				"Try `ipcmk -Q` in the host shell: the queue shows up on the left only."),
			nsStep(isolate.NSUser, "user: its own user and group ids",
				isolate.Spec{Namespaces: []string{isolate.NSUser}, MapRoot: true},
				func(s State) Result {
					if s.Child.UIDMap == s.Host.UIDMap {
						return missing("the child's uid map %q is still the host's", s.Child.UIDMap)
					}
					return pass()
				},
				"Press a and read the uid_map lines: inside, uid 0 maps to a single uid outside.",
				"The child is root inside and nobody special outside: the heart of rootless containers."),
			nsStep(isolate.NSCgroup, "cgroup (extra): its own cgroup root",
				isolate.Spec{Namespaces: []string{isolate.NSCgroup}},
				func(s State) Result {
					if s.Child.CgroupPath == s.Host.CgroupPath {
						return missing("the child still sees its cgroup as %q, as the host does", s.Child.CgroupPath)
					}
					return pass()
				},
				"Press a: the host sees the child's cgroup by its full path, the child sees it as /.",
				"Without this the child learns the host's cgroup layout, which leaks names like the container id."),
			nsStep(isolate.NSTime, "time (extra): its own clocks",
				isolate.Spec{Namespaces: []string{isolate.NSTime}, TimeOffset: timeOffset},
				func(s State) Result {
					d := s.Child.Monotonic - s.Host.Monotonic
					if d < timeOffset/2 {
						return missing("the child's monotonic clock is only %s ahead of the host's", d.Round(time.Second))
					}
					return pass()
				},
				"Press a: the child's monotonic and boot clocks jump ahead by 10 days; the wall clock does not move.",
				"Time namespaces arrived in Linux 5.6; they exist for checkpoint/restore, so a restored process's clocks do not jump backwards."),
		},
		Quiz: []Question{
			{
				Prompt:  "Which namespace makes a container's first process PID 1?",
				Choices: []string{"mnt", "pid", "user", "uts"},
				Answer:  1,
				Explain: "A new pid namespace numbers its processes from 1; the host still knows them under their host PIDs.",
			},
			{
				Prompt:  "A new net namespace starts with which interfaces?",
				Choices: []string{"A copy of the host's", "Only a loopback, down", "eth0 and lo", "None at all, not even lo"},
				Answer:  1,
				Explain: "It is empty except for lo, which is down. A veth pair or similar must be added to reach anything.",
			},
			{
				Prompt:  "Being uid 0 inside a user namespace means…",
				Choices: []string{"Root on the host", "Root over the namespace's own resources, an ordinary uid outside", "Nothing at all", "Root only for reading files"},
				Answer:  1,
				Explain: "Capabilities inside a user namespace apply to what that namespace owns; outside it maps to the uid in uid_map.",
			},
		},
	}
}
