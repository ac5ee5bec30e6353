package lessons

import "procbox/isolate"

// capStep builds a step that drops one capability and shows the one action it guarded.
// errno is what the kernel answers: EPERM for most, EACCES for a privileged port.
func capStep(id, title, capName, experiment, errno, label, hint, notes string) Step {
	return Step{
		ID: id, Title: title, Text: "security/" + id + ".md",
		Spec:   isolate.Spec{DropCaps: []string{capName}},
		Action: Action{Kind: ActExperiment, Experiment: experiment, Label: label},
		Check:  all(denied(experiment, errno), capGone(capName)),
		Hint:   hint,
		Notes:  notes,
	}
}

// securityLesson: capabilities, seccomp and the Linux security modules.
func securityLesson() Lesson {
	return Lesson{
		ID:      "security",
		Title:   "Security: capabilities, seccomp, SELinux and AppArmor",
		Minutes: 14,
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
				Notes: "Effective is what the kernel checks; bounding is the ceiling no exec can raise.",
			},
			capStep("drop-chown", "Dropping cap_chown", "cap_chown", isolate.ExpChown, "EPERM",
				"try to chown a file without cap_chown",
				"Press a: the same chown that worked in the limits lesson now fails with EPERM.",
				"Compare with the limits lesson: same process, same uid 0, one capability fewer."),
			capStep("drop-bind", "Dropping cap_net_bind_service", "cap_net_bind_service", isolate.ExpBind80, "EACCES",
				"try to listen on port 80 without cap_net_bind_service",
				"Press a: binding a port below 1024 fails with EACCES; this one capability is all it needs.",
				"Ports below 1024 are 'privileged' by tradition; the capability is the whole of that privilege."),
			capStep("drop-raw", "Dropping cap_net_raw", "cap_net_raw", isolate.ExpRawSocket, "EPERM",
				"try to open a raw socket without cap_net_raw",
				"Press a: a raw socket (what ping uses to craft packets) is refused.",
				"Docker drops many capabilities by default but long kept cap_net_raw for ping."),
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
				Hint:  "Press a: mkdir returns EPERM, even for root with every capability.",
				Notes: "Seccomp filters on the system call itself, before any permission check: it is the last wall.",
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
				Choices: []string{"Permitted", "Effective", "Bounding", "Inheritable"},
				Answer:  1,
				Explain: "Effective is checked; permitted is what may be made effective; bounding caps what exec can grant.",
			},
			{
				Prompt:  "Root with every capability calls a syscall that seccomp denies. Result?",
				Choices: []string{"It succeeds: root bypasses seccomp", "It fails as the filter says (here EPERM)", "The kernel panics", "It is logged only"},
				Answer:  1,
				Explain: "Seccomp runs before permission checks and applies to root too.",
			},
			{
				Prompt:  "SELinux and AppArmor are…",
				Choices: []string{"Namespaces", "cgroup controllers", "Linux security modules: mandatory access control by label or path", "Seccomp profiles"},
				Answer:  2,
				Explain: "Both are LSMs: SELinux decides by labels, AppArmor by path-based profiles.",
			},
		},
	}
}
