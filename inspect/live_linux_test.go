package inspect

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Live tests read the real /proc of this machine: the test process itself
// and children it starts.

func TestLiveSnapshotSelf(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "procbox-fd-*")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	s, err := DefaultFS().Snapshot(os.Getpid(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.PID != os.Getpid() || s.PPID != os.Getppid() {
		t.Errorf("pid %d ppid %d, want %d %d", s.PID, s.PPID, os.Getpid(), os.Getppid())
	}
	if s.UIDs.Real.ID != os.Getuid() || s.UIDs.Effective.ID != os.Geteuid() || s.GIDs.Real.ID != os.Getgid() {
		t.Errorf("uids %+v gids %+v", s.UIDs, s.GIDs)
	}
	exe, _ := os.Executable()
	if s.Exe != exe {
		t.Errorf("exe %q, want %q", s.Exe, exe)
	}
	for _, kind := range NamespaceKinds[:8] {
		if _, err := os.Lstat("/proc/self/ns/" + kind); err != nil {
			continue // this kernel lacks it
		}
		n, ok := s.Namespaces[kind]
		if !ok || n.Inode == 0 || !n.SharedWithSelf {
			t.Errorf("namespace %s: %+v (present %v)", kind, n, ok)
		}
	}
	if s.NSReference == "" {
		t.Error("no ns reference")
	}
	var sawFile, sawListener bool
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	for _, fd := range s.FDs {
		if fd.Target == f.Name() && fd.Kind == "file" {
			sawFile = true
		}
		if fd.Kind == "socket" && strings.Contains(fd.Detail, "127.0.0.1:"+port) && strings.HasSuffix(fd.Detail, "LISTEN") {
			sawListener = true
		}
	}
	if !sawFile || !sawListener {
		t.Errorf("temp file seen %v, listener on port %s seen %v in %+v", sawFile, port, sawListener, s.FDs)
	}
	if len(s.Memory.Maps) == 0 || s.Memory.RSSBytes <= 0 || s.Memory.Kinds[0].Kind != "text" {
		t.Errorf("memory %+v", s.Memory.Kinds)
	}
	if len(s.Rlimits) < 10 || len(s.Cgroups) == 0 || s.Limits.CgroupVersion == "" {
		t.Errorf("rlimits %d cgroups %v limits %+v (errors %v)", len(s.Rlimits), s.Cgroups, s.Limits, s.Errors)
	}
	if s.Syscall == nil {
		t.Errorf("syscall: %s", s.Errors["syscall"])
	}
	if s.StartTime.IsZero() || s.Threads < 1 {
		t.Errorf("start %v threads %d", s.StartTime, s.Threads)
	}
}

// startSleep starts `sleep 600` with env added, and kills it at cleanup.
func startSleep(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	path, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary on this host: ", err)
	}
	cmd := exec.Command(path, "600")
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func TestLiveSnapshotChild(t *testing.T) {
	cmd := startSleep(t, "PROCBOX_PLAIN=hello", "PROCBOX_API_TOKEN=abc123secret")
	pid := cmd.Process.Pid
	s, err := DefaultFS().Snapshot(pid, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.PPID != os.Getpid() {
		t.Errorf("ppid %d, want %d", s.PPID, os.Getpid())
	}
	if s.UIDs.Effective.ID != os.Geteuid() {
		t.Errorf("euid %d", s.UIDs.Effective.ID)
	}
	// The exec may still be under way: comm is the test binary until then.
	if s.Env["PROCBOX_PLAIN"] != "hello" && s.Comm == "sleep" {
		t.Errorf("env %v", s.Env)
	}
	if s.Comm == "sleep" && s.Env["PROCBOX_API_TOKEN"] != "•••• (masked, 12 chars)" {
		t.Errorf("secret not masked: %q", s.Env["PROCBOX_API_TOKEN"])
	}
	if s.Comm == "sleep" {
		shown, err := DefaultFS().Snapshot(pid, Options{ShowSecrets: true})
		if err != nil || shown.Env["PROCBOX_API_TOKEN"] != "abc123secret" {
			t.Errorf("ShowSecrets: %q %v", shown.Env["PROCBOX_API_TOKEN"], err)
		}
	}
	self, _ := DefaultFS().Snapshot(os.Getpid(), Options{})
	for kind, n := range s.Namespaces {
		if n.Inode != self.Namespaces[kind].Inode || !n.SharedWithSelf {
			t.Errorf("child namespace %s %+v differs from ours", kind, n)
		}
	}
	if len(s.Container.IsolatedNamespaces) != 0 {
		t.Errorf("a plain child is isolated? %v", s.Container.IsolatedNamespaces)
	}
}

func TestLiveSnapshotGone(t *testing.T) {
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	cmd.Process.Kill()
	cmd.Wait() // reaped: /proc/PID is gone (a zombie would still answer)
	_, err := DefaultFS().Snapshot(pid, Options{})
	if !errors.Is(err, ErrGone) {
		t.Fatalf("snapshot of reaped pid %d: err = %v, want ErrGone", pid, err)
	}
	if !strings.HasPrefix(err.Error(), fmt.Sprintf("no process with PID %d", pid)) {
		t.Errorf("message %q", err)
	}
}

// Kernel threads answer ESRCH or nothing for several files while alive; they
// must never be called gone.
func TestLiveSnapshotKernelThread(t *testing.T) {
	b, err := os.ReadFile("/proc/2/stat")
	if err != nil || !strings.Contains(string(b), "(kthreadd)") {
		t.Skip("no kthreadd at PID 2 here (inside a PID namespace?)")
	}
	s, err := DefaultFS().Snapshot(2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Comm != "kthreadd" || s.PPID != 0 || s.Exe != "" || len(s.Cmdline) != 0 {
		t.Errorf("kthreadd: comm %q ppid %d exe %q cmdline %q", s.Comm, s.PPID, s.Exe, s.Cmdline)
	}
}

func TestLiveTable(t *testing.T) {
	cmd := startSleep(t)
	rows, err := DefaultFS().Table()
	if err != nil {
		t.Fatal(err)
	}
	byPID := map[int]ProcRow{}
	for i, r := range rows {
		if i > 0 && rows[i-1].PID >= r.PID {
			t.Fatalf("rows not sorted at %d", i)
		}
		byPID[r.PID] = r
	}
	self, ok := byPID[os.Getpid()]
	if !ok || self.PPID != os.Getppid() || self.Threads < 1 || self.RSSBytes <= 0 || self.Container != "" {
		t.Errorf("self row %+v (found %v)", self, ok)
	}
	if self.UID != os.Geteuid() {
		t.Errorf("self uid %d, want %d", self.UID, os.Geteuid())
	}
	child, ok := byPID[cmd.Process.Pid]
	if !ok || child.PPID != os.Getpid() {
		t.Errorf("child row %+v (found %v)", child, ok)
	}
	names, _ := filepath.Glob("/proc/[0-9]*")
	if len(rows) < len(names)/2 {
		t.Errorf("%d rows for %d /proc entries", len(rows), len(names))
	}
}

func TestLiveDoctor(t *testing.T) {
	r := DefaultFS().Doctor()
	if r.UID != os.Geteuid() || r.Kernel == "" || len(r.Namespaces) != 8 || r.CgroupMode == "" || r.LSM == "" {
		t.Errorf("doctor %+v", r)
	}
}

// A child in its own network and UTS namespaces (made with unshare(1)) must
// be seen as isolated in exactly those, and marked in the table.
func TestLiveSnapshotIsolatedChild(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create namespaces with unshare(1)")
	}
	path, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("no unshare(1) on this host")
	}
	sleepPath, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	cmd := exec.Command(path, "--net", "--uts", "--mount", sleepPath, "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	// unshare(1) creates the namespaces, then execs sleep: wait for the exec.
	for i := 0; i < 500; i++ {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(b)) == "sleep" {
			break
		}
		exec.Command(sleepPath, "0.01").Run()
	}
	s, err := DefaultFS().Snapshot(pid, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Comm != "sleep" {
		t.Skipf("unshare did not exec sleep (comm %q): this host may refuse namespaces", s.Comm)
	}
	want := []string{"net", "mnt", "uts"}
	if fmt.Sprint(s.Container.IsolatedNamespaces) != fmt.Sprint(want) {
		t.Errorf("isolated %v, want %v", s.Container.IsolatedNamespaces, want)
	}
	if s.Namespaces["net"].SharedWithSelf || !s.Namespaces["pid"].SharedWithSelf {
		t.Errorf("namespaces %+v", s.Namespaces)
	}
	rows, err := DefaultFS().Table()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.PID == pid && r.Container != "isolated" {
			t.Errorf("table marker %q for a process in its own mount namespace", r.Container)
		}
	}
}
