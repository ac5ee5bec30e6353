package isolate

// The cgroup v1 side: one directory per controller hierarchy, v1's limit
// files, and giving birth to the child inside its cgroups. See the kernel's
// Documentation/admin-guide/cgroup-v1.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"procbox/internal/units"
)

// cgroupV1Controllers are the v1 hierarchies procbox uses: memory, pids and cpu
// carry the limits; cpuacct reports CPU usage when it shares cpu's hierarchy.
// A directory is made only in a hierarchy whose controller has a limit: one
// made elsewhere would only move the child out of the caller's cgroup there.
var cgroupV1Controllers = []string{"memory", "pids", "cpu", "cpuacct"}

// v1LimitControllers lists the v1 controllers spec sets a limit on.
func v1LimitControllers(spec Spec) []string {
	var out []string
	if spec.MemoryMax > 0 {
		out = append(out, "memory")
	}
	if spec.PidsMax > 0 {
		out = append(out, "pids")
	}
	if spec.CPUMax > 0 {
		// cpuacct limits nothing, but it counts the CPU time the quota is
		// about (cpu.stat has no usage on v1); it often shares cpu's hierarchy.
		out = append(out, "cpu", "cpuacct")
	}
	return out
}

// createV1 makes one directory per controller spec limits, each below the
// caller's own cgroup in that hierarchy. A limit asked for on a controller
// that is not mounted is an error before anything is made.
func (c *Cgroup) createV1(spec Spec) ([]Step, error) {
	if err := c.layout.Supports(spec); err != nil {
		return nil, err
	}
	var steps []Step
	for _, ctrl := range v1LimitControllers(spec) {
		if c.layout.V1[ctrl] == "" {
			continue // cpuacct not mounted: no usage figure, the limit holds anyway
		}
		more, err := c.ensureV1(ctrl, false)
		steps = append(steps, more...)
		if err != nil {
			return steps, err
		}
	}
	return steps, nil
}

// ensureV1 gives the cgroup a directory in ctrl's hierarchy if it has none
// yet: below the caller's cgroup there, shared with the controllers mounted
// with it (cpu,cpuacct). When the cgroup already holds processes (a limit on a
// new controller for a live Lab child: move), they are moved in: v1 lets a
// process change cgroups in one hierarchy and stay put in the others.
func (c *Cgroup) ensureV1(ctrl string, move bool) ([]Step, error) {
	if c.dirs[ctrl] != "" {
		return nil, nil
	}
	parent, err := c.layout.v1Parent(ctrl)
	if err != nil {
		return nil, err
	}
	members := uniqueDirs(c.dirs) // before this one is added
	mount := c.layout.V1[ctrl]
	dir := filepath.Join(parent, c.name)
	if err := c.mkdir(dir); err != nil {
		return nil, fmt.Errorf("cannot create cgroup %s: %w", dir, cgroupErrno(err))
	}
	for _, k := range cgroupV1Controllers {
		if c.layout.V1[k] == mount {
			c.dirs[k] = dir
		}
	}
	what := "new cgroup in the v1 " + filepath.Base(mount) + " hierarchy"
	if parent != mount {
		what += ", below this process's own cgroup there (" + strings.TrimPrefix(parent, mount) + "), so its limits still hold"
	}
	steps := []Step{{What: what, Command: "mkdir " + dir}}
	if !move || len(members) == 0 {
		return steps, nil
	}
	from := filepath.Join(members[0], "cgroup.procs")
	if !c.plan && !c.layout.fixture {
		// A process may fork meanwhile: repeat until nothing is left to move.
		for range 10 {
			moved := 0
			have := map[int]bool{}
			for _, pid := range parseProcs(cgroupReadString(filepath.Join(dir, "cgroup.procs"))) {
				have[pid] = true
			}
			for _, pid := range parseProcs(cgroupReadString(from)) {
				if have[pid] {
					continue
				}
				if err := cgroupWriteFile(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(pid), false); err != nil && !errors.Is(err, unix.ESRCH) {
					return steps, err
				}
				moved++
			}
			if moved == 0 {
				break
			}
		}
	}
	return append(steps, Step{What: "move the child's processes into it",
		Command: "for p in $(cat " + from + "); do echo $p > " + filepath.Join(dir, "cgroup.procs") + "; done"}), nil
}

