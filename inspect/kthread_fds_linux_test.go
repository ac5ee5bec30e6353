package inspect

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"procbox/internal/testtree"
)

// TestLiveKernelThread: kthreadd (PID 2) is a kernel thread, never a
// container, with no registers to show, in the snapshot and the table.
func TestLiveKernelThread(t *testing.T) {
	b, err := os.ReadFile("/proc/2/stat")
	if err != nil || !strings.Contains(string(b), "(kthreadd)") {
		t.Skip("no kthreadd at PID 2 in this pid namespace")
	}
	s, err := DefaultFS().Snapshot(2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.KernelThread || s.Container.Isolation != IsolationKernelThread || s.Syscall != nil || s.Errors["syscall"] == "" {
		t.Errorf("kthreadd: kernel_thread %v, container %+v, syscall %+v, errors %v", s.KernelThread, s.Container, s.Syscall, s.Errors)
	}
	rows, err := DefaultFS().Table()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.PPID == 2 || r.PID == 2 {
			if r.Container != "" {
				t.Errorf("kernel thread %d %s marked %q", r.PID, r.Comm, r.Container)
			}
		}
	}
}

// TestFDsDeniedAreAnError: when the fd directory can be listed but its
// links cannot be read (as for PID 1 seen by a root without ptrace rights
// over it), readFDs says so; it never answers "no open files". It runs the
// check as nobody, on a directory nobody may list but not search.
func TestFDsDeniedAreAnError(t *testing.T) {
	if os.Getenv("PROCBOX_FDS_DENIED_ROOT") != "" {
		root := os.Getenv("PROCBOX_FDS_DENIED_ROOT")
		fds, err := FS{Proc: root}.readFDs(42)
		if err == nil || !strings.Contains(err.Error(), "3 of 3 descriptors could not be read") {
			t.Fatalf("readFDs on unreadable links: %v, %v; want an error counting them", fds, err)
		}
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to nobody")
	}
	dir, err := os.MkdirTemp("", "procbox-fds-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	fdDir := filepath.Join(dir, "proc", "42", "fd")
	if err := os.MkdirAll(fdDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"0", "1", "2"} {
		if err := os.Symlink("/dev/null", filepath.Join(fdDir, n)); err != nil {
			t.Fatal(err)
		}
	}
	// Listable (r) but not searchable (no x): readlink of an entry is EACCES.
	if err := os.Chmod(fdDir, 0o744); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "inspect.test")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	testtree.CopyExecutable(t, self, bin)
	os.Chmod(dir, 0o755)
	cmd := exec.Command(bin, "-test.run=^TestFDsDeniedAreAnError$", "-test.count=1")
	cmd.Env = []string{"PROCBOX_FDS_DENIED_ROOT=" + filepath.Join(dir, "proc")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
}
