package testtree

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAndTemp(t *testing.T) {
	root := Temp(t, map[string]string{"42/status": "Name:\tsleep\n", "sys/fs/cgroup/pids/": "", "a/b/c": "x"})
	for p, want := range map[string]string{"42/status": "Name:\tsleep\n", "a/b/c": "x"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", p, b, err, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "sys/fs/cgroup/pids")); err != nil || !fi.IsDir() {
		t.Errorf("a path ending in / is not a directory: %v", err)
	}
	group := filepath.Join(root, "new/group")
	Write(t, group, nil)
	if fi, err := os.Stat(group); err != nil || !fi.IsDir() {
		t.Errorf("Write with no files did not make its root: %v", err)
	}
}

func TestCopyExecutable(t *testing.T) {
	src := Temp(t, map[string]string{"bin": "#!/bin/sh\nexit 0\n"})
	dst := filepath.Join(t.TempDir(), "copy")
	CopyExecutable(t, filepath.Join(src, "bin"), dst)
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("copy has mode %v, want 0755", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(dst); string(b) != "#!/bin/sh\nexit 0\n" {
		t.Errorf("copy holds %q", b)
	}
}