func (c *Cgroup) applyV1(old, spec Spec) ([]Step, Spec, error) {
	var steps []Step
	done := old
	if old.MemoryMax != spec.MemoryMax {
		more, err := c.ensureV1("memory", true)
		steps = append(steps, more...)
		if err != nil {
			return steps, done, err
		}
		dir := c.dirs["memory"]
		val, what := "-1", "no memory limit"
		if spec.MemoryMax > 0 {
			val, what = strconv.FormatInt(spec.MemoryMax, 10), "memory limit "+units.Bytes(spec.MemoryMax)
		}
		limit := func() error {
			st, err := c.write(filepath.Join(dir, "memory.limit_in_bytes"), val, what)
			if errors.Is(err, unix.EBUSY) {
				// v1 refuses a limit below what is in use if reclaim cannot get
				// there (v2 would OOM-kill instead).
				return fmt.Errorf("%w (the processes in it use more than %s and the kernel could not reclaim enough)",
					err, units.Bytes(spec.MemoryMax))
			}
			if err == nil {
				steps = append(steps, st)
			}
			return err
		}
		memsw := func() error {
			st, err := c.write(filepath.Join(dir, "memory.memsw.limit_in_bytes"), val,
				"the same limit on memory+swap, so a hog is killed rather than swapped out")
			if err == nil {
				steps = append(steps, st)
			}
			return err
		}
		first, second := limit, memsw
		// The kernel insists memsw >= limit at every moment: when the limit goes
		// up (or away), memsw must move first.
		if cgroupRaises(old.MemoryMax, spec.MemoryMax) {
			first, second = memsw, limit
		}
		if !c.useMemsw(dir) {
			first, second = limit, nil
		}
		if err := first(); err != nil {
			return steps, done, err
		}
		if second != nil {
			if err := second(); err != nil {
				return steps, done, err
			}
		}
		done.MemoryMax = spec.MemoryMax
	}
	if old.PidsMax != spec.PidsMax {
		more, err := c.ensureV1("pids", true)
		steps = append(steps, more...)
		if err != nil {
			return steps, done, err
		}
		dir := c.dirs["pids"]
		val, what := pidsMaxText(spec.PidsMax)
		st, err := c.write(filepath.Join(dir, "pids.max"), val, what)
		if err != nil {
			return steps, done, err
		}
		steps = append(steps, st)
		done.PidsMax = spec.PidsMax
	}
	if old.CPUMax != spec.CPUMax {
		more, err := c.ensureV1("cpu", true)
		steps = append(steps, more...)
		if err != nil {
			return steps, done, err
		}
		dir := c.dirs["cpu"]
		if old.CPUMax <= 0 && spec.CPUMax > 0 {
			st, err := c.write(filepath.Join(dir, "cpu.cfs_period_us"), strconv.Itoa(cgroupCFSPeriod),
				"count CPU time in periods of 100 ms")
			if err != nil {
				return steps, done, err
			}
			steps = append(steps, st)
		}
		val, what := "-1", "no CPU quota"
		if spec.CPUMax > 0 {
			q := cgroupCPUQuota(spec.CPUMax)
			val, what = strconv.FormatInt(q, 10), cgroupCPUWhat(spec.CPUMax, q)
		}
		st, err := c.write(filepath.Join(dir, "cpu.cfs_quota_us"), val, what)
		if err != nil {
			return steps, done, err
		}
		steps = append(steps, st)
		done.CPUMax = spec.CPUMax
	}
	return steps, done, nil
}

// useMemsw reports whether v1 swap must be limited too: only when swap
// accounting exists (the hierarchy root has memory.memsw.limit_in_bytes) and the
// host actually has swap. A fixture tree stands for a host with swap.
func (c *Cgroup) useMemsw(dir string) bool {
	if !cgroupFileExists(filepath.Join(filepath.Dir(dir), "memory.memsw.limit_in_bytes")) {
		return false
	}
	if c.layout.fixture {
		return true
	}
	return cgroupHostHasSwap()
}

// cgroupHostHasSwap reads /proc/swaps: a header line, then one line per swap area.
func cgroupHostHasSwap() bool {
	lines := strings.Split(strings.TrimSpace(cgroupReadString("/proc/swaps")), "\n")
	return len(lines) > 1
}

// canBearChild reports whether the child can be born inside this v1 cgroup by
// forking it from a thread that joined the cgroup first (see joinThread).
// Root only: the thread must be sure to get back to where it came from, and
// root can always write there. A fixture has no real threads to move.
func (c *Cgroup) canBearChild() bool {
	return c.version == CgroupV1 && !c.layout.fixture && !c.plan && os.Geteuid() == 0
}

// joinThread moves the calling OS thread, and only it, into every v1
// directory of the cgroup (echo 0 > tasks), so a process it forks is born
// there, like clone3's CLONE_INTO_CGROUP on v2. The caller must hold the
// thread (runtime.LockOSThread) until leave has run.
//
// Why not cgroup.procs after the fork: moving a whole process takes the
// kernel's global threadgroup lock for writing, which waits for an RCU grace
// period — about 10 ms on this kind of VM, most of `procbox run`'s time.
// Moving the writing thread itself skips that lock (Linux 5.x and later; older
// kernels are only slower, not wrong).
//
// leave moves the thread back to the cgroups it was in before. On error
// joinThread has already left whatever it joined.
func (c *Cgroup) joinThread() (leave func() error, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil, fmt.Errorf("cgroup %s was already removed", c.name)
	}
	home, err := threadCgroupDirs(c.layout)
	if err != nil {
		return nil, err
	}
	var joined []string // where to return to, one per directory joined
	leave = func() error {
		var errs []error
		for _, back := range joined {
			if err := cgroupWriteFile(filepath.Join(back, "tasks"), "0", false); err != nil {
				errs = append(errs, fmt.Errorf("moving procbox's thread back to %s: %w", back, err))
			}
		}
		joined = nil
		return errors.Join(errs...)
	}
	done := map[string]bool{}
	for _, ctrl := range cgroupV1Controllers {
		dir := c.dirs[ctrl]
		if dir == "" || done[dir] {
			continue
		}
		done[dir] = true
		back := home[ctrl]
		if back == "" {
			err = fmt.Errorf("cannot tell which %s cgroup this thread is in", ctrl)
		} else {
			err = cgroupWriteFile(filepath.Join(dir, "tasks"), "0", false)
		}
		if err != nil {
			return nil, errors.Join(err, leave())
		}
		joined = append(joined, back)
	}
	return leave, nil
}

// threadCgroupDirs maps each v1 controller to the directory of the cgroup the
// calling thread is in, from /proc/thread-self/cgroup ("4:memory:/a/b").
func threadCgroupDirs(l CgroupLayout) (map[string]string, error) {
	b, err := cgroupRead("/proc/thread-self/cgroup")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 || f[1] == "" {
			continue
		}
		for _, ctrl := range strings.Split(f[1], ",") {
			if mount := l.V1[ctrl]; mount != "" {
				out[ctrl] = filepath.Join(mount, f[2])
			}
		}
	}
	return out, nil
}
