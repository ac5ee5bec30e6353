package lessons

import (
	"slices"

	"procbox/isolate"
)

// limitsLesson: the workshop's open discussion made concrete on a plain process.
func limitsLesson() Lesson {
	plain := isolate.Spec{}
	return Lesson{
		ID:      "limits",
		Title:   "The limits of a plain process",
		Minutes: 8,
		Steps: []Step{
			{
				ID: "sees-all", Title: "It sees, and can signal, every process", Text: "limits/sees-all.md",
				Spec: plain, Action: Action{Kind: ActExperiment, Experiment: isolate.ExpKillHost, Label: "send signal 0 from the demo to procbox, a host process"},
				Check: all(allowed(isolate.ExpKillHost), viewsRead, nsShared(isolate.NSPID)),
				Hint:  "Press a: the demo sends signal 0 (a harmless 'are you there?') to procbox, whose PID the result names.",
				Notes: "Open the discussion here: before showing anything, ask the class what a plain process should NOT be able to do.",
			},
			{
				ID: "shared", Title: "It shares hostname, network and mounts", Text: "limits/shared.md",
				Spec: plain, Action: Action{Kind: ActLook, Label: "compare the demo's hostname, network and mounts with the host's"},
				Check: all(looked, viewsRead, nsShared(isolate.NSUTS), nsShared(isolate.NSNet), nsShared(isolate.NSMnt),
					func(s State) Result {
						if s.Child.Hostname != s.Host.Hostname {
							return missing("the child's hostname %q differs from the host's %q", s.Child.Hostname, s.Host.Hostname)
						}
						return pass()
					}),
				Hint:  "Press a and compare both columns: same hostname, same interfaces, same mounts.",
				Notes: "Ask: what if two services both want port 80, or both want /etc/app.conf to say different things?",
			},
			{
				ID: "fork", Title: "It can fork without end", Text: "limits/fork.md",
				Spec: plain, Action: Action{Kind: ActExperiment, Experiment: isolate.ExpForkBomb, Label: "start a (bounded) fork bomb in the demo"},
				Check: all(allowed(isolate.ExpForkBomb), func(s State) Result {
					if s.Child.Limits.PidsMax > 0 {
						return missing("the demo has a pids limit (%d); this step needs none", s.Child.Limits.PidsMax)
					}
					return pass()
				}),
				Hint:  "Press a. procbox's fork bomb stops itself at 500 processes (or 3 seconds); no limit made for it stops it first.",
				Notes: "Only pid_max and threads-max (host-wide), RLIMIT_NPROC (per user, root exempt) and systemd's TasksMax (a pids cgroup) stand in the way.",
			},
			{
				ID: "memory", Title: "It can use all the memory", Text: "limits/memory.md",
				Spec: plain, Action: Action{Kind: ActExperiment, Experiment: isolate.ExpMemoryHog, Label: "let the demo allocate memory (it stops at a safe size)"},
				Check: all(allowed(isolate.ExpMemoryHog), func(s State) Result {
					o, _ := s.Outcome(isolate.ExpMemoryHog)
					if o.OOMKilled {
						return missing("the demo was OOM-killed: it has a memory limit after all")
					}
					return pass()
				}),
				Hint:  "Press a: the demo allocates until it reaches procbox's safety stop. No limit stops it first.",
				Notes: "Without a limit the victim of the kernel's OOM killer can be any process on the machine, not necessarily the greedy one.",
			},
			{
				ID: "root", Title: "It runs with all of root's power", Text: "limits/root.md",
				Spec: plain, Action: Action{Kind: ActExperiment, Experiment: isolate.ExpChown, Label: "make the demo give a scratch file to uid 1 and take it back"},
				Check: all(allowed(isolate.ExpChown), func(s State) Result {
					if !slices.Contains(s.Child.CapEff, "cap_sys_admin") {
						return missing("the demo lacks cap_sys_admin: it is not running with root's full power")
					}
					return pass()
				}),
				Hint:  "Press a. As root, the demo may give a file to anyone (here a scratch file of its own); the panel lists its effective capabilities.",
				Notes: "This step is only this dramatic when procbox runs as root; ask why a web server would ever need cap_chown.",
			},
		},
		Quiz: []Question{
			{
				Prompt:  "Two plain processes on one host: which of these do they necessarily share?",
				Choices: []string{"Their memory", "Their file descriptors", "The hostname and the list of network interfaces", "Their environment"},
				Answer:  2,
				Explain: "Memory, fds and environment are per process; hostname, network and mounts are per host unless namespaces split them.",
				Needs:   []string{"hostname", "interface"},
			},
			{
				Prompt:  "What stops a plain process's fork bomb?",
				Choices: []string{"Its namespace", "Nothing made for it: host-wide and per-user limits only", "Its nice value", "The kernel spots the loop and stops it"},
				Answer:  1,
				Explain: "A pids limit in a cgroup stops one group of processes; without it only host-wide limits and the per-user RLIMIT_NPROC (which root ignores) apply.",
				Needs:   []string{"fork bomb", "RLIMIT_NPROC"},
			},
		},
	}
}
