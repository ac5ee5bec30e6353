package kernel

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// checkSyscallTable is called by the generated per-architecture test with
// every SYS_ constant of x/sys/unix: each must name its number both ways, and
// the table must hold nothing else.
func checkSyscallTable(t *testing.T, want []struct {
	nr   int
	name string
}) {
	t.Helper()
	for _, w := range want {
		if got := SyscallName(w.nr); got != w.name {
			t.Errorf("SyscallName(%d) = %q, unix says %q", w.nr, got, w.name)
		}
		if nr, ok := SyscallNumber(w.name); !ok || nr != w.nr {
			t.Errorf("SyscallNumber(%q) = %d, %v; unix says %d", w.name, nr, ok, w.nr)
		}
	}
	n := 0
	for range Syscalls {
		n++
	}
	if n != len(want) {
		t.Errorf("table holds %d calls, unix has %d", n, len(want))
	}
}

// TestSyscallNamesOfThisArch pins numbers that differ between architectures:
// 56 is clone on amd64 but openat on arm64 (the bug a single x86-64 table made).
func TestSyscallNamesOfThisArch(t *testing.T) {
	var want map[int]string
	switch runtime.GOARCH {
	case "amd64":
		want = map[int]string{0: "read", 56: "clone", 59: "execve", 257: "openat", 272: "unshare", 435: "clone3"}
	case "arm64":
		want = map[int]string{56: "openat", 63: "read", 97: "unshare", 220: "clone", 221: "execve", 435: "clone3"}
	default:
		if HaveSyscallTable() {
			t.Fatalf("%s has a table but no pinned numbers here", runtime.GOARCH)
		}
		t.Skipf("no syscall table for %s", runtime.GOARCH)
	}
	for nr, name := range want {
		if got := SyscallName(nr); got != name {
			t.Errorf("SyscallName(%d) = %q, want %q", nr, got, name)
		}
	}
	for _, nr := range []int{-1, 100000} {
		if got, want := SyscallName(nr), "syscall_"+itoa(nr); got != want {
			t.Errorf("SyscallName(%d) = %q, want %q", nr, got, want)
		}
		if _, ok := LookupSyscall(nr); ok {
			t.Errorf("LookupSyscall(%d) found a name", nr)
		}
	}
	for _, name := range []string{"", "no_such_call"} {
		if _, ok := SyscallNumber(name); ok {
			t.Errorf("SyscallNumber(%q) found a number", name)
		}
	}
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestGeneratedTablesUpToDate runs the generator into a temp dir and compares
// its output with the committed files: a go.mod bump of x/sys without
// `go generate ./internal/kernel` fails here.
func TestGeneratedTablesUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH: cannot run the generator")
	}
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./gen", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, out)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		for _, f := range []string{"syscalls_" + arch + ".go", "syscalls_" + arch + "_test.go"} {
			got, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			have, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, have) {
				t.Errorf("%s is stale: run go generate ./internal/kernel", f)
			}
		}
	}
}
