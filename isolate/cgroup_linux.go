package isolate

// Creating, limiting, reading and removing procbox's cgroups on Linux, for
// cgroup v1, v2 and hybrid hosts. See cgroups(7).

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupV1Controllers are the v1 hierarchies procbox uses: memory, pids and cpu
// carry the limits; cpuacct only reports CPU usage. A directory is made in each
// one that is mounted, even without a limit, so Stats can show usage.
var cgroupV1Controllers = []string{"memory", "pids", "cpu", "cpuacct"}

// cgroupV2Controllers are enabled for procbox's cgroups on v2 hosts.
var cgroupV2Controllers = []string{"memory", "pids", "cpu"}

// cgroupCFSPeriod is the CPU accounting period procbox uses, in µs: the quota is
// "this many µs of CPU time in every 100 ms".
const cgroupCFSPeriod = 100000

// cgroupRemoveTimeout bounds how long Remove waits for killed processes to leave.
const cgroupRemoveTimeout = 2 * time.Second

// DetectCgroups reads the layout under root (statfs on live mounts; directory layout on a
// temp-dir fixture, so tests can fake v1, v2 and hybrid). An empty root means /sys/fs/cgroup.
func DetectCgroups(root string) (CgroupLayout, error) {
	if root == "" {
		root = "/sys/fs/cgroup"
	}
	l := CgroupLayout{Mode: CgroupNone, Root: root, V1: map[string]string{}}
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return l, nil
		}
		return l, fmt.Errorf("cannot inspect %s: %w", root, err)
	}
	// A cgroup2 filesystem at the root is a pure v2 host.
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		l.Mode, l.Unified = CgroupV2, root
		return l, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return l, fmt.Errorf("cannot list %s: %w", root, err)
	}
	// v1 and hybrid hosts mount a tmpfs at the root and one filesystem per
	// hierarchy below it. Symlinks ("cpu" -> "cpu,cpuacct") are aliases of a
	// directory that is listed anyway, so they are skipped.
	live := false
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		var sub unix.Statfs_t
		if unix.Statfs(dir, &sub) != nil {
			continue
		}
		switch sub.Type {
		case unix.CGROUP_SUPER_MAGIC:
			live = true
			for _, ctrl := range strings.Split(e.Name(), ",") {
				l.V1[ctrl] = dir
			}
		case unix.CGROUP2_SUPER_MAGIC:
			live = true
			l.Unified = dir
		}
	}
	if !live {
		cgroupInferFixture(&l, entries)
	}
	switch {
	case len(l.V1) > 0 && l.Unified != "":
		l.Mode = CgroupHybrid
	case len(l.V1) > 0:
		l.Mode = CgroupV1
	case l.Unified != "":
		l.Mode = CgroupV2
	default:
		l.fixture = false
	}
	return l, nil
}

// cgroupInferFixture reads a plain directory tree the way a kernel would lay it
// out: cgroup.controllers marks a v2 hierarchy (at the root: pure v2; in a
// subdirectory: the unified half of a hybrid host), cgroup.procs alone a v1 one.
func cgroupInferFixture(l *CgroupLayout, entries []fs.DirEntry) {
	l.fixture = true
	if cgroupFileExists(filepath.Join(l.Root, "cgroup.controllers")) {
		l.Unified = l.Root
		return
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(l.Root, e.Name())
		switch {
		case cgroupFileExists(filepath.Join(dir, "cgroup.controllers")):
			l.Unified = dir
		case cgroupFileExists(filepath.Join(dir, "cgroup.procs")):
			for _, ctrl := range strings.Split(e.Name(), ",") {
				l.V1[ctrl] = dir
			}
		}
	}
}

// Supports says, without creating anything, whether the limits in spec can be
// set on this layout: nil, or an error naming the missing controller. A spec
// without limits is always supported (the cgroup then only serves statistics).
func (l CgroupLayout) Supports(spec Spec) error {
	need := []struct {
		ctrl string
		on   bool
	}{{"memory", spec.MemoryMax > 0}, {"pids", spec.PidsMax > 0}, {"cpu", spec.CPUMax > 0}}
	var available []string
	switch l.limitsOn() {
	case CgroupV2:
		available = strings.Fields(cgroupReadString(filepath.Join(l.Unified, "cgroup.controllers")))
	case CgroupNone:
		for _, n := range need {
			if n.on {
				return fmt.Errorf("a %s limit needs cgroups, and no cgroup filesystem is mounted under %s", n.ctrl, l.Root)
			}
		}
		return nil
	}
	for _, n := range need {
		if !n.on {
			continue
		}
		if l.limitsOn() == CgroupV1 && l.V1[n.ctrl] == "" {
			return fmt.Errorf("cgroup v1 %s controller not mounted under %s", n.ctrl, l.Root)
		}
		if l.limitsOn() == CgroupV2 && !cgroupContains(available, n.ctrl) {
			return fmt.Errorf("cgroup v2 %s controller not available in %s/cgroup.controllers", n.ctrl, l.Unified)
		}
	}
	return nil
}

