package isolate

// Creating a procbox cgroup, writing and rewriting its limits, and moving a
// process into it; the version-specific halves are in cgroup_v1_linux.go and
// cgroup_v2_linux.go. See cgroups(7).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroupCFSPeriod is the CPU accounting period procbox uses, in µs: the quota is
// "this many µs of CPU time in every 100 ms".
const cgroupCFSPeriod = 100000

// NewCgroup creates the cgroup for spec below the caller's own cgroup (on v1
// only in the hierarchies of the controllers spec limits; see
// cgroup_parent_linux.go), writes the limits and returns the equivalent shell
// commands ("mkdir /sys/fs/cgroup/memory/user.slice/procbox-123-1",
// "echo 67108864 > …/memory.limit_in_bytes"). On v2 it enables the
// controllers in the parent's cgroup.subtree_control if needed.
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
	// The PID in the name is the one procbox sees: two procboxes in different
	// pid namespaces can pick the same name. Names mean nothing for ownership
	// (the lock file does), so on EEXIST the next number is taken.
	for range 64 {
		steps, err = c.makeDirs(spec)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
		if rerr := c.undo(); rerr != nil {
			return nil, nil, errors.Join(err, fmt.Errorf("undo: %w", rerr))
		}
		c.name = cgroupName(os.Getpid(), cgroupSeq.Add(1))
		c.dirs = map[string]string{}
	}
	if err != nil {
		if rerr := c.undo(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", rerr))
		}
		return nil, nil, err
	}
	more, _, err := c.apply(Spec{}, spec)
	steps = append(steps, more...)
	if err != nil {
		if rerr := c.undo(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("undo: %w", rerr))
		}
		return nil, nil, err
	}
	c.applied = spec
	return c, steps, nil
}

// makeDirs makes c's directories (planning: only says how) in the version
// of cgroupfs its layout puts limits on, and records that version.
func (c *Cgroup) makeDirs(spec Spec) ([]Step, error) {
	switch c.layout.limitsOn() {
	case CgroupV1:
		c.version = CgroupV1
		return c.createV1(spec)
	case CgroupV2:
		c.version = CgroupV2
		return c.createV2(spec)
	}
	return nil, fmt.Errorf("no cgroup filesystem is mounted under %s", c.layout.Root)
}

// undo removes what a failed NewCgroup made (no child was in it yet).
func (c *Cgroup) undo() error {
	err := cgroupRemoveDirs(c.Dirs(), c.layout.fixture, nil, func(string) {})
	if err == nil && !c.layout.fixture {
		for _, d := range c.Dirs() {
			Unclaim(OwnCgroup, d)
		}
	}
	return err
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
	steps, err := c.makeDirs(spec)
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

// pidsMaxText is what pids.max gets for a limit of n (0: none), and how the
// step that writes it says so; v1 and v2 spell the file alike.
func pidsMaxText(n int64) (val, what string) {
	if n <= 0 {
		return "max", "no limit on the number of processes"
	}
	return strconv.FormatInt(n, 10), "at most " + strconv.FormatInt(n, 10) + " processes"
}
