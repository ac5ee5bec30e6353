package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"procbox/isolate"
	"procbox/lessons"
)

// TestLabEngineNoRootfsAfterStopAll: a start that reaches the engine after
// StopAll (the UI still closing after a hang-up, a step's demo child on its
// way) makes no demo root filesystem: StopAll already removed the engine's,
// and nothing would remove a new one (a closed terminal left
// /tmp/procbox-rootfs-* behind).
func TestLabEngineNoRootfsAfterStopAll(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newLabEngine()
	e.StopAll()
	_, err := e.Start(isolate.Spec{Namespaces: []string{isolate.NSMnt, isolate.NSPID}, Rootfs: lessons.DemoRootfs})
	if !errors.Is(err, errLabEngineClosed) {
		t.Errorf("Start after StopAll: %v, want %v", err, errLabEngineClosed)
	}
	if m, _ := filepath.Glob(filepath.Join(tmp, isolate.DemoRootfsPrefix+"*")); len(m) > 0 {
		t.Errorf("a demo root filesystem was made after StopAll: %v", m)
		for _, d := range m {
			os.RemoveAll(d)
		}
	}
}
