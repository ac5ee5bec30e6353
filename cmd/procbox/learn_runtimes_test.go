package main

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"procbox/lessons"
)

// diyPrints holds what a step's text says the learner sees when they type
// its commands, for the steps whose check cannot see it (an error a command
// printed): out is everything the terminal showed.
var diyPrints = map[string]func(out string) string{
	// runc spec's three capabilities (bits 5, 10, 29), no_new_privs, no
	// filter, runc's hostname, and mkdir allowed in /dev/shm.
	"runtimes/runc": func(out string) string {
		return want(out, `(?m)^CapBnd:\s+0000000020000420\r?$`, `(?m)^NoNewPrivs:\s+1\r?$`, `(?m)^Seccomp:\s+0\r?$`,
			`(?m)^runc\r?$`, `(?m)^\s+1 \S+\s+sh\r?$`, `(?m)^d\r?$`)
	},
	// Two EPERMs: chown for want of CAP_CHOWN, mkdir from the filter.
	"runtimes/defaults": func(out string) string {
		return want(out, `(?m)^Seccomp:\s+2\r?$`, `chown: /dev/shm/f: Operation not permitted`,
			`mkdir: can't create directory '/dev/shm/d': Operation not permitted`)
	},
	// The shell joined the leaf; +memory was refused with ENOENT on a
	// hybrid host, or passed down on a v2 one (subtree_control lists it);
	// the pressure file has its some line.
	"cgroups/v2": func(out string) string {
		// (bash's bracketed-paste escapes may stand before a line's start)
		return want(out, `(?m)0::/learner-[0-9]+/leaf\r?$`, `write error: No such file or directory|(?m)^(cpu memory|memory cpu)\r?$`,
			`(?m)usage_usec [0-9]+\r?$`, `(?m)^some avg10=`)
	},
}

// skipUnlessRuncHost skips where the runtimes lesson's commands cannot run
// (no runc, no static busybox at the path the text copies), and at the end
// removes what a run of them left: the containers learner-oci-PID and
// bundles /tmp/learner-oci-PID whose shell (PID) is gone. A concurrent
// run's shell is alive, so its container is not touched.
func skipUnlessRuncHost(t *testing.T) {
	t.Helper()
	requireRuncAndBusybox(t)
	t.Cleanup(func() { removeDeadLearnerContainers(t, "learner-oci-", true) })
}

// removeDeadLearnerContainers deletes runc's containers named prefix+PID,
// and with bundles the directories /tmp/prefix+PID, whose PID no longer
// runs, and fails the test if one cannot be removed.
func removeDeadLearnerContainers(t *testing.T, prefix string, bundles bool) {
	t.Helper()
	dead := func(name string) bool {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(name), prefix))
		return err == nil && pid > 0 && unix.Kill(pid, 0) == unix.ESRCH
	}
	states, _ := filepath.Glob("/run/runc/" + prefix + "*")
	for _, st := range states {
		if !dead(st) {
			continue
		}
		id := filepath.Base(st)
		for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
			if exec.Command("runc", "delete", "-f", id).Run() == nil {
				break
			}
		}
		if _, err := os.Stat(st); err == nil {
			t.Errorf("leak: runc container %s", id)
		}
		if m, _ := filepath.Glob("/sys/fs/cgroup/*/" + id); len(m) > 0 {
			t.Errorf("leak: cgroups %v", m)
		}
	}
	if !bundles {
		return
	}
	dirs, _ := filepath.Glob("/tmp/" + prefix + "*")
	for _, d := range dirs {
		if dead(d) {
			if err := os.RemoveAll(d); err != nil {
				t.Errorf("removing the bundle %s: %v", d, err)
			}
		}
	}
}

// skipUnlessV2Tree skips where the host has no cgroup v2 tree (the groups
// the commands make are removed by removeLearnerGroups).
func skipUnlessV2Tree(t *testing.T) {
	t.Helper()
	u := "/sys/fs/cgroup/unified"
	if _, err := os.Stat(u + "/cgroup.procs"); err != nil {
		u = "/sys/fs/cgroup"
	}
	var st unix.Statfs_t
	if err := unix.Statfs(u, &st); err != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		t.Skip("this host has no cgroup v2 tree (v1 only)")
	}
}

// requireRuncAndBusybox skips unless runc is installed and /bin/busybox, the
// file the text copies into the bundle, is statically linked.
func requireRuncAndBusybox(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("needs runc (Debian: apt-get install runc)")
	}
	f, err := elf.Open("/bin/busybox")
	if err != nil {
		t.Skip("needs /bin/busybox (Debian: apt-get install busybox-static)")
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Skip("/bin/busybox is dynamically linked: it cannot run alone in the bundle (Debian: busybox-static)")
		}
	}
}

