package isolate

// Removing a procbox cgroup: emptying it and rmdir-ing it and anything a
// child made below it.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupRemoveTimeout bounds how long Remove waits for killed processes to leave.
const cgroupRemoveTimeout = 2 * time.Second

// Remove empties the cgroup and rmdirs it; safe to call twice. Processes
// proven to be the child's (see treeProof) are killed; a foreign one, put
// there by the child, is moved back out and named in Notes, never killed.
func (c *Cgroup) Remove() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.removed {
		return nil
	}
	note := func(s string) { c.notes = append(c.notes, s) }
	if err := cgroupRemoveDirs(uniqueDirs(c.dirs), c.layout.fixture, c.proof, note); err != nil {
		return err
	}
	c.removed = true
	if !c.layout.fixture {
		for _, d := range uniqueDirs(c.dirs) {
			Unclaim(OwnCgroup, d)
		}
	}
	return nil
}

// setProof tells Remove how to recognise the child's processes.
func (c *Cgroup) setProof(p *treeProof) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.proof = p
}

// Notes are the foreign processes cleanup moved out, one line each.
func (c *Cgroup) Notes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.notes...)
}

// cgroupRemoveDirs empties and removes cgroup directories (and any cgroups a
// child made below them). Each round freezes the cgroups where the kernel can
// (v2 cgroup.freeze), so nothing forks or exits while the round judges, kills
// what proof says is the child's, moves anything else to the parent of the
// procbox cgroup (the caller's cgroup) and says so through note, and thaws.
// On a fixture tree the directories are plain and the pids in cgroup.procs
// are made up, so nothing is signalled.
func cgroupRemoveDirs(dirs []string, fixture bool, proof *treeProof, note func(string)) error {
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
	top := map[string]string{}
	for _, d := range dirs {
		for _, t := range cgroupTree(d) {
			tree = append(tree, t)
			top[t] = d
		}
	}
	if len(tree) == 0 {
		return nil // already gone: Remove is idempotent
	}
	self := os.Getpid()
	moved := map[int]bool{}
	for {
		frozen := cgroupFreeze(dirs, true)
		var left []int
		for _, d := range tree {
			for _, pid := range parseProcs(cgroupReadString(filepath.Join(d, "cgroup.procs"))) {
				if pid == self {
					continue
				}
				left = append(left, pid)
				if killIfOurs(pid, proof) {
					continue
				}
				to, err := cgroupMoveOut(pid, top[d])
				if !moved[pid] {
					moved[pid] = true
					comm := "?"
					if st, serr := readProcStat(pid); serr == nil {
						comm = st.comm
					}
					if err != nil {
						note(fmt.Sprintf("process %d (%s) in %s is not the child's: not killed, but it could not be moved out: %v", pid, comm, d, err))
					} else {
						note(fmt.Sprintf("process %d (%s) in %s is not the child's (something moved it in): moved back to %s, not killed", pid, comm, d, to))
					}
				}
			}
		}
		if frozen {
			cgroupFreeze(dirs, false)
		}
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v still in cgroup %s after %s", left, dirs[0], cgroupRemoveTimeout)
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

// killIfOurs kills pid if proof says it is the child's, and reports whether
// it did. The process is pinned with a pidfd before it is judged, so the
// signal reaches the very process that was judged, even if its PID is freed
// and reused in between (pidfd_open(2), Linux 5.3; without it, kill(2)).
func killIfOurs(pid int, proof *treeProof) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return true // gone already: nothing to judge
		}
		if !proof.ours(pid) {
			return false
		}
		_ = unix.Kill(pid, unix.SIGKILL)
		return true
	}
	defer unix.Close(fd)
	if !proof.ours(pid) {
		return false
	}
	_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	return true
}

// cgroupMoveOut moves pid from the procbox cgroup top (or one below it) to
// top's parent, the cgroup procbox's was made in; if the parent refuses (v2's
// no-internal-processes rule), to the hierarchy's root.
func cgroupMoveOut(pid int, top string) (string, error) {
	parent := filepath.Dir(top)
	err := cgroupWriteFile(filepath.Join(parent, "cgroup.procs"), strconv.Itoa(pid), false)
	if err == nil {
		return parent, nil
	}
	for dir := filepath.Dir(parent); dir != "/" && dir != "."; dir = filepath.Dir(dir) {
		var st unix.Statfs_t
		if unix.Statfs(filepath.Dir(dir), &st) == nil && st.Type != unix.CGROUP_SUPER_MAGIC && st.Type != unix.CGROUP2_SUPER_MAGIC {
			// dir is the hierarchy's mount point: its root cgroup takes anyone.
			if rerr := cgroupWriteFile(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(pid), false); rerr == nil {
				return dir, nil
			}
			break
		}
	}
	return "", err
}

// cgroupFreeze freezes (or thaws) the cgroups that have a v2 cgroup.freeze
// and reports whether any did; freezing waits, briefly, for the kernel to say
// the cgroup is frozen (cgroup.events "frozen 1").
func cgroupFreeze(dirs []string, freeze bool) bool {
	val := "0"
	if freeze {
		val = "1"
	}
	any := false
	for _, d := range dirs {
		f := filepath.Join(d, "cgroup.freeze")
		if !cgroupFileExists(f) || cgroupWriteFile(f, val, false) != nil {
			continue
		}
		any = true
		if !freeze {
			continue
		}
		for i := 0; i < 50 && !strings.Contains(cgroupReadString(filepath.Join(d, "cgroup.events")), "frozen 1"); i++ {
			time.Sleep(2 * time.Millisecond)
		}
	}
	return any
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