// NewCgroup creates the cgroup for spec (memory/pids/cpu as asked; on v1 also creates
// dirs in the controllers used for stats even with no limit, e.g. memory+pids+cpu,cpuacct so
// Stats works), writes the limits and returns the equivalent shell commands
// ("mkdir /sys/fs/cgroup/memory/procbox-123-1", "echo 67108864 > …/memory.limit_in_bytes").
// On v2 it enables the controllers in the parent's cgroup.subtree_control if needed.
//
// Swap: a memory limit alone lets a hog page out to swap instead of being
// OOM-killed. On v2 memory.swap.max is set to 0 with a memory limit. On v1,
// memory.memsw.limit_in_bytes (memory+swap) is set to the same value when the
// host has swap and swap accounting; without swap (the dev and CI machines) there
// is nothing to limit and the step is left out.
//
// If anything fails halfway, what was created is removed again. Controllers
// enabled in the parent's cgroup.subtree_control stay enabled, there and on
// Remove: other cgroups may rely on them, and they limit nothing by themselves.
func NewCgroup(l CgroupLayout, spec Spec) (*Cgroup, []Step, error) {
	c := &Cgroup{
		layout: l,
		name:   cgroupName(os.Getpid(), cgroupSeq.Add(1)),
		dirs:   map[string]string{},
	}
	var steps []Step
	var err error
	switch l.limitsOn() {
	case CgroupV1:
		c.version = CgroupV1
		steps, err = c.createV1(spec)
	case CgroupV2:
		c.version = CgroupV2
		steps, err = c.createV2(spec)
	default:
		return nil, nil, fmt.Errorf("no cgroup filesystem is mounted under %s", l.Root)
	}
	if err != nil {
		if rerr := cgroupRemoveDirs(c.Dirs(), l.fixture); rerr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", rerr))
		}
		return nil, nil, err
	}
	more, _, err := c.apply(Spec{}, spec)
	steps = append(steps, more...)
	if err != nil {
		if rerr := cgroupRemoveDirs(c.Dirs(), l.fixture); rerr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", rerr))
		}
		return nil, nil, err
	}
	c.applied = spec
	return c, steps, nil
}

// PlanCgroup returns the steps NewCgroup(l, spec) followed by AddProc would
// take, without touching anything: `procbox run --explain` prints them. The
// directory name is the one the next NewCgroup of this process will use, and
// CHILD_PID stands for the pid the child will get.
func PlanCgroup(l CgroupLayout, spec Spec) ([]Step, error) {
	c := &Cgroup{
		layout: l,
		name:   cgroupName(os.Getpid(), cgroupSeq.Load()+1),
		dirs:   map[string]string{},
		plan:   true,
	}
	var steps []Step
	var err error
	switch l.limitsOn() {
	case CgroupV1:
		c.version = CgroupV1
		steps, err = c.createV1(spec)
	case CgroupV2:
		c.version = CgroupV2
		steps, err = c.createV2(spec)
	default:
		return nil, fmt.Errorf("no cgroup filesystem is mounted under %s", l.Root)
	}
	if err != nil {
		return nil, err
	}
	more, _, err := c.apply(Spec{}, spec)
	if err != nil {
		return nil, err
	}
	steps = append(steps, more...)
	return append(steps, c.addProcStep("CHILD_PID")), nil
}

