package main

// Red-team tests of the runtimes lesson's clean-up (redteam2, issue 11):
// each failed on the code before its fix, and guards it now.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"procbox/lessons"
)

// runcVictim starts a detached runc container with id, running busybox's
// sleep: the container of "another user" (another learner's shell, or an
// operator's). It is deleted when the test ends.
func runcVictim(t *testing.T, id string) {
	t.Helper()
	bundle := t.TempDir()
	bin := filepath.Join(bundle, "rootfs", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "busybox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"sh", "sleep"} {
		os.Symlink("busybox", filepath.Join(bin, a))
	}
	if out, err := exec.Command("runc", "spec", "--bundle", bundle).CombinedOutput(); err != nil {
		t.Fatalf("runc spec: %v: %s", err, out)
	}
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
	proc["args"] = []string{"sleep", "300"}
	if raw, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// The container keeps its stdio: a file, not a pipe that would hold
	// the test until the container ends.
	log, err := os.Create(filepath.Join(bundle, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	run := exec.Command("runc", "run", "-d", "--bundle", bundle, id)
	run.Stdout, run.Stderr = log, log
	if err := run.Run(); err != nil {
		out, _ := os.ReadFile(log.Name())
		t.Skipf("runc cannot start a detached container here: %v: %s", err, out)
	}
	t.Cleanup(func() {
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			if exec.Command("runc", "delete", "-f", id).Run() == nil {
				return
			}
		}
	})
}

// runcAlive reports whether runc still has container id, running.
func runcAlive(id string) bool {
	out, err := exec.Command("runc", "state", id).Output()
	if err != nil {
		return false
	}
	var st struct {
		Status string `json:"status"`
	}
	return json.Unmarshal(out, &st) == nil && st.Status == "running"
}

// TestRedteamLearnerExecIntoForeignContainer: the learner joins a container
// that is not theirs with `runc exec` (docker exec is the same setns, and a
// lesson teaches it) as a background job, and their shell ends with the
// exec still running. procbox saw a process below the shell that
// runc's state names as that container; it must not delete the container:
// it was never the lesson's, and belongs to another learner or user.
func TestRedteamLearnerExecIntoForeignContainer(t *testing.T) {
	requireRoot(t)
	requireRuncAndBusybox(t)
	// Named like another learner's container: the shape procbox looks for.
	// The test's own PID keeps the concurrent runs' sweeps of dead
	// learners' containers off it.
	id := "learner-oci-" + strconv.Itoa(os.Getpid())
	runcVictim(t, id)
	if !runcAlive(id) {
		t.Fatalf("the victim container %s does not run", id)
	}
	p, cmd, end := typeIntoLearnerShell(t, "runc exec "+id+" sleep 300 </dev/null >/dev/null 2>&1 & echo pbxrt-joined=$!")
	printedPID(t, p, "joined")
	time.Sleep(10 * watchEvery)    // procbox sees (and names) the exec'd process
	p.master.WriteString("exit\n") // the shell ends; its background job lives on
	cmd.Wait()
	r := end()
	defer func() {
		exec.Command("runc", "delete", "-f", id).Run() // ends the exec'd sleep too
		p.master.Close()
	}()
	if !r.ok {
		t.Fatal("procbox hangs at the end of the learner's shell")
	}
	if !slices.Contains(r.named, "runc "+id) {
		t.Fatalf("procbox never named the exec'd process as %s (named %q): the premise of the attack is gone; the shell printed:\n%s", id, r.named, p.output())
	}
	if !runcAlive(id) {
		t.Errorf("procbox deleted a container that is not the lesson's: %s (cleanup %q)", id, r.cleanup)
	}
}

// TestRedteamNamerFIFOState: a runtime's state file that is a FIFO (or a
// symlink to one) blocks a plain read forever. procbox reads the runtimes'
// state to name the learner's processes while their shell runs; the end of
// the shell must not wait on it.
func TestRedteamBundleOfReusedPID(t *testing.T) {
	requireRoot(t)
	p, cmd, end := typeIntoLearnerShell(t, `sh -c 'echo pbxrt-short=$$; sleep 1.5'`)
	short := printedPID(t, p, "short")
	other := lessons.RuncBundlePrefix + strconv.Itoa(short)
	if _, err := os.Lstat(other); err == nil {
		t.Skipf("%s exists already (another run's)", other)
	}
	// Another user's bundle, from a shell of theirs that had this PID.
	if err := os.MkdirAll(filepath.Join(other, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(other) })
	if err := os.WriteFile(filepath.Join(other, "config.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{other, filepath.Join(other, "rootfs"), filepath.Join(other, "config.json")} {
		os.Lchown(d, 65534, 65534)
	}
	time.Sleep(2 * time.Second) // the short command is gone
	p.master.WriteString("exit\n")
	cmd.Wait()
	r := end()
	if !r.ok {
		t.Fatal("procbox hangs at the end of the learner's shell")
	}
	if _, err := os.Stat(filepath.Join(other, "config.json")); err != nil {
		t.Errorf("procbox removed another user's bundle %s: its PID was one of the learner's short commands (cleanup %q)", other, r.cleanup)
	}
}

// TestRedteamBundleSquatted: /tmp is everyone's, and the bundle's name is
// known ahead (/tmp/learner-oci-PID, PIDs are counted up). An ordinary user
// makes that directory first, writable by them; the root learner's line
// then writes config.json into a directory another user owns, who can
// rename it away and put their own (hooks that run as root on the host)
// before the learner types runc run. The lesson's line must refuse a bundle
// directory it did not make.
func TestRedteamBundleSquatted(t *testing.T) {
	requireRoot(t)
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("needs runc")
	}
	l, _ := lessons.Find("runtimes")
	for _, s := range l.Steps {
		if s.DIY == nil || len(s.DIY.Commands) == 0 {
			continue
		}
		line := s.DIY.Commands[0]
		// The squatter's directory for this very shell's $$, then the line.
		script := `echo pbxrt-sh=$$; B=` + lessons.RuncBundlePrefix + `$$; mkdir -m 0777 $B && chown 65534:65534 $B || exit 9
( ` + line + ` ) >/dev/null 2>&1
[ -e $B/config.json ] && echo pbxrt-used || echo pbxrt-refused`
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if m := regexp.MustCompile(`pbxrt-sh=([0-9]+)`).FindSubmatch(out); m != nil {
			os.RemoveAll(lessons.RuncBundlePrefix + string(m[1]))
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.ID, err, out)
		}
		if strings.Contains(string(out), "pbxrt-used") {
			t.Errorf("%s: %q wrote the bundle into a directory another user made and owns", s.ID, line)
		}
	}
}

