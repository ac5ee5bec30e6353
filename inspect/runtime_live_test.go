package inspect

import (
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLiveRuncContainerIsNamed runs a real runc container from a busybox
// bundle built here (runc(8): `runc spec`, then `runc run -d`), and checks
// that Snapshot and Table name its runtime, id and name from runc's own
// state, as an operator would see them.
func TestLiveRuncContainerIsNamed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a container")
	}
	if os.Geteuid() != 0 {
		t.Skip("runc run needs root")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc is not installed (Debian: apt-get install runc)")
	}
	busybox := ""
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if isStaticELF(p) {
			busybox = p
			break
		}
	}
	if busybox == "" {
		t.Skip("no statically linked busybox to build the bundle from (Debian: apt-get install busybox-static)")
	}

	bundle := t.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	for _, d := range []string{"bin", "proc", "dev", "sys", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "sleep"} {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(runc, "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		t.Fatalf("runc spec: %v: %s", err, out)
	}
	// Detached, no terminal, a long sleep as the container's process.
	cfgPath := filepath.Join(bundle, "config.json")
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	proc := cfg["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = []string{"/bin/sleep", "600"}
	if raw, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}

	name := "inspect-runc-" + strconv.Itoa(os.Getpid())
	run := exec.Command(runc, "run", "-d", "--bundle", bundle, name)
	devnull, _ := os.Open(os.DevNull)
	defer devnull.Close()
	// A file, not a pipe: the detached container inherits stderr, and Run
	// would wait for a pipe's writers, the container's process among them.
	stderr, err := os.CreateTemp(t.TempDir(), "runc-stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	run.Stdin, run.Stdout, run.Stderr = devnull, devnull, stderr
	if err := run.Run(); err != nil {
		exec.Command(runc, "delete", "-f", name).Run()
		msg, _ := os.ReadFile(stderr.Name())
		t.Skipf("runc run cannot start a container on this host: %v: %s", err, msg)
	}
	t.Cleanup(func() {
		exec.Command(runc, "kill", name, "KILL").Run()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if exec.Command(runc, "delete", "-f", name).Run() == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := os.Stat(filepath.Join("/run/runc", name)); err == nil {
			t.Errorf("leak: runc state /run/runc/%s still there", name)
		}
		if m, _ := filepath.Glob("/sys/fs/cgroup/*/" + name); len(m) > 0 {
			t.Errorf("leak: cgroups %v", m)
		}
	})
	out, err := exec.Command(runc, "state", name).Output()
	if err != nil {
		t.Fatalf("runc state: %v", err)
	}
	var st struct {
		PID int `json:"pid"`
	}
	if err := json.Unmarshal(out, &st); err != nil || st.PID <= 0 {
		t.Fatalf("runc state %s: %v %s", name, err, out)
	}

	s, err := DefaultFS().Snapshot(st.PID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Container
	if c.Runtime != "runc" || c.ID != name || c.Name != name || c.Isolation != IsolationIsolated {
		t.Errorf("snapshot of runc's container process %d: %+v, want runtime runc, id and name %s; errors %v", st.PID, c, name, s.Errors)
	}
	if !strings.HasSuffix(c.StateFile, "/"+name+"/state.json") {
		t.Errorf("state file %q: want runc's state.json", c.StateFile)
	}

	rows, err := DefaultFS().Table()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r.PID == st.PID {
			found = true
			if r.Container != "runc" || r.ContainerID != name || r.ContainerName != name {
				t.Errorf("table row: container %q id %q name %q, want runc %s %s", r.Container, r.ContainerID, r.ContainerName, name, name)
			}
		}
	}
	if !found {
		t.Errorf("table has no row for pid %d", st.PID)
	}
}

// isStaticELF reports whether path is an ELF executable with no program
// interpreter: it runs in an empty rootfs with no libc beside it.
func isStaticELF(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
