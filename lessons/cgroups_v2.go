package lessons

import (
	"path"
	"strings"
)

// The cgroup v2 step: the learner makes a group on the v2 tree (the whole
// tree on a v2 host, the cgroup2 mount beside v1 on a hybrid one), moves
// their shell into it and loads it. Its check reads the group through the
// readings of every process the learner started in it: cpu.stat and the
// pressure totals only grow, so the largest reading is the latest.

// learnerGroup is what the readings of the learner's processes in a v2
// group named learner say of that group, taken together.
type learnerGroup struct {
	seen                  bool
	path                  string
	cpuUsec, cpuSome      int64
	memoryHigh, highCount int64
	cpuWeight             int64
	memory, cpu           bool // the group has the controller (a v2 host's parent passed it down)
}

// gatherLearnerGroup folds the readings of the learner's processes that sat
// in a v2 group named learner (not procbox's own) into one.
func gatherLearnerGroup(s State) learnerGroup {
	g := learnerGroup{cpuUsec: -1, cpuSome: -1}
	for _, p := range s.Shell.Procs {
		u := p.Unified
		if u.Path == "" || u.Path == s.Shell.Host.Unified.Path || !strings.HasPrefix(path.Base(u.Path), "learner-") {
			continue
		}
		g.seen, g.path = true, u.Path
		g.cpuUsec = max(g.cpuUsec, u.CPUUsageUsec)
		g.cpuSome = max(g.cpuSome, u.CPUSomeUsec)
		g.memoryHigh = max(g.memoryHigh, u.MemoryHigh)
		g.highCount = max(g.highCount, u.MemoryHighEvents)
		if u.CPUWeight != 0 {
			g.cpuWeight = u.CPUWeight
		}
		g.memory = g.memory || u.Has("memory")
		g.cpu = g.cpu || u.Has("cpu")
	}
	return g
}

// cgroupV2Used passes when the learner's shell sat in a v2 group named
// learner-PID and burnt at least a second of CPU there with tasks waiting for a
// CPU (PSI), and, where the group has the memory and cpu controllers (a v2
// host), set memory.high, went over it, and set cpu.weight to 50.
func cgroupV2Used(s State) Result {
	if s.Shell == nil {
		return missing("you have not opened the shell yet: press s")
	}
	g := gatherLearnerGroup(s)
	switch {
	case !g.seen:
		return missing("none of the %d processes your shell started sat in a group named learner-PID on the cgroup v2 tree", len(s.Shell.Procs))
	case g.cpuUsec < 1_000_000:
		return missing("the group %s used %d ms of CPU: run the busy loops in it", g.path, max(g.cpuUsec, 0)/1000)
	case g.cpuSome == 0:
		return missing("no task of %s ever waited for a CPU (cpu.pressure some total=0): run one loop more than this host has CPUs", g.path)
	case g.memory && g.memoryHigh <= 0:
		return missing("this host's v2 group has the memory controller, but memory.high is not set")
	case g.memory && g.highCount == 0:
		return missing("the group never went over memory.high (memory.events high 0): run the dd line")
	case g.cpu && g.cpuWeight != 50:
		return missing("this host's v2 group has the cpu controller, but cpu.weight is %d, not 50", g.cpuWeight)
	}
	return pass()
}

// cgroupV2Step is the cgroups lesson's v2 step, done by hand only.
func cgroupV2Step() Step {
	s := byHandStep("v2", "cgroup v2: one tree, subtree_control, pressure", cgroupV2Used,
		"Press s: a group named learner-PID on the v2 tree, your shell in it, one busy loop more than CPUs, then read cpu.stat and cpu.pressure.",
		"On a hybrid host the +memory line fails with ENOENT; on a v2 host with EBUSY. Both are the point: ask why each.",
		cgroupV2Commands...)
	s.Text = "cgroups/v2.md"
	return s
}

// cgroupV2Commands work on a v2 and on a hybrid host: $U is the v2 tree.
var cgroupV2Commands = []string{
	"U=/sys/fs/cgroup/unified; [ -d $U ] || U=/sys/fs/cgroup; G=$U/learner-$$",
	"mkdir $G && echo $G && echo $$ > $G/cgroup.procs && grep '^0::' /proc/self/cgroup",
	"cat $G/cgroup.controllers; echo +memory > $G/cgroup.subtree_control",
	"[ -f $G/memory.high ] && echo 16M > $G/memory.high && echo 50 > $G/cpu.weight",
	"for i in $(seq $(($(nproc)+1))); do timeout 2 sh -c 'while :; do :; done' & done; wait",
	"[ -f $G/memory.high ] && dd if=/dev/zero of=/var/tmp/learner-$$ bs=1M count=64 && rm /var/tmp/learner-$$ && grep high $G/memory.events",
	"grep usage_usec $G/cpu.stat; cat $G/cpu.pressure",
	"exit",
}
