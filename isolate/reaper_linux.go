package isolate

// Orphans. A process in the child's tree may leave it: double-fork, setsid,
// and let its parent die. Its parent chain then ends at the next subreaper
// or at init, out of the cgroup's proof and out of any session the child
// led, and without a pid namespace or a cgroup nothing else holds on to it.
// So the child makes itself a subreaper (prctl(2) PR_SET_CHILD_SUBREAPER,
// kept across execve): while it lives, every orphan of its tree becomes its
// child. `procbox run` makes itself one too, so orphans that outlive the
// command come to procbox, which kills them before it exits. This is the
// job an init does in a container (tini, `docker run --init`), done here so
// that nothing the command started outlives procbox.

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// becomeSubreaper makes the calling process the reaper of its orphaned
// descendants.
func becomeSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// reaperPID is procbox's PID once BecomeReaper has made it the subreaper of
// the command it runs. It is an opt-in of the composition root: only a
// process whose one child is the command (procbox run) may take every child
// it is left with for an orphan of the command's tree; a test binary or the
// Lab has children of its own.
var reaperPID atomic.Int64

// BecomeReaper makes this process the subreaper of what Run starts, so that
// Run can find and kill what the command left behind when it exited. Call it
// only from a process that starts no other children (procbox run).
func BecomeReaper() error {
	if err := becomeSubreaper(); err != nil {
		return err
	}
	reaperPID.Store(int64(os.Getpid()))
	return nil
}

// killDescendants kills, round after round, every process that proof says
// is the child's, other than the child itself; it stops when a round finds
// none (or after a bound, against a tree that forks as fast as it dies).
// Used when neither a pid namespace nor a cgroup holds the tree.
//
// The candidates are the processes below the child (and below procbox, when
// it is the tree's subreaper), found through the kernel's children lists:
// the cost follows the size of the tree, not of the host (a scan of every
// /proc entry cost 120 ms per run with 3,000 processes). Each candidate is
// still judged by proof, under a pidfd, before it is killed.
func killDescendants(proof *treeProof) {
	if proof == nil {
		return
	}
	var roots []int
	for _, r := range []int{proof.child, proof.reaper} {
		if r > 0 {
			roots = append(roots, r)
		}
	}
	for range 64 {
		found := false
		for _, pid := range below(roots) {
			if pid == proof.child || pid == os.Getpid() {
				continue
			}
			if killIfOurs(pid, proof) {
				found = true
			}
		}
		if !found {
			return
		}
	}
}

// reapOrphans kills and reaps every child procbox has other than skip (the
// command itself, which Run waits for): with BecomeReaper, procbox's only
// other children are orphans of the command's tree reparented to it. They
// are reaped here, not left as zombies, because a zombie still counts in its
// pids cgroup and keeps that cgroup from being removed.
func reapOrphans(skip int) {
	self := os.Getpid()
	for range 64 {
		found := false
		for _, pid := range childPIDs(self) {
			if pid == skip {
				continue
			}
			found = true
			_ = unix.Kill(pid, unix.SIGKILL) // our own child: its PID cannot be reused before we reap it
			var ws unix.WaitStatus
			for {
				if _, err := unix.Wait4(pid, &ws, 0, nil); !errors.Is(err, unix.EINTR) {
					break
				}
			}
		}
		if !found {
			return
		}
	}
}

// ChildPIDs lists pid's children, as the kernel's children lists name them
// (procbox's learner shells find what the learner's shell left with it).
func ChildPIDs(pid int) []int { return childPIDs(pid) }

// below lists every process under roots (children, their children, …).
func below(roots []int) []int {
	var out []int
	seen := map[int]bool{}
	queue := append([]int(nil), roots...)
	for len(queue) > 0 && len(seen) < 1<<16 {
		pid := queue[0]
		queue = queue[1:]
		for _, c := range childPIDs(pid) {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// childPIDs lists pid's children from /proc/PID/task/*/children (proc(5);
// a child is listed under the thread that forked it). Without that file
// (a kernel built without CONFIG_PROC_CHILDREN) it scans every process's
// parent instead.
func childPIDs(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if len(tasks) == 0 {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			return nil // gone
		}
		var out []int
		for _, p := range procPIDs() {
			if st, err := readProcStat(p); err == nil && st.ppid == pid {
				out = append(out, p)
			}
		}
		return out
	}
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if c, err := strconv.Atoi(f); err == nil && c > 0 {
				out = append(out, c)
			}
		}
	}
	return out
}

// procPIDs lists the numeric entries of /proc.
func procPIDs() []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	return pids
}