// createV1 makes one directory per mounted controller procbox uses. A limit
// asked for on a controller that is not mounted is an error before anything is made.
func (c *Cgroup) createV1(spec Spec) ([]Step, error) {
	if err := c.layout.Supports(spec); err != nil {
		return nil, err
	}
	var steps []Step
	made := map[string]bool{}
	for _, ctrl := range cgroupV1Controllers {
		mount := c.layout.V1[ctrl]
		if mount == "" {
			continue
		}
		dir := filepath.Join(mount, c.name)
		c.dirs[ctrl] = dir
		if made[dir] {
			continue // co-mounted with a controller already handled (cpu,cpuacct)
		}
		made[dir] = true
		if err := c.mkdir(dir); err != nil {
			delete(c.dirs, ctrl)
			return steps, fmt.Errorf("cannot create cgroup %s: %w", dir, cgroupErrno(err))
		}
		steps = append(steps, Step{
			What:    "new cgroup in the v1 " + filepath.Base(mount) + " hierarchy",
			Command: "mkdir " + dir,
		})
	}
	return steps, nil
}

// createV2 makes the single directory and, first, enables the controllers for
// it: on v2 a child cgroup only gets memory.max, pids.max and cpu.max files when
// its parent lists those controllers in cgroup.subtree_control.
func (c *Cgroup) createV2(spec Spec) ([]Step, error) {
	parent := c.layout.Unified
	if err := c.layout.Supports(spec); err != nil {
		return nil, err
	}
	available := strings.Fields(cgroupReadString(filepath.Join(parent, "cgroup.controllers")))
	enabled := cgroupSubtreeControl(cgroupReadString(filepath.Join(parent, "cgroup.subtree_control")))
	var add []string
	for _, ctrl := range cgroupV2Controllers {
		if cgroupContains(available, ctrl) && !cgroupContains(enabled, ctrl) {
			add = append(add, "+"+ctrl)
		}
	}
	var steps []Step
	if len(add) > 0 {
		st, err := c.write(filepath.Join(parent, "cgroup.subtree_control"), strings.Join(add, " "),
			"let child cgroups use "+strings.Join(add, " "))
		if errors.Is(err, unix.EBUSY) {
			// The "no internal processes" rule: outside the root, a v2 cgroup
			// can either hold processes or hand controllers to children, not both.
			return nil, fmt.Errorf("%w (processes live directly in %s, and a v2 cgroup that holds processes cannot give controllers to child cgroups)", err, parent)
		}
		if err != nil {
			return nil, err
		}
		steps = append(steps, st)
	}
	dir := filepath.Join(parent, c.name)
	if err := c.mkdir(dir); err != nil {
		return steps, fmt.Errorf("cannot create cgroup %s: %w", dir, cgroupErrno(err))
	}
	c.dirs[""] = dir
	steps = append(steps, Step{What: "new cgroup", Command: "mkdir " + dir})
	return steps, nil
}

// Update rewrites limits in place for a new spec (the Lab's live changes). Only
// the limits that differ from the last ones written are touched.
func (c *Cgroup) Update(spec Spec) ([]Step, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil, fmt.Errorf("cgroup %s was already removed", c.name)
	}
	steps, done, err := c.apply(c.applied, spec)
	// Record what is now in place even after a partial failure, so the next
	// Update compares against the kernel's state, not the wish.
	c.applied = done
	return steps, err
}

// apply writes the limits that differ between old and spec. done is old with
// the limits that were written successfully changed to spec's.
func (c *Cgroup) apply(old, spec Spec) (steps []Step, done Spec, err error) {
	if c.version == CgroupV2 {
		return c.applyV2(old, spec)
	}
	return c.applyV1(old, spec)
}

