package lessons

import (
	"procbox/isolate"
)

// containerSpec is everything of the previous lessons at once. The user
// namespace is left out as Docker does by default; the Lab can add it.
func containerSpec() isolate.Spec {
	return isolate.Spec{
		Namespaces: []string{isolate.NSPID, isolate.NSNet, isolate.NSMnt, isolate.NSUTS, isolate.NSIPC, isolate.NSCgroup},
		Hostname:   demoHostname,
		MemoryMax:  64 << 20,
		PidsMax:    64,
		CPUMax:     0.5,
		DropCaps:   []string{"cap_chown", "cap_net_raw", "cap_net_bind_service", "cap_sys_admin"},
		Seccomp:    []string{"mkdir", "mkdirat"},
	}
}

// containerLesson: all of it at once, and the four advantages measured.
func containerLesson() Lesson {
	full := containerSpec()
	withRoot := full
	withRoot.Rootfs = DemoRootfs
	isolatedKinds := func(s State) Result {
		for _, k := range full.Namespaces {
			if r := nsDiffers(k)(s); !r.Passed {
				return r
			}
		}
		return pass()
	}
	return Lesson{
		ID:      "container",
		Title:   "Putting it together: a container",
		Minutes: 12,
		Steps: []Step{
			{
				ID: "all", Title: "All of it at once", Text: "container/all.md",
				From: isolate.Spec{}, Spec: full,
				Action: Action{Kind: ActApply, Label: "switch every namespace, limit and filter on at once"},
				Check: all(viewsRead, isolatedKinds, func(s State) Result {
					l := s.Child.Limits
					if l.MemoryMax <= 0 || l.PidsMax <= 0 {
						return missing("the memory and pids limits are not in place")
					}
					if s.Child.Seccomp != 2 {
						return missing("no seccomp filter in the child")
					}
					return pass()
				}, capGone("cap_sys_admin")),
				Hint:  "Press a: the child is re-created with everything on. The two columns now disagree on almost every line.",
				Notes: "Pause here and let people name each line that differs and which lesson it came from.",
			},
			{
				ID: "rootfs", Title: "A root filesystem of its own", Text: "container/rootfs.md",
				From: full, Spec: withRoot,
				Action: Action{Kind: ActApply, Label: "give the container its own root filesystem (pivot_root)"},
				Check: all(viewsRead, nsDiffers(isolate.NSMnt), func(s State) Result {
					if s.Child.MountRoot == "" || s.Child.MountRoot == s.Host.MountRoot {
						return missing("the child's / is still the host's (%s)", s.Host.MountRoot)
					}
					if s.Child.MountCount >= s.Host.MountCount {
						return missing("the child still sees %d mounts, as many as the host", s.Child.MountCount)
					}
					return pass()
				}),
				Hint:  "Press a: the child is re-created inside a directory procbox prepared, which becomes its /.",
				Notes: "Ask what an image is: layer tarballs plus a config. The engine (containerd, CRI-O, Podman) unpacks the layers and stacks them with overlayfs, read-only below and one writable layer on top; procbox made a tiny plain directory.",
			},
			{
				ID: "encapsulation", Title: "Encapsulation", Text: "container/encapsulation.md",
				Spec:   withRoot,
				Action: Action{Kind: ActLook, Label: "measure what the container carries of its own"},
				Check: all(looked, viewsRead, nsDiffers(isolate.NSMnt), func(s State) Result {
					if s.Child.Hostname != demoHostname {
						return missing("the container's hostname is %q, not its own %q", s.Child.Hostname, demoHostname)
					}
					return pass()
				}),
				Hint:  "Press a: count the container's own mounts and hostname against the host's.",
				Notes: "The root filesystem is what an image carries: its own /usr, /lib and /etc. The demo's environment is procbox's, passed down; a container engine builds it from the image config instead.",
			},
			{
				ID: "isolation", Title: "Isolation", Text: "container/isolation.md",
				Spec:   withRoot,
				Action: Action{Kind: ActExperiment, Experiment: isolate.ExpKillHost, Label: "try to signal a host process from inside"},
				Check: all(denied(isolate.ExpKillHost, ""), viewsRead, func(s State) Result {
					if s.Child.ProcCount >= s.Host.ProcCount {
						return missing("the container sees %d processes, as many as the host", s.Child.ProcCount)
					}
					return pass()
				}),
				Hint:  "Press a: procbox, the host process the demo reached in the limits lesson, does not exist from inside (ESRCH).",
				Notes: "Same experiment as lesson 2, opposite result.",
			},
			{
				ID: "portability", Title: "Portability", Text: "container/portability.md",
				Spec:   withRoot,
				Action: Action{Kind: ActLook, Label: "compare what the container depends on with what it brings"},
				Check: all(looked, func(s State) Result {
					if s.Doctor.Kernel == "" {
						return missing("the host's kernel version is unknown")
					}
					if s.Child.PID != 1 || s.Child.Hostname != demoHostname {
						return missing("inside, the container should see itself as PID 1 on host %s", demoHostname)
					}
					return pass()
				}),
				Hint:  "Press a: inside, the container always sees PID 1 and its own hostname; only the kernel comes from the host.",
				Notes: "Portability has two limits: the kernel is shared, so a container needing a newer syscall fails on an old kernel; and the image's machine code is for one CPU architecture.",
			},
			{
				ID: "efficiency", Title: "Efficiency", Text: "container/efficiency.md",
				Spec:   withRoot,
				Action: Action{Kind: ActLook, Label: "measure the container's start time and memory"},
				Check: all(looked, func(s State) Result {
					if s.StartDuration <= 0 {
						return missing("the container's start time was not measured")
					}
					rss := s.ChildSnap.Memory.RSSBytes
					if rss <= 0 {
						return missing("the container's memory use was not measured")
					}
					if s.Spec.MemoryMax > 0 && rss > s.Spec.MemoryMax {
						return missing("the container uses %d bytes, more than its own limit", rss)
					}
					return pass()
				}),
				Hint:  "Press a: read the start time and resident memory in the panel. A virtual machine would boot a kernel first.",
				Notes: "Ask for a guess first: how long does a VM take to boot? Then read the number.",
			},
		},
		Quiz: []Question{
			{
				Prompt:  "What does a container share with its host that a virtual machine does not?",
				Choices: []string{"Its filesystem", "Its PID numbers", "Nothing", "The kernel"},
				Answer:  3,
				Explain: "Containers are processes on the host's kernel; a VM boots its own kernel on virtual hardware.",
			},
			{
				Prompt:  "Which mechanism makes a container unable to see host processes?",
				Choices: []string{"The pid namespace", "cgroups", "Seccomp", "Capabilities"},
				Answer:  0,
				Explain: "Visibility is namespaces' job; cgroups limit amounts, capabilities and seccomp limit actions.",
			},
			{
				Prompt:  "Why does a container start in milliseconds?",
				Choices: []string{"It is precompiled", "It is just a process with some kernel settings: no kernel to boot", "It caches RAM", "It skips permission checks"},
				Answer:  1,
				Explain: "Starting a container is a fork, a few unshares and writes to cgroupfs, then exec.",
			},
		},
	}
}
