package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain removes the per-user runtime directories ($TMPDIR/procbox-UID)
// that the tests running procbox as another user (nobody) made: procbox keeps
// its lock files there for a user without $XDG_RUNTIME_DIR, and a test must
// leave the host as it found it. Only directories that were not there before
// and are empty again are removed.
func TestMain(m *testing.M) {
	before := userRunDirs()
	code := m.Run()
	for d := range userRunDirs() {
		if !before[d] {
			_ = os.Remove(d) // fails, and keeps it, if anything is still inside
		}
	}
	os.Exit(code)
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
