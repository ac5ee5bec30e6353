package lessons

import "procbox/isolate"

// capStep builds a step that drops one capability and shows the one action it guarded.
// errno is what the kernel answers: EPERM for most, EACCES for a privileged port.
func capStep(id, title, capName, experiment, errno, label, hint, notes string, commands ...string) Step {
	return Step{
		DIY: diy(diyCapDropped(capName), "Type capsh --drop="+capName+" -- to get a shell without it, then exit twice (capsh's shell, then your own).", commands...),
		ID:  id, Title: title, Text: "security/" + id + ".md",
		Spec:   isolate.Spec{DropCaps: []string{capName}},
		Action: Action{Kind: ActExperiment, Experiment: experiment, Label: label},
		Check:  all(denied(experiment, errno), capGone(capName)),
		Hint:   hint,
		Notes:  notes,
	}
}

// bindPort80 asks for port 80 the way any server does (socket, bind,
// listen) with the one tool every Debian-like host has: perl-base is
// Essential, and IO::Socket::INET is in it. Without the capability the
// kernel answers EACCES, which perl prints as "Permission denied".
const bindPort80 = `perl -MIO::Socket::INET -e 'IO::Socket::INET->new(LocalPort => 80, Listen => 1) or die "port 80: $!\n"; print "listening on 80\n"'`

// securityLesson: capabilities, seccomp and the Linux security modules.
func securityLesson() Lesson {
	return Lesson{
		ID:      "security",
		Title:   "Security: capabilities, seccomp, SELinux and AppArmor",
		Minutes: 23,
		Steps: []Step{
			{
				ID: "caps", Title: "Capabilities: root cut into pieces", Text: "security/caps.md",
				Spec:   isolate.Spec{},
				Action: Action{Kind: ActLook, Label: "read the demo's five capability sets"},
				Check: all(looked, func(s State) Result {
					c := s.ChildSnap.Caps
					if len(c.Bounding) == 0 {
						return missing("the bounding set is empty or unreadable")
					}
					return pass()
				}),
				Hint:  "Press a and read the five sets: effective, permitted, inheritable, bounding, ambient.",
				Notes: "Effective is what the kernel checks. Bounding limits what exec grants from a file's permitted set, but not from the inheritable set, and a new user namespace starts with a full set again.",
			},
			capStep("drop-chown", "Dropping cap_chown", "cap_chown", isolate.ExpChown, "EPERM",
				"try to chown a file without cap_chown",
				"Press a: the same chown that worked in the limits lesson now fails with EPERM.",
				"Compare with the limits lesson: same process, same uid 0, one capability fewer.",
				"capsh --drop=cap_chown --", `f=$(mktemp); chown nobody "$f"; rm -f "$f"`, "exit", "exit"),
			capStep("drop-bind", "Dropping cap_net_bind_service", "cap_net_bind_service", isolate.ExpBind80, "EACCES",
				"try to listen on port 80 without cap_net_bind_service",
				"Press a: binding a port below 1024 fails with EACCES; this one capability is all it needs.",
				"Where the privileged range ends is net.ipv4.ip_unprivileged_port_start, per network namespace; the capability is the whole of that privilege.",
				"sysctl net.ipv4.ip_unprivileged_port_start", "capsh --drop=cap_net_bind_service --", bindPort80, "exit", "exit"),
			capStep("drop-raw", "Dropping cap_net_raw", "cap_net_raw", isolate.ExpRawSocket, "EPERM",
				"try to open a raw socket without cap_net_raw",
				"Press a: opening a raw socket (packets built by hand, headers included) is refused.",
				"Docker's default set still includes cap_net_raw; ping no longer needs it where net.ipv4.ping_group_range lets users open ICMP datagram sockets.",
				"capsh --drop=cap_net_raw --", "exit", "exit"),
			{
				ID: "seccomp", Title: "seccomp: deny a system call", Text: "security/seccomp.md",
				Spec:   isolate.Spec{Seccomp: []string{"mkdir", "mkdirat"}},
				Action: Action{Kind: ActExperiment, Experiment: isolate.ExpMkdir, Label: "try mkdir under a filter that denies it"},
				Check: all(denied(isolate.ExpMkdir, "EPERM"), func(s State) Result {
					if s.Child.Seccomp != 2 {
						return missing("the child's seccomp mode is %d, not 2 (filter)", s.Child.Seccomp)
					}
					return pass()
				}),
				Hint: "Press a: mkdir returns EPERM, even for root with every capability.",
				DIY: diy(shellProc("a seccomp filter", func(host, p isolate.Observed) string {
					if p.Seccomp != 2 || host.Seccomp == 2 {
						return p.Comm + " runs without a seccomp filter"
					}
					return ""
				}), "Type procbox run --seccomp mkdir,mkdirat -- sh, then try mkdir.",
					"procbox run --seccomp mkdir,mkdirat -- sh", "grep Seccomp /proc/self/status", "mkdir /tmp/learner-dir", "exit", "exit"),
				Notes: "Seccomp filters the system call itself, before the call runs any permission check. procbox's filter is a denylist; Docker's default profile is an allowlist.",
			},
			{
				ID: "lsm", Title: "SELinux and AppArmor", Text: "security/lsm.md",
				Spec:   isolate.Spec{},
				Action: Action{Kind: ActLook, Label: "ask which security module this host runs and the demo's label"},
				Check: all(looked, func(s State) Result {
					if s.Doctor.LSM == "" {
						return missing("the host report does not say which security module runs")
					}
					if s.ChildSnap.LSM == "" {
						return missing("the demo's security label was not read")
					}
					return pass()
				}),
				Hint:  "Press a: the panel names the active module (or says none is active) and the demo's label.",
				Notes: "If the room runs Fedora, ask someone to show `ps -eZ`; on Ubuntu, `aa-status`.",
			},
		},
		Quiz: []Question{
			{
				Prompt:  "Which capability set does the kernel check when a process acts?",
				Choices: []string{"Permitted", "Bounding", "Effective", "Inheritable"},
				Answer:  2,
				Explain: "Effective is checked; permitted is what may be made effective; bounding caps what exec can grant from a file's permitted set.",
				Needs:   []string{"effective", "permitted", "bounding"},
			},
			{
				Prompt:  "Root with every capability makes a system call that seccomp denies. Result?",
				Choices: []string{"It fails as the filter says (here EPERM)", "It succeeds: root bypasses seccomp", "The kernel panics", "It is logged only"},
				Answer:  0,
				Explain: "Seccomp runs before permission checks and applies to root too.",
				Needs:   []string{"seccomp", "system call"},
			},
			{
				Prompt:  "SELinux and AppArmor are…",
				Choices: []string{"Namespaces", "cgroup controllers", "Seccomp profiles", "Linux security modules: mandatory access control by label or path"},
				Answer:  3,
				Explain: "Both are LSMs: SELinux decides by labels, AppArmor by path-based profiles.",
				Needs:   []string{"SELinux", "AppArmor", "security module"},
			},
			{
				Prompt:  "A process dropped cap_sys_admin from its bounding set, then makes a new user namespace. Inside it…",
				Choices: []string{"cap_sys_admin can never come back", "It holds cap_sys_admin again, over what that namespace owns", "It becomes root on the host", "It cannot create the namespace at all"},
				Answer:  1,
				Explain: "capabilities(7), user_namespaces(7): the first process of a new user namespace gets a full set, valid only for the namespace's own resources.",
				Needs:   []string{"bounding", "user namespace"},
			},
		},
	}
}