// TestRedteamNamerFIFOState: a runtime's state file that is a FIFO (or a
// symlink to one) blocks a plain read forever. procbox reads the runtimes'
// state to name the learner's processes while their shell runs; the end of
// the shell must not wait on it.
func TestRedteamNamerFIFOState(t *testing.T) {
	if !privateRunc(t, "TestRedteamNamerFIFOState", "PROCBOX_REDTEAM_NAMER_FIFO") {
		return
	}
	if err := os.MkdirAll("/run/runc/fifo", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo("/run/runc/fifo/state.json", 0o600); err != nil {
		t.Fatal(err)
	}
	p, cmd, end := typeIntoLearnerShell(t, "unshare --pid --mount --fork sleep 2 & echo pbxrt-ns=$!")
	printedPID(t, p, "ns")
	time.Sleep(5 * watchEvery)
	p.master.WriteString("exit\n")
	cmd.Wait()
	if r := end(); !r.ok {
		t.Fatal("procbox hangs at the end of the learner's shell: the namer blocks on /run/runc/fifo/state.json")
	}
}

// TestRedteamRuntimesProcboxKilled: the learner is inside the runtimes
// lesson's container (runc run in the foreground of their shell) when
// procbox is killed with SIGKILL and the terminal goes away. runc passes the
// hangup on to the container's PID 1, which ignores it, so the container
// and its bundle outlive everything. Nothing of procbox runs at the shell's
// end: `procbox doctor --clean` is the learner's way to get the host back,
// and must remove the container and the bundle the dead procbox's learner
// made.