// TestLearnerShellDeletesLeftContainer: the learner's shell dies under a
// running `runc run` (killed, or its terminal hung up): runc and the
// container outlive it, since the container's PID 1 ignores the hangup
// runc passes on. When the shell is over, procbox deletes that container
// (the one it saw below the shell) and the shell's bundle, and nothing of
// them is left.
func TestLearnerShellDeletesLeftContainer(t *testing.T) {
	requireRoot(t)
	l, _ := lessons.Find("runtimes")
	skipUnlessRuncHost(t)
	lines := l.Steps[0].DIY.Commands
	cmd, done, err := learnerShells{}.Shell(0, "abort intro")
	if err != nil {
		t.Fatal(err)
	}
	p := startOnPTY(t, cmd)
	id := "learner-oci-" + strconv.Itoa(cmd.Process.Pid) // the wrapper execs the shell: one PID
	state := "/run/runc/" + id
	p.waitFor(t, "abort intro")
	for _, line := range lines {
		p.master.WriteString(line + "\n")
		time.Sleep(250 * time.Millisecond)
		if strings.HasPrefix(line, "runc run ") {
			break
		}
	}
	p.master.WriteString("echo in-$((40+2))-box\n")
	p.waitFor(t, "in-42-box")
	time.Sleep(5 * watchEvery)
	// The learner's shell dies. runc still holds the terminal, so the
	// reader of its master side ends only once runc is gone (at the end).
	cmd.Process.Kill()
	cmd.Wait()
	defer func() {
		exec.Command("runc", "delete", "-f", id).Run() // a no-op unless the test failed
		p.master.Close()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Error("the terminal is still held open: something of the container is left")
		}
	}()
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("the container did not outlive the shell (%v): the premise of the test is gone", err)
	}
	tr := done()
	named := false
	for _, o := range tr.Procs {
		named = named || o.Container == "runc "+id
	}
	if !named {
		t.Fatalf("procbox never saw the container below the shell: %+v", tr.Procs)
	}
	bundle := lessons.RuncBundlePrefix + strconv.Itoa(cmd.Process.Pid)
	if !slices.Contains(tr.Cleanup, "runc delete -f "+id) || !slices.Contains(tr.Cleanup, "rm -rf "+bundle) {
		t.Errorf("the trace does not say what procbox undid: %q", tr.Cleanup)
	}
	if _, err := os.Stat(bundle); err == nil {
		t.Errorf("the bundle %s is still there after the shell's end", bundle)
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(state); err != nil {
			break
		}
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("the container is still there after the shell's end")
	}
	// runc run itself ends once its container is gone.
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if out, _ := exec.Command("pgrep", "-f", "runc run "+id).Output(); len(out) == 0 {
			return
		}
	}
	out, _ := exec.Command("pgrep", "-a", "-f", "runc run "+id).Output()
	t.Errorf("runc run is still running: %s", out)
}

// TestLearnRuntimesInTmux types the runtimes lesson into the real binary in
// tmux, as a learner would: for each step, s, the lines, exit. Each step
// passes by hand, on the container runc made, and the panel names it as
// runc's learner-oci-PID.
func TestLearnRuntimesInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs containers; skipped with -short")
	}
	requireRoot(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	skipUnlessRuncHost(t)
	bin := faultBuild(t)
	state := t.TempDir()
	x, pid := startLearn(t, state, bin+" learn runtimes")
	l, _ := lessons.Find("runtimes")
	for i, s := range l.Steps {
		x.waitFor(fmt.Sprintf("Step %d/%d · %s", i+1, len(l.Steps), s.Title), 60*time.Second)
		x.run("send-keys", "-t", "learn", "s")
		x.waitFor("Your own shell for", 30*time.Second)
		for _, line := range s.DIY.Commands {
			if line == "exit" {
				time.Sleep(3 * watchEvery) // let procbox see what the lines built
			}
			x.run("send-keys", "-t", "learn", "-l", line)
			x.run("send-keys", "-t", "learn", "Enter")
			time.Sleep(300 * time.Millisecond) // a person's pace: one line at a time
			if strings.HasPrefix(line, "runc run ") {
				time.Sleep(5 * watchEvery) // the container starts
			}
		}
		screen := x.waitFor("passed by hand", 60*time.Second)
		if !strings.Contains(screen, "runc learner-oci-") {
			t.Errorf("%s: the panel does not name runc's container:\n%s", s.ID, screen)
		}
		x.run("send-keys", "-t", "learn", "Enter")
	}
	x.quit(pid)
}
