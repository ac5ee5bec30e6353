package inspect

import (
	"path/filepath"
	"testing"

	"procbox/internal/testtree"

	"github.com/prometheus/procfs"
)

// procWith writes files (name -> content) as /proc/42/<name> of a fresh proc
// root and returns procfs's view of that process: the procfs-backed readers
// are tested, and fuzzed, through the same files the kernel would give.
func procWith(t testing.TB, files map[string]string) procfs.Proc {
	t.Helper()
	root := t.TempDir()
	testtree.Write(t, filepath.Join(root, "42"), files)
	p, err := procfsProc(root, "42")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProcfsPanicIsAnError: procfs v0.23 slices past the end of a stat line
// that ends at the comm; procbox gets an error for that section, not a crash.
func TestProcfsPanicIsAnError(t *testing.T) {
	for _, line := range []string{"12 (x)", "12 (x", "12 )x(", ")(", "1 (a) "} {
		if _, err := readStat(procWith(t, map[string]string{"stat": line})); err == nil {
			t.Errorf("readStat(%q): no error", line)
		}
	}
}