func (c *Cgroup) applyV1(old, spec Spec) ([]Step, Spec, error) {
	var steps []Step
	done := old
	if old.MemoryMax != spec.MemoryMax {
		dir, ok := c.dirs["memory"]
		if !ok {
			return steps, done, fmt.Errorf("cgroup v1 memory controller not mounted under %s", c.layout.Root)
		}
		val, what := "-1", "no memory limit"
		if spec.MemoryMax > 0 {
			val, what = strconv.FormatInt(spec.MemoryMax, 10), "memory limit "+cgroupBytes(spec.MemoryMax)
		}
		limit := func() error {
			st, err := c.write(filepath.Join(dir, "memory.limit_in_bytes"), val, what)
			if errors.Is(err, unix.EBUSY) {
				// v1 refuses a limit below what is in use if reclaim cannot get
				// there (v2 would OOM-kill instead).
				return fmt.Errorf("%w (the processes in it use more than %s and the kernel could not reclaim enough)",
					err, cgroupBytes(spec.MemoryMax))
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
		dir, ok := c.dirs["pids"]
		if !ok {
			return steps, done, fmt.Errorf("cgroup v1 pids controller not mounted under %s", c.layout.Root)
		}
		val, what := "max", "no limit on the number of processes"
		if spec.PidsMax > 0 {
			val, what = strconv.FormatInt(spec.PidsMax, 10), "at most "+strconv.FormatInt(spec.PidsMax, 10)+" processes"
		}
		st, err := c.write(filepath.Join(dir, "pids.max"), val, what)
		if err != nil {
			return steps, done, err
		}
		steps = append(steps, st)
		done.PidsMax = spec.PidsMax
	}
	if old.CPUMax != spec.CPUMax {
		dir, ok := c.dirs["cpu"]
		if !ok {
			return steps, done, fmt.Errorf("cgroup v1 cpu controller not mounted under %s", c.layout.Root)
		}
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

func (c *Cgroup) applyV2(old, spec Spec) ([]Step, Spec, error) {
	dir := c.dirs[""]
	var steps []Step
	done := old
	if old.MemoryMax != spec.MemoryMax {
		val, what := "max", "no memory limit"
		if spec.MemoryMax > 0 {
			val, what = strconv.FormatInt(spec.MemoryMax, 10), "memory limit "+cgroupBytes(spec.MemoryMax)
		}
		st, err := c.write(filepath.Join(dir, "memory.max"), val, what)
		if err != nil {
			return steps, done, err
		}
		steps = append(steps, st)
		// With a limit, no swap: the lesson is the OOM kill, not a slow hog
		// paging out. memory.swap.max only exists with swap accounting; without
		// it there is nothing to turn off.
		swap, swapWhat := "0", "no swap, so going past the limit means the OOM killer"
		if spec.MemoryMax <= 0 {
			swap, swapWhat = "max", "swap allowed again"
		}
		if old.MemoryMax <= 0 || spec.MemoryMax <= 0 {
			st, err := c.write(filepath.Join(dir, "memory.swap.max"), swap, swapWhat)
			switch {
			case err == nil:
				steps = append(steps, st)
			case !errors.Is(err, fs.ErrNotExist):
				return steps, done, err
			}
		}
		done.MemoryMax = spec.MemoryMax
	}
	if old.PidsMax != spec.PidsMax {
		val, what := "max", "no limit on the number of processes"
		if spec.PidsMax > 0 {
			val, what = strconv.FormatInt(spec.PidsMax, 10), "at most "+strconv.FormatInt(spec.PidsMax, 10)+" processes"
		}
		st, err := c.write(filepath.Join(dir, "pids.max"), val, what)
		if err != nil {
			return steps, done, err
		}
		steps = append(steps, st)
		done.PidsMax = spec.PidsMax
	}
	if old.CPUMax != spec.CPUMax {
		val, what := "max "+strconv.Itoa(cgroupCFSPeriod), "no CPU quota"
		if spec.CPUMax > 0 {
			q := cgroupCPUQuota(spec.CPUMax)
			val, what = strconv.FormatInt(q, 10)+" "+strconv.Itoa(cgroupCFSPeriod), cgroupCPUWhat(spec.CPUMax, q)
		}
		st, err := c.write(filepath.Join(dir, "cpu.max"), val, what)
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

// cgroupRaises reports whether a memory limit goes up (0 = none = the highest).
func cgroupRaises(old, spec int64) bool {
	if spec <= 0 {
		return old > 0
	}
	return old > 0 && spec > old
}

// cgroupCPUQuota turns a fraction of one CPU into µs per period. The kernel
// refuses quotas under 1 ms.
func cgroupCPUQuota(frac float64) int64 {
	q := int64(frac*cgroupCFSPeriod + 0.5)
	if q < 1000 {
		q = 1000
	}
	return q
}

func cgroupCPUWhat(frac float64, quota int64) string {
	return fmt.Sprintf("CPU quota %s ms of every 100 ms (%g CPU)",
		strconv.FormatFloat(float64(quota)/1000, 'f', -1, 64), frac)
}

// AddProc moves pid into the cgroup (v1: each controller's cgroup.procs; v2: cgroup.procs).
func (c *Cgroup) AddProc(pid int) (Step, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return Step{}, fmt.Errorf("cgroup %s was already removed", c.name)
	}
	val := strconv.Itoa(pid)
	for _, dir := range uniqueDirs(c.dirs) {
		if err := cgroupWriteFile(filepath.Join(dir, "cgroup.procs"), val, c.layout.fixture); err != nil {
			return Step{}, err
		}
	}
	return c.addProcStep(val), nil
}

// addProcStep is the shell command that moves pid into every directory.
func (c *Cgroup) addProcStep(pid string) Step {
	var files []string
	for _, dir := range uniqueDirs(c.dirs) {
		files = append(files, filepath.Join(dir, "cgroup.procs"))
	}
	st := Step{What: "move process " + pid + " into cgroup " + c.name}
	if len(files) == 1 {
		st.Command = "echo " + pid + " > " + files[0]
	} else {
		// One line a person can paste: tee writes the pid into every hierarchy.
		st.Command = "echo " + pid + " | tee " + strings.Join(files, " ") + " >/dev/null"
	}
	return st
}

// DirFD opens the v2 directory for SysProcAttr.UseCgroupFD/CgroupFD; ok=false on v1.
// The caller closes fd once the child has started. Starting the child straight
// into its cgroup (clone3 CLONE_INTO_CGROUP) means it never runs a single
// instruction outside its limits.
func (c *Cgroup) DirFD() (fd int, ok bool, err error) {
	if c.version != CgroupV2 {
		return -1, false, nil
	}
	fd, err = unix.Open(c.dirs[""], unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, false, fmt.Errorf("cannot open cgroup %s: %w", c.dirs[""], err)
	}
	return fd, true, nil
}

// Stats reads limits and usage (memory max/current/oom_kills, pids max/current,
// cpu quota/period/usage/throttled). A file that does not exist (a controller
// not mounted) leaves its value at "none" (-1) or 0; other read errors are returned
// with whatever could be read.
func (c *Cgroup) Stats() (CgroupStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := CgroupStats{Version: c.version, MemoryMax: -1, PidsMax: -1, CPUQuotaUsec: -1}
	if c.removed {
		return s, fmt.Errorf("cgroup %s was already removed", c.name)
	}
	r := cgroupReader{}
	if c.version == CgroupV2 {
		dir := c.dirs[""]
		r.value(filepath.Join(dir, "memory.max"), &s.MemoryMax)
		r.value(filepath.Join(dir, "memory.current"), &s.MemoryCurrent)
		r.key(filepath.Join(dir, "memory.events"), "oom_kill", &s.OOMKills, 1)
		r.value(filepath.Join(dir, "pids.max"), &s.PidsMax)
		r.value(filepath.Join(dir, "pids.current"), &s.PidsCurrent)
		if text, ok := r.read(filepath.Join(dir, "cpu.max")); ok {
			q, p, err := parseCPUMax(text)
			if err != nil {
				r.errs = append(r.errs, err)
			} else {
				s.CPUQuotaUsec, s.CPUPeriodUsec = q, p
			}
		}
		stat := filepath.Join(dir, "cpu.stat")
		r.key(stat, "usage_usec", &s.CPUUsageUsec, 1)
		r.key(stat, "throttled_usec", &s.ThrottledUsec, 1)
		r.key(stat, "nr_throttled", &s.NrThrottled, 1)
		return s, errors.Join(r.errs...)
	}
	if dir, ok := c.dirs["memory"]; ok {
		r.value(filepath.Join(dir, "memory.limit_in_bytes"), &s.MemoryMax)
		r.value(filepath.Join(dir, "memory.usage_in_bytes"), &s.MemoryCurrent)
		// "oom_kill N" appeared in memory.oom_control in Linux 4.13.
		r.key(filepath.Join(dir, "memory.oom_control"), "oom_kill", &s.OOMKills, 1)
	}
	if dir, ok := c.dirs["pids"]; ok {
		r.value(filepath.Join(dir, "pids.max"), &s.PidsMax)
		r.value(filepath.Join(dir, "pids.current"), &s.PidsCurrent)
	}
	if dir, ok := c.dirs["cpu"]; ok {
		r.value(filepath.Join(dir, "cpu.cfs_quota_us"), &s.CPUQuotaUsec)
		r.value(filepath.Join(dir, "cpu.cfs_period_us"), &s.CPUPeriodUsec)
		// v1 reports throttled_time in ns; CgroupStats speaks µs like v2.
		stat := filepath.Join(dir, "cpu.stat")
		r.key(stat, "throttled_time", &s.ThrottledUsec, 1000)
		r.key(stat, "nr_throttled", &s.NrThrottled, 1)
	}
	if dir, ok := c.dirs["cpuacct"]; ok {
		var ns int64
		r.value(filepath.Join(dir, "cpuacct.usage"), &ns)
		s.CPUUsageUsec = ns / 1000
	}
	return s, errors.Join(r.errs...)
}

// Events reads what the limits did: forks refused at pids.max, times memory hit
// its limit, OOM kills. Missing files leave 0.
func (c *Cgroup) Events() (CgroupEvents, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var e CgroupEvents
	if c.removed {
		return e, fmt.Errorf("cgroup %s was already removed", c.name)
	}
	r := cgroupReader{}
	if c.version == CgroupV2 {
		dir := c.dirs[""]
		r.key(filepath.Join(dir, "pids.events"), "max", &e.PidsMaxHits, 1)
		r.key(filepath.Join(dir, "memory.events"), "max", &e.MemFailcnt, 1)
		r.key(filepath.Join(dir, "memory.events"), "oom_kill", &e.OOMKills, 1)
		return e, errors.Join(r.errs...)
	}
	if dir, ok := c.dirs["pids"]; ok {
		r.key(filepath.Join(dir, "pids.events"), "max", &e.PidsMaxHits, 1)
	}
	if dir, ok := c.dirs["memory"]; ok {
		r.value(filepath.Join(dir, "memory.failcnt"), &e.MemFailcnt)
		r.key(filepath.Join(dir, "memory.oom_control"), "oom_kill", &e.OOMKills, 1)
	}
	return e, errors.Join(r.errs...)
}

// Procs lists the pids in the cgroup (from the first hierarchy on v1: every
// hierarchy holds the same processes).
func (c *Cgroup) Procs() ([]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dirs := uniqueDirs(c.dirs)
	if len(dirs) == 0 || c.removed {
		return nil, nil
	}
	b, err := cgroupRead(filepath.Join(dirs[0], "cgroup.procs"))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", filepath.Join(dirs[0], "cgroup.procs"), cgroupErrno(err))
	}
	return parseProcs(string(b)), nil
}

// Remove kills every process left in it (v2: cgroup.kill when present; else SIGKILL loop over
// cgroup.procs until empty), then rmdirs it; safe to call twice.
func (c *Cgroup) Remove() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil
	}
	if err := cgroupRemoveDirs(uniqueDirs(c.dirs), c.layout.fixture); err != nil {
		return err
	}
	c.removed = true
	return nil
}

// cgroupRemoveDirs empties and removes cgroup directories (and any cgroups a
// child made below them). On a fixture tree the directories are plain and the
// pids in cgroup.procs are made up, so nothing is signalled.
func cgroupRemoveDirs(dirs []string, fixture bool) error {
	if fixture {
		var errs []error
		for _, d := range dirs {
			if err := os.RemoveAll(d); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	deadline := time.Now().Add(cgroupRemoveTimeout)
	var tree []string // every cgroup directory, parents before children
	for _, d := range dirs {
		tree = append(tree, cgroupTree(d)...)
	}
	if len(tree) == 0 {
		return nil // already gone: Remove is idempotent
	}
	// v2 (Linux 5.14+) kills a whole subtree in one write, with no race against forks.
	for _, d := range dirs {
		kill := filepath.Join(d, "cgroup.kill")
		if cgroupFileExists(kill) {
			_ = cgroupWriteFile(kill, "1", false)
		}
	}
	// Otherwise (v1), kill what is listed until nothing is left: a process can
	// fork between the read and the kill, hence the loop.
	self := os.Getpid()
	for {
		var left []int
		for _, d := range tree {
			left = append(left, parseProcs(cgroupReadString(filepath.Join(d, "cgroup.procs")))...)
		}
		var killable []int
		for _, pid := range left {
			if pid != self {
				killable = append(killable, pid)
			}
		}
		if len(killable) == 0 {
			break
		}
		for _, pid := range killable {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v still in cgroup %s after %s", killable, dirs[0], cgroupRemoveTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// rmdir children first. A cgroup can stay busy for a moment after its last
	// process died, so EBUSY is retried until the deadline.
	var errs []error
	for i := len(tree) - 1; i >= 0; i-- {
		for {
			err := unix.Rmdir(tree[i])
			if err == nil || errors.Is(err, unix.ENOENT) {
				break
			}
			if errors.Is(err, unix.EBUSY) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			errs = append(errs, fmt.Errorf("cannot remove cgroup %s: %w", tree[i], err))
			break
		}
	}
	return errors.Join(errs...)
}

// cgroupTree lists dir and every directory below it, parents first. A missing
// dir gives nothing.
func cgroupTree(dir string) []string {
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	out := []string{dir}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, cgroupTree(filepath.Join(dir, e.Name()))...)
		}
	}
	return out
}

// write writes one control file and returns the step that does the same by hand.
func (c *Cgroup) write(file, val, what string) (Step, error) {
	if c.plan {
		return Step{What: what, Command: "echo " + cgroupShellQuote(val) + " > " + file}, nil
	}
	if err := cgroupWriteFile(file, val, c.layout.fixture); err != nil {
		return Step{}, err
	}
	return Step{What: what, Command: "echo " + cgroupShellQuote(val) + " > " + file}, nil
}

// mkdir makes one cgroup directory (nothing when only planning).
func (c *Cgroup) mkdir(dir string) error {
	if c.plan {
		return nil
	}
	return os.Mkdir(dir, 0o755)
}

// cgroupWriteFile writes val the way `echo val > file` does. Control files
// always exist in a kernel cgroup, so a missing one means a missing controller
// and is an error; a fixture tree gets the file created.
func cgroupWriteFile(file, val string, fixture bool) error {
	flags := unix.O_WRONLY | unix.O_TRUNC | unix.O_CLOEXEC
	if fixture {
		flags |= unix.O_CREAT
	}
	fd, err := cgroupOpen(file, flags, 0o644)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", file, err)
	}
	// One write call: cgroupfs parses each write on its own.
	b := []byte(val + "\n")
	var n int
	for {
		n, err = unix.Write(fd, b)
		if err != unix.EINTR {
			break
		}
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err == nil && n != len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("cannot write %q to %s: %w", val, file, err)
	}
	return nil
}

// cgroupOpen opens a control file with a plain open(2). os.OpenFile would also
// register it with Go's network poller (kernfs files can be polled): four more
// system calls per file, on every start and cleanup.
func cgroupOpen(file string, flags int, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(file, flags, perm)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// cgroupRead reads a whole control file with open, read and close only (see
// cgroupOpen). Errors are the bare errno, so errors.Is(err, fs.ErrNotExist) works.
func cgroupRead(file string) ([]byte, error) {
	fd, err := cgroupOpen(file, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, err
		case n == 0:
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// cgroupErrno strips the *PathError wrapper so messages read
// "cannot write /…/memory.max: read-only file system" without the path twice.
// errors.Is still sees the errno.
func cgroupErrno(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// cgroupReader collects read errors while Stats fills in what it can.
type cgroupReader struct{ errs []error }

func (r *cgroupReader) read(file string) (string, bool) {
	b, err := cgroupRead(file)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.errs = append(r.errs, fmt.Errorf("cannot read %s: %w", file, cgroupErrno(err)))
		}
		return "", false
	}
	return string(b), true
}

func (r *cgroupReader) value(file string, dst *int64) {
	text, ok := r.read(file)
	if !ok {
		return
	}
	n, err := parseCgroupValue(text)
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %w", file, err))
		return
	}
	*dst = n
}

func (r *cgroupReader) key(file, key string, dst *int64, div int64) {
	text, ok := r.read(file)
	if !ok {
		return
	}
	if n, found := parseFlatKeyed(text)[key]; found {
		*dst = n / div
	}
}

func cgroupReadString(file string) string {
	b, _ := cgroupRead(file)
	return string(b)
}

func cgroupFileExists(file string) bool {
	_, err := os.Stat(file)
	return err == nil
}

// cgroupSubtreeControl reads cgroup.subtree_control ("cpu memory pids"); a
// fixture may hold what procbox wrote ("+memory +pids"), so a leading + is dropped.
func cgroupSubtreeControl(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !strings.HasPrefix(f, "-") {
			out = append(out, strings.TrimPrefix(f, "+"))
		}
	}
	return out
}

func cgroupContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cgroupShellQuote quotes a value for the step's echo when it has a space or a
// shell character ("+memory +pids", "20000 100000").
func cgroupShellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$`\\|&;<>()*?") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// cgroupBytes prints a size the way the lessons speak: 32 MiB, 1.5 GiB.
func cgroupBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 0, 64) + " " + units[i]
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
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
