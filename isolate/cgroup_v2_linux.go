package isolate

// The cgroup v2 side: one directory in the unified hierarchy, controllers
// handed down through cgroup.subtree_control, v2's limit files. See the
// kernel's Documentation/admin-guide/cgroup-v2.rst.

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"procbox/internal/units"
)

// cgroupV2Controllers are enabled for procbox's cgroups on v2 hosts.
var cgroupV2Controllers = []string{"memory", "pids", "cpu"}

// createV2 makes the single directory below the caller's own cgroup (or the
// nearest ancestor that can have it, see v2Parent) and, first, enables the
// controllers for it: on v2 a child cgroup only gets memory.max, pids.max and
// cpu.max files when its parent lists those controllers in
// cgroup.subtree_control.
func (c *Cgroup) createV2(spec Spec) ([]Step, error) {
	if err := c.layout.Supports(spec); err != nil {
		return nil, err
	}
	parent, steps, err := c.v2Parent()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(parent, c.name)
	if err := c.mkdir(dir); err != nil {
		return steps, fmt.Errorf("cannot create cgroup %s: %w", dir, cgroupErrno(err))
	}
	c.dirs[""] = dir
	steps = append(steps, Step{What: "new cgroup", Command: "mkdir " + dir})
	return steps, nil
}

func (c *Cgroup) applyV2(old, spec Spec) ([]Step, Spec, error) {
	dir := c.dirs[""]
	var steps []Step
	done := old
	if old.MemoryMax != spec.MemoryMax {
		val, what := "max", "no memory limit"
		if spec.MemoryMax > 0 {
			val, what = strconv.FormatInt(spec.MemoryMax, 10), "memory limit "+units.Bytes(spec.MemoryMax)
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
		val, what := pidsMaxText(spec.PidsMax)
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
