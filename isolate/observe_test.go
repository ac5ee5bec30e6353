package isolate

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// startObserved starts sh -c script as a child of the test and waits until
// it printed "ready": whatever it set up before that exists now.
func startObserved(t *testing.T, script string) *exec.Cmd {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root: the learner's commands create namespaces")
	}
	cmd := exec.Command("sh", "-c", script)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if !strings.Contains(string(buf[:n]), "ready") {
		t.Fatalf("script did not get ready: %q", buf[:n])
	}
	return cmd
}

// TestObserveEntersNamespaces: what a learner's process did inside its own
// UTS, IPC and mount namespaces is read from outside, and differs from the host.
func TestObserveEntersNamespaces(t *testing.T) {
	if _, err := exec.LookPath("ipcmk"); err != nil {
		t.Skip("needs ipcmk (util-linux)")
	}
	cmd := startObserved(t, "exec unshare --uts --ipc --mount sh -c 'hostname learner-x && ipcmk -Q >/dev/null && mount -t tmpfs learner-m /mnt && echo ready && exec sleep 30'")
	host, err := Observe(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	o, err := Observe(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if o.Hostname != "learner-x" || host.Hostname == "learner-x" {
		t.Errorf("hostname: learner %q, host %q", o.Hostname, host.Hostname)
	}
	for _, k := range []string{"uts", "ipc", "mnt"} {
		if o.NSInodes[k] == 0 || o.NSInodes[k] == host.NSInodes[k] {
			t.Errorf("%s namespace: learner %d, host %d", k, o.NSInodes[k], host.NSInodes[k])
		}
	}
	if o.IPC.Queues != 1 {
		t.Errorf("IPC queues in the learner's namespace: %d, want the 1 ipcmk made (host has %d)", o.IPC.Queues, host.IPC.Queues)
	}
	const m = "/mnt tmpfs learner-m"
	if !slices.Contains(o.Mounts, m) || slices.Contains(host.Mounts, m) {
		t.Errorf("the tmpfs on /mnt: learner has it %v, host has it %v", slices.Contains(o.Mounts, m), slices.Contains(host.Mounts, m))
	}
	if o.Errors != nil {
		t.Errorf("errors reading the learner's process: %v", o.Errors)
	}
}

// TestWatchTreeKeepsExited: a process that lived only a moment below the
// root is still in the trace, with what it was.
func TestWatchTreeKeepsExited(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root: the learner's commands create namespaces")
	}
	w := WatchTree(os.Getpid(), time.Hour, nil) // samples only when asked
	cmd := exec.Command("unshare", "--uts", "sh", "-c", "hostname watched; echo ready; read x")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	out.Read(buf)
	w.Sample()
	in.Close()
	cmd.Wait()
	tr := w.Stop()
	found := false
	for _, p := range tr.Procs {
		found = found || (p.Hostname == "watched" && p.NSInodes["uts"] != tr.Host.NSInodes["uts"])
	}
	if !found {
		t.Errorf("the trace lost the exited shell with hostname 'watched': %+v", tr.Procs)
	}
	if tr.Host.PID != os.Getpid() {
		t.Errorf("host reference is pid %d, want procbox's own %d", tr.Host.PID, os.Getpid())
	}
}

// TestWatchTreeNamed: the namer is asked only about processes in a pid or
// mount namespace of their own, and its answer, escaped, is in the trace.
func TestWatchTreeNamed(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root: the learner's commands create namespaces")
	}
	asked := map[int]bool{}
	var mu sync.Mutex
	w := WatchTreeNamed(os.Getpid(), time.Hour, nil, func(pid int) string {
		mu.Lock()
		asked[pid] = true
		mu.Unlock()
		return "runc box\x1b[5m"
	})
	plain := exec.Command("sleep", "30")
	boxed := exec.Command("unshare", "--mount", "sh", "-c", "echo ready; exec sleep 30")
	out, _ := boxed.StdoutPipe()
	for _, c := range []*exec.Cmd{plain, boxed} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	}
	buf := make([]byte, 16)
	out.Read(buf)
	w.Sample()
	tr := w.Stop()
	mu.Lock()
	defer mu.Unlock()
	if asked[plain.Process.Pid] {
		t.Error("the namer was asked about a plain host process")
	}
	for _, p := range tr.Procs {
		switch p.PID {
		case plain.Process.Pid:
			if p.Container != "" {
				t.Errorf("plain process named %q", p.Container)
			}
		case boxed.Process.Pid:
			if p.Container != `runc box\x1b[5m` {
				t.Errorf("boxed process named %q, want the namer's answer escaped", p.Container)
			}
		}
	}
	if !asked[boxed.Process.Pid] {
		t.Errorf("the namer was never asked about the process in its own mount namespace (%v)", asked)
	}
}
