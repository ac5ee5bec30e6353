package isolate

// Sweeping what a procbox killed with SIGKILL left behind: its cgroups (and, in
// veth_linux.go, its veth pairs). Called at the start of every run and by
// `procbox doctor --clean`.

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Sweep removes stale procbox-* cgroups whose owner PID is dead (not this process) and
// returns what it removed. Called at start of every procbox run and by `doctor --clean`.
//
// It looks directly under every hierarchy root (each v1 mount and the unified
// mount, which on hybrid hosts procbox does not use but an older or newer
// procbox might have). A cgroup whose owner is alive is never touched.
func Sweep(l CgroupLayout) ([]string, error) {
	var roots []string
	seen := map[string]bool{}
	for _, dir := range l.V1 {
		if !seen[dir] {
			seen[dir] = true
			roots = append(roots, dir)
		}
	}
	if l.Unified != "" && !seen[l.Unified] {
		roots = append(roots, l.Unified)
	}
	sort.Strings(roots)
	self := os.Getpid()
	var removed []string
	var errs []error
	for _, root := range roots {
		entries, err := os.ReadDir(root)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			owner, _, ok := parseCgroupName(e.Name())
			if !ok || owner == self || sweepOwnerAlive(owner) {
				continue
			}
			dir := filepath.Join(root, e.Name())
			if err := cgroupRemoveDirs([]string{dir}, l.fixture); err != nil {
				errs = append(errs, err)
				continue
			}
			removed = append(removed, dir)
		}
	}
	return removed, errors.Join(errs...)
}

// sweepOwnerAlive reports whether pid is still a procbox that may own
// cgroups or links. A pid that exists but runs something else is a reused pid:
// the procbox that had it is dead. Its name (comm, at most 15 bytes) is
// "procbox", or the test binary's name ("isolate.test") when the tests create
// cgroups, or whatever this binary is called.
func sweepOwnerAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		// Gone (ENOENT) means dead. Any other error (hidepid) means we cannot
		// tell, and a live owner's cgroups must never be touched.
		return !errors.Is(err, os.ErrNotExist)
	}
	comm := strings.TrimSpace(string(b))
	if strings.Contains(comm, "procbox") || strings.HasSuffix(comm, ".test") {
		return true
	}
	if own, err := os.ReadFile("/proc/self/comm"); err == nil && strings.TrimSpace(string(own)) == comm {
		return true
	}
	return false
}
