package lessons

import "procbox/isolate"

const (
	demoMemoryMax = 64 << 20 // small enough to hit quickly, with room for the child itself (more under -race)
	demoPidsMax   = 16
	demoCPUMax    = 0.2
)

// cgroupsLesson: memory, pids and cpu limits, each pushed to its edge.
func cgroupsLesson() Lesson {
	return Lesson{
		ID:      "cgroups",
		Title:   "cgroups: limits on what a group may use",
		Minutes: 30,
		Steps: []Step{
			{
				ID: "versions", Title: "cgroup v1, v2 and this host", Text: "cgroups/versions.md",
				Spec:   isolate.Spec{MemoryMax: demoMemoryMax},
				Action: Action{Kind: ActLook, Label: "look at this host's cgroup layout and the demo's cgroup"},
				Check: all(looked, func(s State) Result {
					if s.Doctor.CgroupMode == "" || s.Doctor.CgroupMode == "none" {
						return missing("procbox found no cgroup filesystem on this host")
					}
					if s.Child.Limits.Version == "" {
						return missing("the demo's cgroup version is unknown")
					}
					return pass()
				}),
				Hint:  "Press a: the panel shows the host's cgroup mode (v1, v2 or hybrid) and the files that hold the demo's limits.",
				Notes: "On this class's machines the mode may differ: ask people to read theirs out loud.",
			},
			{
				ID: "memory", Title: "memory: an OOM kill inside the group", Text: "cgroups/memory.md",
				Spec:   isolate.Spec{MemoryMax: demoMemoryMax},
				Action: Action{Kind: ActExperiment, Experiment: isolate.ExpMemoryHog, Label: "let the demo allocate past its 64 MiB limit"},
				Check: all(ran(isolate.ExpMemoryHog), func(s State) Result {
					o, _ := s.Outcome(isolate.ExpMemoryHog)
					before := int64(0)
					if s.Before != nil {
						before = s.Before.Child.Limits.OOMKills
					}
					if !o.OOMKilled && s.Child.Limits.OOMKills <= before {
						return missing("no OOM kill: oom_kill is still %d", s.Child.Limits.OOMKills)
					}
					return pass()
				}),
				Hint:  "Press a: the allocation grows until the kernel kills it inside the cgroup; the host does not notice.",
				Notes: "The victim is picked inside the group only, never a neighbour outside it: that is the point.",
				DIY: diy(diyLimit("memory limit", func(c isolate.CgroupStats) int64 { return c.MemoryMax }),
					"The first line picks the tree and the file (v1: memory/…/memory.limit_in_bytes, v2: memory.max); then mkdir, 64M into the file, $$ into cgroup.procs.",
					"G=/sys/fs/cgroup/memory; F=memory.limit_in_bytes; [ -d $G ] || { G=/sys/fs/cgroup; F=memory.max; }; G=$G/learner-$$",
					"mkdir $G && echo $G",
					"echo 64M > $G/$F; echo $$ > $G/cgroup.procs", "exit"),
			},
			{
				ID: "pids", Title: "pids: a fork bomb contained", Text: "cgroups/pids.md",
				Spec:   isolate.Spec{PidsMax: demoPidsMax},
				Action: Action{Kind: ActExperiment, Experiment: isolate.ExpForkBomb, Label: "start a fork bomb in a group of at most 16 processes"},
				Check: all(ran(isolate.ExpForkBomb), func(s State) Result {
					o, _ := s.Outcome(isolate.ExpForkBomb)
					if o.Allowed && o.Errno == "" {
						return missing("the fork bomb was never refused a fork")
					}
					if s.Child.Limits.PidsMax <= 0 {
						return missing("the demo has no pids limit")
					}
					return pass()
				}),
				Hint:  "Press a: fork fails with EAGAIN once the group holds 16 processes.",
				Notes: "Contrast with the limits lesson, where the same bomb ran into nothing.",
				DIY: diy(diyLimit("pids limit", func(c isolate.CgroupStats) int64 { return c.PidsMax }),
					"The first line picks the tree (v1: /sys/fs/cgroup/pids, v2: /sys/fs/cgroup); then mkdir, 16 into pids.max, $$ into cgroup.procs.",
					"G=/sys/fs/cgroup/pids; [ -d $G ] || G=/sys/fs/cgroup; G=$G/learner-$$",
					"mkdir $G && echo $G",
					"echo 16 > $G/pids.max; echo $$ > $G/cgroup.procs",
					"sh -c 'for i in $(seq 20); do sleep 2 & done; wait'", "exit"),
			},
			{
				ID: "cpu", Title: "cpu: throttling", Text: "cgroups/cpu.md",
				Spec:   isolate.Spec{CPUMax: demoCPUMax},
				Action: Action{Kind: ActExperiment, Experiment: isolate.ExpCPUBurner, Label: "run a busy loop limited to 20% of one CPU"},
				Check: all(ran(isolate.ExpCPUBurner), func(s State) Result {
					before := int64(0)
					if s.Before != nil {
						before = s.Before.Child.Limits.NrThrottled
					}
					if s.Child.Limits.NrThrottled <= before {
						return missing("the group was never throttled (nr_throttled still %d)", s.Child.Limits.NrThrottled)
					}
					return pass()
				}),
				Hint:  "Press a: the busy loop wants 100% but the scheduler pauses the group after 20 ms of every 100 ms.",
				Notes: "Throttling is not killing: the process runs slower, not shorter.",
				DIY: diy(diyLimit("CPU quota", func(c isolate.CgroupStats) int64 { return c.CPUQuotaUsec }),
					"The first line picks the tree and the file (v1: cpu/…/cpu.cfs_quota_us, v2: cpu.max); then mkdir, 20000 into the file, $$ into cgroup.procs.",
					"G=/sys/fs/cgroup/cpu; F=cpu.cfs_quota_us; [ -d $G ] || { G=/sys/fs/cgroup; F=cpu.max; }; G=$G/learner-$$",
					"mkdir $G && echo $G",
					"echo 20000 > $G/$F; echo $$ > $G/cgroup.procs", "exit"),
			},
			cgroupV2Step(),
		},
		Quiz: []Question{
			{
				Prompt:  "A process in a cgroup with memory.max = 32M tries to use 64M. What happens?",
				Choices: []string{"The host's OOM killer picks any process", "malloc returns NULL at once", "It swaps forever", "The kernel reclaims, then kills within the group"},
				Answer:  3,
				Explain: "The limit is enforced for the group: reclaim first, then an OOM kill inside the group.",
			},
			{
				Prompt:  "In cgroup v2, where do all controllers live?",
				Choices: []string{"One single unified hierarchy", "One directory per controller", "In /proc", "In systemd only"},
				Answer:  0,
				Explain: "v1 mounts separate hierarchies, one per controller or a few together; v2 has one tree where controllers are enabled per subtree.",
			},
			{
				Prompt:  "A v2 group's memory use goes above its memory.high. What does the kernel do?",
				Choices: []string{"Kills the group's largest process at once", "Throttles the group's tasks and makes them reclaim; memory.events counts it", "Moves the group's memory to another node", "Nothing until memory.max is reached"},
				Answer:  1,
				Explain: "memory.high is the soft limit: throttling and reclaim, never the OOM killer, which belongs to memory.max.",
				Needs:   []string{"memory.high"},
			},
		},
	}
}
