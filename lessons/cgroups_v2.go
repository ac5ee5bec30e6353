package lessons

import "strings"

// The cgroup v2 step: the learner makes a group on the v2 tree (the whole
// tree on a v2 host, the cgroup2 mount beside v1 on a hybrid one) with a
// leaf below it, moves their shell into the leaf, passes memory and cpu down
// to it where the host can, and loads it. Its check reads the leaf through
// the readings of every process the learner started in it: cpu.stat, the
// pressure totals and memory.events only grow, so the largest reading is
// the latest.

// learnerGroup is what the readings of the learner's processes in the
// learner-PID/leaf group on the v2 tree say of it, taken together.
type learnerGroup struct {
	seen                  bool
	path                  string
	cpuUsec, cpuSome      int64
	memoryHigh, highCount int64
	cpuWeight             int64
	memory, cpu           bool // the leaf has the controller: learner-PID passed it down
}

// inLearnerLeaf reports whether a v2 path is a learner's leaf, /…/learner-PID/leaf.
func inLearnerLeaf(p string) bool {
	dir, leaf, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/leaf")
	if !ok || leaf != "" {
		return false
	}
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		dir = dir[i+1:]
	}
	return strings.HasPrefix(dir, "learner-")
}

// gatherLearnerGroup folds the readings of the learner's processes that sat
// in a learner's leaf into one.
func gatherLearnerGroup(s State) learnerGroup {
	g := learnerGroup{cpuUsec: -1, cpuSome: -1}
	for _, p := range s.Shell.Procs {
		u := p.Unified
		if !inLearnerLeaf(u.Path) {
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

// cgroupV2Used passes when the learner's shell sat in learner-PID/leaf on
// the v2 tree and burnt at least a second of CPU there with tasks waiting
// for a CPU (PSI). Where the v2 tree offers memory and cpu (procbox's own
// group has them: a v2 host), the leaf must have got them through
// learner-PID's cgroup.subtree_control, and used them: memory.high set and
// gone over, cpu.weight 50. A hybrid host's tree offers neither.
func cgroupV2Used(s State) Result {
	if s.Shell == nil {
		return missing("you have not opened the shell yet: press s")
	}
	g := gatherLearnerGroup(s)
	host := s.Shell.Host.Unified
	switch {
	case !g.seen:
		return missing("none of the %d processes your shell started sat in learner-PID/leaf on the cgroup v2 tree", len(s.Shell.Procs))
	case g.cpuUsec < 1_000_000:
		return missing("the group %s used %d ms of CPU: run the busy loops in it", g.path, max(g.cpuUsec, 0)/1000)
	case g.cpuSome == 0:
		return missing("no task of %s ever waited for a CPU (cpu.pressure some total=0): run one loop more than this host has CPUs", g.path)
	case host.Has("memory") && !g.memory:
		return missing("this host's v2 tree offers memory, but %s never got it: +memory into the parent's cgroup.subtree_control", g.path)
	case g.memory && g.memoryHigh <= 0:
		return missing("%s has the memory controller, but memory.high is not set", g.path)
	case g.memory && g.highCount == 0:
		return missing("the group never went over memory.high (memory.events high 0): run the dd line")
	case host.Has("cpu") && !g.cpu:
		return missing("this host's v2 tree offers cpu, but %s never got it: +cpu into the parent's cgroup.subtree_control", g.path)
	case g.cpu && g.cpuWeight != 50:
		return missing("%s has the cpu controller, but cpu.weight is %d, not 50", g.path, g.cpuWeight)
	}
	return pass()
}

// cgroupV2Step is the cgroups lesson's v2 step, done by hand only.
func cgroupV2Step() Step {
	s := byHandStep("v2", "cgroup v2: one tree, subtree_control, pressure", cgroupV2Used,
		"Press s: a group learner-PID with a leaf on the v2 tree, your shell in the leaf, memory and cpu passed down where the host can, one busy loop more than CPUs, then cpu.stat and cpu.pressure.",
		"On a hybrid host the +memory line fails with ENOENT (a v1 hierarchy holds memory); on a v2 host it works because the shell sits in the leaf, not in the group that passes memory down. Ask what EBUSY would have meant.",
		cgroupV2Commands...)
	s.Text = "cgroups/v2.md"
	return s
}

// cgroupV2Commands work on a v2 and on a hybrid host: $U is the v2 tree.
var cgroupV2Commands = []string{
	"U=/sys/fs/cgroup/unified; [ -d $U ] || U=/sys/fs/cgroup; G=$U/learner-$$",
	"mkdir -p $G/leaf && echo $G && echo $$ > $G/leaf/cgroup.procs && grep '^0::' /proc/self/cgroup",
	"cat $G/cgroup.controllers; for c in memory cpu; do echo +$c > $G/cgroup.subtree_control; done; cat $G/cgroup.subtree_control",
	"[ -f $G/leaf/memory.high ] && echo 16M > $G/leaf/memory.high && echo 50 > $G/leaf/cpu.weight",
	"for i in $(seq $(($(nproc)+1))); do timeout 2 sh -c 'while :; do :; done' & done; wait",
	"[ -f $G/leaf/memory.high ] && dd if=/dev/zero of=/var/tmp/learner-$$ bs=1M count=64 && rm /var/tmp/learner-$$ && grep high $G/leaf/memory.events",
	"grep usage_usec $G/leaf/cpu.stat; cat $G/leaf/cpu.pressure",
	"exit",
}
