package inspect

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadStateFileHostile: a runtime state file a hostile container maker
// planted is refused with a reason, at once: a FIFO (a plain open blocks
// until a writer comes, which hung the end of a learner's shell), a
// symlink to /dev/zero (a plain read never ends) and a file over the cap.
// A normal file still reads.
func TestReadStateFileHostile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.json")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, maxStateFile+10), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "state.json")
	if err := os.WriteFile(good, []byte(`{"id":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, why string }{
		{fifo, "not a regular file"},
		{zero, "not a regular file"},
		{big, "larger than"},
	} {
		done := make(chan error, 1)
		go func() { _, err := readStateFile(c.path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.why) {
				t.Errorf("%s: error %v, want one saying %q", filepath.Base(c.path), err, c.why)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: readStateFile still blocked after 10 s", filepath.Base(c.path))
		}
	}
	if b, err := readStateFile(good); err != nil || string(b) != `{"id":"x"}` {
		t.Errorf("a normal state file: %q, %v", b, err)
	}
}
