package lessons

import "procbox/isolate"

// processLesson: what a process is, shown on a plain demo process.
func processLesson() Lesson {
	plain := isolate.Spec{}
	look := Action{Kind: ActLook, Label: "inspect the demo process (its PID, parent and ids)"}
	return Lesson{
		ID:      "process",
		Title:   "What is a process",
		Minutes: 15,
		Steps: []Step{
			{
				ID: "pid", Title: "PID, PPID and the parent chain", Text: "process/pid.md",
				Spec: plain, Action: look,
				Check: all(looked, func(s State) Result {
					if s.ChildSnap.PID <= 0 {
						return missing("the snapshot has no PID")
					}
					if s.ChildSnap.PPID <= 0 {
						return missing("the snapshot has no parent PID")
					}
					return pass()
				}),
				Hint:  "Press a. The live panel shows the PID, the PPID and the chain of parents up to PID 1.",
				Notes: "Ask the room who the parent of the demo is. It is procbox itself; then follow the chain to PID 1. Kernel threads hang below PID 2, kthreadd.",
			},
			{
				ID: "ids", Title: "UID and GID: who owns the process", Text: "process/ids.md",
				Spec: plain, Action: look,
				Check: all(looked, func(s State) Result {
					u := s.ChildSnap.UIDs
					if u.Real.ID != u.Effective.ID {
						return missing("real uid %d and effective uid %d differ; expected the same for the demo", u.Real.ID, u.Effective.ID)
					}
					return pass()
				}),
				Hint:  "Press a and compare the real and effective ids in the panel.",
				Notes: "A set-user-ID program such as passwd is the classic case where real and effective differ; the saved set-user-ID lets it switch back.",
			},
			{
				ID: "nice", Title: "Priority and nice", Text: "process/nice.md",
				Spec: plain, Action: Action{Kind: ActExperiment, Experiment: isolate.ExpRenice, Label: "renice the demo process by +5"},
				Check: all(ran(isolate.ExpRenice), func(s State) Result {
					if s.Before == nil || s.Before.ChildSnap == nil || s.ChildSnap == nil {
						return missing("need a snapshot from before and after the renice")
					}
					b, a := s.Before.ChildSnap, s.ChildSnap
					if a.Nice <= b.Nice {
						return missing("nice is still %d (was %d): it should have gone up", a.Nice, b.Nice)
					}
					if a.Priority == b.Priority {
						return missing("nice changed but the priority stayed %d", a.Priority)
					}
					return pass()
				}),
				Hint:  "Press a: the demo raises its own nice value by 5. Watch nice and priority change together.",
				Notes: "Lowering nice (more priority) needs cap_sys_nice or a soft RLIMIT_NICE that allows it: only going up is free for everyone.",
			},
			{
				ID: "memory", Title: "Memory space", Text: "process/memory.md",
				Spec: plain, Action: Action{Kind: ActLook, Label: "read the demo process's memory map"},
				Check: all(looked, func(s State) Result {
					kinds := map[string]bool{}
					for _, k := range s.ChildSnap.Memory.Kinds {
						kinds[k.Kind] = true
					}
					if !kinds["stack"] {
						return missing("the memory map has no stack mapping")
					}
					if s.ChildSnap.Memory.RSSBytes <= 0 {
						return missing("the resident size is unknown")
					}
					return pass()
				}),
				Hint:  "Press a and read the map by kind: text, heap, stack, libraries, anonymous memory.",
				Notes: "Stress the word virtual: the same address in two processes is two different bytes. The code addresses match only because procbox is not built as PIE; ASLR moves the stacks.",
			},
			{
				ID: "fds", Title: "File descriptors", Text: "process/fds.md",
				Spec: plain, Action: Action{Kind: ActExperiment, Experiment: isolate.ExpOpenFile, Label: "make the demo process open a file"},
				Check: all(ran(isolate.ExpOpenFile), func(s State) Result {
					if s.Before == nil || s.Before.ChildSnap == nil || s.ChildSnap == nil {
						return missing("need the fd table from before and after opening the file")
					}
					if len(s.ChildSnap.FDs) <= len(s.Before.ChildSnap.FDs) {
						return missing("still %d file descriptors: no new one appeared", len(s.ChildSnap.FDs))
					}
					return pass()
				}),
				Hint:  "Press a: the demo opens a file and keeps it open. A new number appears after 0, 1 and 2.",
				Notes: "Everything is a file descriptor: ask what fd a socket would get.",
			},
			{
				ID: "env", Title: "Environment variables", Text: "process/env.md",
				Spec: plain, Action: Action{Kind: ActExperiment, Experiment: isolate.ExpEnvChild, Label: "start a grandchild with PROCBOX_DEMO=1"},
				Check: all(allowed(isolate.ExpEnvChild), func(s State) Result {
					if s.ChildSnap == nil {
						return missing("need a snapshot of the demo process to look at its environment")
					}
					if _, ok := s.ChildSnap.Env["PROCBOX_DEMO"]; ok {
						return missing("the demo process itself has PROCBOX_DEMO: the variable leaked upwards")
					}
					return pass()
				}),
				Hint:  "Press a. The grandchild reports PROCBOX_DEMO=1; the demo process's own environment has no such variable.",
				Notes: "Environment flows down only, copied at fork/exec time. This is why `export` in a subshell does nothing to its parent.",
			},
			{
				ID: "registers", Title: "Registers", Text: "process/registers.md",
				Spec: plain, Action: Action{Kind: ActRegisters, Label: "read the demo process's registers"},
				Check: func(s State) Result {
					if s.Registers == nil {
						return missing("no register snapshot yet: press a")
					}
					r := s.Registers
					if r.PC == 0 || r.SP == 0 {
						return missing("the snapshot has no program counter or stack pointer")
					}
					if r.TID == 0 || r.Thread == "" {
						return missing("the snapshot does not say which thread it read")
					}
					if r.LaterPC == 0 || r.LaterPC == r.PC {
						return missing("the PC did not move between the two looks (%#x): the thread read was not running", r.PC)
					}
					return pass()
				},
				Hint:  "Press a: procbox reads a busy thread of the demo twice with ptrace; the two PCs differ.",
				Notes: "Ask why registers belong to a thread and not a process: each thread has its own PC and stack in one shared memory space.",
			},
		},
		Quiz: []Question{
			{
				Prompt:  "A process's parent exits. What happens to the process?",
				Choices: []string{"It is killed with its parent", "It keeps a PPID of 0", "It becomes a zombie forever", "It is adopted by PID 1 (or the nearest subreaper)"},
				Answer:  3,
				Explain: "Orphans are re-parented to init or to a subreaper, which will reap them when they exit.",
				Needs:   []string{"parent", "PID 1", "subreaper"},
			},
			{
				Prompt:  "Which nice value gives a process the least CPU when the CPU is contended?",
				Choices: []string{"19", "0", "-20", "Nice does not affect CPU"},
				Answer:  0,
				Explain: "Nice runs from -20 (greedy) to 19 (polite). Higher nice means a smaller share.",
				Needs:   []string{"nice", "contended"},
			},
			{
				Prompt:  "A shell runs FOO=1 cmd. Who can see FOO?",
				Choices: []string{"The shell and cmd", "Every process of the user", "cmd and whatever cmd starts", "Only the shell"},
				Answer:  2,
				Explain: "The environment is copied into the new process and its descendants; it never flows back up.",
				Needs:   []string{"environment"},
			},
		},
	}
}
