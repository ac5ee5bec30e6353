package inspect

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/procfs"
)

// procWith writes files (name -> content) as /proc/42/<name> of a fresh proc
// root and returns procfs's view of that process: the procfs-backed readers
// are tested, and fuzzed, through the same files the kernel would give.
func procWith(t testing.TB, files map[string]string) procfs.Proc {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "42"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, "42", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
