package leakcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestChildrenAndState(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skip("needs sleep: ", err)
	}
	pid := cmd.Process.Pid
	if !slices.Contains(Children(os.Getpid(), false), pid) || !Alive(pid) {
		t.Fatalf("the running child %d is not listed alive", pid)
	}
	if pp, st, ok := PPIDState(pid); !ok || pp != os.Getpid() || st == "Z" {
		t.Fatalf("PPIDState = %d %q %v", pp, st, ok)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	// Not waited for: a zombie until Wait.
	for i := 0; Alive(pid) && i < 1000; i++ {
		syscall.Select(0, nil, nil, nil, &syscall.Timeval{Usec: 1000})
	}
	if Alive(pid) || slices.Contains(Children(os.Getpid(), false), pid) || !slices.Contains(Children(os.Getpid(), true), pid) {
		t.Errorf("a zombie must be listed only with zombies")
	}
	cmd.Wait()
	if _, _, ok := PPIDState(pid); ok {
		t.Errorf("a reaped child still has a stat")
	}
}

func TestCgroups(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/procbox-1", "a/procbox-1/inner", "a/b/c/procbox-2", "procbox-3", "other"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ours := func(n string) bool { return strings.HasPrefix(n, "procbox") }
	want := []string{filepath.Join(root, "a/b/c/procbox-2"), filepath.Join(root, "a/procbox-1"), filepath.Join(root, "procbox-3")}
	if got := Cgroups(root, 9, ours); !slices.Equal(got, want) {
		t.Errorf("Cgroups = %v, want %v", got, want)
	}
	if got := Cgroups(root, 2, ours); !slices.Equal(got, []string{filepath.Join(root, "a/procbox-1"), filepath.Join(root, "procbox-3")}) {
		t.Errorf("depth 2: %v", got)
	}
}

func TestMountsDropIDs(t *testing.T) {
	m := Mounts(t)
	if len(m) == 0 {
		t.Fatal("no mounts read")
	}
	for l := range m {
		if f := strings.Fields(l); len(f) < 3 || !strings.Contains(f[0], ":") {
			t.Fatalf("line %q does not start at major:minor", l)
		}
	}
}
