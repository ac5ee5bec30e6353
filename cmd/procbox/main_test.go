package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes the per-user runtime directories ($TMPDIR/procbox-UID)
// that the tests running procbox as another user (nobody) made: procbox keeps
// its lock files there for a user without $XDG_RUNTIME_DIR, and a test must
// leave the host as it found it. Only directories that were not there before
// and are empty again are removed. So are learner-PID cgroups a failed test
// left (see below).
func TestMain(m *testing.M) {
	before := userRunDirs()
	groups := learnerGroups()
	code := m.Run()
	for d := range userRunDirs() {
		if !before[d] {
			_ = os.Remove(d) // fails, and keeps it, if anything is still inside
		}
	}
	// A test that failed half-way through a learner's cgroup step (procbox
	// or the shell killed before its cleanup knew the group's name) leaves
	// a learner-PID group behind. New empty ones go, and are named, so the
	// leak is seen in the log; a group with processes is someone's live
	// work (a person walking the course on this host) and is only named.
	for d := range learnerGroups() {
		if groups[d] {
			continue
		}
		if err := os.Remove(d); err == nil {
			fmt.Fprintf(os.Stderr, "cmd/procbox tests: removed %s, a learner group a test left behind\n", d)
		} else {
			fmt.Fprintf(os.Stderr, "cmd/procbox tests: %s appeared during the tests and is still busy: %v\n", d, err)
		}
	}
	os.Exit(code)
}

// learnerGroups lists the learner-* cgroups the lessons' commands make, in
// every v1 hierarchy and the v2 tree.
func learnerGroups() map[string]bool {
	found := map[string]bool{}
	for _, pat := range []string{"/sys/fs/cgroup/learner-*", "/sys/fs/cgroup/*/learner-*"} {
		m, _ := filepath.Glob(pat)
		for _, d := range m {
			found[d] = true
		}
	}
	return found
}

// userRunDirs lists $TMPDIR/procbox-<digits> directories.
func userRunDirs() map[string]bool {
	found := map[string]bool{}
	m, _ := filepath.Glob(filepath.Join(os.TempDir(), "procbox-[0-9]*"))
	for _, d := range m {
		if st, err := os.Lstat(d); err == nil && st.IsDir() {
			found[d] = true
		}
	}
	return found
}
