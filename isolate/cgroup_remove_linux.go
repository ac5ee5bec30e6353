package isolate

// Removing a procbox cgroup: emptying it and rmdir-ing it and anything a
// child made below it.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupRemoveTimeout bounds how long Remove waits for killed processes to leave.
const cgroupRemoveTimeout = 2 * time.Second

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
