package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"procbox/isolate"
	"procbox/lessons"
)

// learnerPTY is a pseudo-terminal for a learner's shell: what the test types
// goes in through the master, and everything the shell prints is collected.
type learnerPTY struct {
	master *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan struct{}
}

// startOnPTY starts cmd as the session leader of a new pseudo-terminal, as a
// terminal would start the learner's shell, and returns the terminal.
func startOnPTY(t *testing.T, cmd *exec.Cmd) *learnerPTY {
	t.Helper()
	p, slave := openLearnerPTY(t)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	return p
}

func openLearnerPTY(t *testing.T) (*learnerPTY, *os.File) {
	t.Helper()
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, uintptr(unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC))
	if errno != 0 {
		t.Fatal(errno)
	}
	p := &learnerPTY{master: os.NewFile(uintptr(m), "ptmx"), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := p.master.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p, os.NewFile(s, "pty-slave")
}

func (p *learnerPTY) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the shell printed want (up to a generous bound).
func (p *learnerPTY) waitFor(t *testing.T, want string) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(p.output(), want) {
			return
		}
	}
	t.Fatalf("the shell never printed %q; it printed:\n%s", want, p.output())
}

// runLearnerShell opens the learner's shell exactly as `s` does (learnerShells,
// watched), types lines into it through a pty, makes sure procbox has sampled
// what they built, exits every shell level and returns the trace.
func runLearnerShell(t *testing.T, shells learnerShells, lines []string) isolate.ShellTrace {
	t.Helper()
	tr, _ := runLearnerShellOut(t, shells, lines)
	return tr
}

// runLearnerShellOut is runLearnerShell that also returns everything the
// shells printed on the terminal.
func runLearnerShellOut(t *testing.T, shells learnerShells, lines []string) (isolate.ShellTrace, string) {
	t.Helper()
	// The shell runs in the test's private mount namespace: what the
	// commands mount never shows in the host's mount table, where other
	// tests running at the same time count mounts as leaks. The holder of
	// that namespace is left out of the watch, as the demo child is in the
	// real player.
	holder := privateMounts(t)
	cmd, done, err := shells.Shell(holder, "test intro")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Args = append([]string{"nsenter", "-t", strconv.Itoa(holder), "-m", "--", cmd.Path}, cmd.Args[1:]...)
	cmd.Path = nsenterPath(t)
	p := startOnPTY(t, cmd)
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	p.waitFor(t, "test intro")
	// The closing exits (the inner shell's, then the learner's own) come
	// after procbox had a look.
	last := len(lines)
	for last > 0 && lines[last-1] == "exit" {
		last--
	}
	for i, l := range lines[:last] {
		if strings.HasPrefix(l, "kill ") {
			// Lines are typed ahead of a shell still running an earlier one
			// ("& sleep 1"): let it catch up, then let procbox see what the
			// job built before it ends.
			p.master.WriteString(fmt.Sprintf("echo caught-up-$((%d+1))\n", i))
			p.waitFor(t, fmt.Sprintf("caught-up-%d\r\n", i+1))
			time.Sleep(3 * watchEvery)
		}
		p.master.WriteString(l + "\n")
		// One line at a time, as a person types: a line typed ahead would
		// reach whichever shell reads first (a shell that then execs takes
		// the rest of its read buffer with it).
		time.Sleep(250 * time.Millisecond)
		if strings.HasPrefix(l, "runc run ") {
			time.Sleep(5 * watchEvery) // the container starts, runc writes its state, procbox samples it
		}
	}
	// A marker the shell computes, so the echo of the typed line never matches.
	p.master.WriteString("echo diy-$((40+2))-typed\n")
	p.waitFor(t, "diy-42-typed")
	time.Sleep(3 * watchEvery) // procbox samples every watchEvery: let it see the built state
	for i := 0; i < 6; i++ {
		select {
		case <-exited:
			i = 6
			continue
		default:
		}
		p.master.WriteString("exit\n")
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Errorf("the learner's shell did not exit; it printed:\n%s", p.output())
	}
	tr := done()
	// procbox ended what the commands left running (a sleep in the
	// background), which also held the pty open; anything still marked as a
	// learner's shell's ends here. A PID whose process is gone may be
	// someone else's by now: those carry no mark and are left alone.
	for _, o := range tr.Procs {
		if o.PID != cmd.Process.Pid && markedLearners(o.PID) {
			unix.Kill(o.PID, unix.SIGKILL)
		}
	}
	p.master.Close()
	<-p.done
	return tr, p.output()
}

// removeLearnerGroups removes the groups a learner's shell made with the
// cgroup steps' commands: learner-PID, named after one of the shell's own
// processes, in a v1 hierarchy or the v2 tree. Others' groups are never touched.
func removeLearnerGroups(t *testing.T, tr isolate.ShellTrace) {
	for _, o := range tr.Procs {
		name := "learner-" + strconv.Itoa(o.PID)
		for _, tree := range []string{"memory", "pids", "cpu", "", "unified"} {
			removeLearnerCgroup(t, filepath.Join("/sys/fs/cgroup", tree, name, "leaf")) // the cgroups v2 step's leaf, first
			removeLearnerCgroup(t, filepath.Join("/sys/fs/cgroup", tree, name))
		}
	}
}

// TestDIYByHand is the catalog's do-it-yourself proof on the real kernel: for
// every step with a shell path, a shell where the learner typed nothing
// fails the check, and a shell where the test typed the step's commands,
// through a pty, exactly as the text shows them, passes it.
func TestDIYByHand(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("-short: not building the binary the seccomp step runs")
	}
	shells := learnerShells{bin: buildProcbox(t)}
	for _, l := range lessons.Catalog() {
		if l.ID == "byhand" {
			continue // one container built over its steps: TestByHandLesson
		}
		for _, s := range l.Steps {
			if s.DIY == nil {
				continue
			}
			t.Run(l.ID+"/"+s.ID, func(t *testing.T) {
				skipWithoutTools(t, s.DIY.Commands...)
				switch {
				case l.ID == "runtimes":
					skipUnlessRuncHost(t)
				case s.ID == "v2":
					skipUnlessV2Tree(t)
				}
				if l.ID == "cgroups" && s.ID != "v2" {
					if _, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs"); err != nil {
						if _, err := os.Stat("/sys/fs/cgroup/cgroup.subtree_control"); err != nil {
							t.Skip("no cgroup v1 hierarchy and no v2 tree at /sys/fs/cgroup")
						}
					}
				}
				if slices.ContainsFunc(s.DIY.Commands, func(c string) bool { return strings.Contains(c, "pbx") }) {
					hostNetUntouched(t)
				}
				untouched := runLearnerShell(t, shells, []string{"true"})
				if r := s.EvaluateDIY(lessons.State{Shell: &untouched}); r.Passed {
					t.Errorf("passes on a shell where nothing was typed (%d processes seen)", len(untouched.Procs))
				}
				built, out := runLearnerShellOut(t, shells, s.DIY.Commands)
				removeLearnerGroups(t, built)
				if r := s.EvaluateDIY(lessons.State{Shell: &built}); !r.Passed {
					t.Errorf("fails after the learner's commands: %s", r.Missing)
				}
				if want, ok := diyPrints[l.ID+"/"+s.ID]; ok {
					if msg := want(out); msg != "" {
						t.Errorf("%s; the terminal showed:\n%s", msg, out)
					}
				}
			})
		}
	}
}

// removeLearnerCgroup empties a group the test's commands made (its sleeps
// were killed already; their exit takes a moment) and removes it.
func removeLearnerCgroup(t *testing.T, dir string) {
	if _, err := os.Stat(dir); err != nil {
		return
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		b, _ := os.ReadFile(dir + "/cgroup.procs")
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				unix.Kill(pid, unix.SIGKILL)
			}
		}
		if err := unix.Rmdir(dir); err == nil || err == unix.ENOENT {
			return
		}
	}
	t.Errorf("could not remove %s", dir)
}

// TestByHandLesson builds the by-hand lesson's container through a pty, step
// after step as a learner would (each step needs the ones before it): before
// its commands each step's check fails, after them it passes.
func TestByHandLesson(t *testing.T) {
	requireRoot(t)
	l, _ := lessons.Find("byhand")
	skipUnlessByHandHost(t)
	for _, s := range l.Steps {
		untouched := runLearnerShell(t, learnerShells{}, []string{"true"})
		if r := s.EvaluateDIY(lessons.State{Shell: &untouched}); r.Passed {
			t.Errorf("%s: passes before its commands were typed", s.ID)
		}
		built := runLearnerShell(t, learnerShells{}, s.DIY.Commands)
		if r := s.EvaluateDIY(lessons.State{Shell: &built}); !r.Passed {
			t.Fatalf("%s: fails after the learner's commands: %s", s.ID, r.Missing)
		}
	}
}

// skipWithoutTools skips t when a program that commands run is not in PATH:
// lessons.CommandTools reads them from the commands, so a step that starts
// typing a new tool is skipped on a host without it, not failed.
func skipWithoutTools(t testing.TB, commands ...string) {
	t.Helper()
	for _, tool := range lessons.CommandTools(commands...) {
		if !haveTool(tool) {
			t.Skipf("needs %s on this host (the step's commands type it)", tool)
		}
	}
}

// skipUnlessByHandHost skips where the by-hand lesson's commands cannot run
// or would meet someone else's state, and removes what they build afterwards.
// The commands pick the pids tree of a v1, hybrid or v2 host themselves, and
// name the group after the learner's shell, so only /tmp/learner is shared.
func skipUnlessByHandHost(t *testing.T) {
	t.Helper()
	l, _ := lessons.Find("byhand")
	for _, s := range l.Steps {
		skipWithoutTools(t, s.DIY.Commands...)
	}
	if _, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs"); err != nil {
		if b, err := os.ReadFile("/sys/fs/cgroup/cgroup.subtree_control"); err != nil || !strings.Contains(string(b), "pids") {
			t.Skip("no pids controller here: neither a v1 /sys/fs/cgroup/pids nor pids in v2's /sys/fs/cgroup/cgroup.subtree_control")
		}
	}
	if _, err := os.Stat("/tmp/learner"); err == nil {
		t.Skip("/tmp/learner exists already and is not this test's")
	}
	t.Cleanup(func() { removeByHandLesson(t) })
}

// removeByHandLesson takes the lesson's container apart, as its last text says.
func removeByHandLesson(t *testing.T) {
	unix.Unmount("/tmp/learner/root", unix.MNT_DETACH)
	if b, err := os.ReadFile("/tmp/learner/cgroup"); err == nil {
		g := strings.TrimSpace(string(b))
		if !strings.HasPrefix(g, "/sys/fs/cgroup/") || !strings.Contains(g, "/learner-") {
			t.Errorf("/tmp/learner/cgroup names %q, not a learner group", g)
		} else {
			removeLearnerCgroup(t, g)
		}
	}
	if err := os.RemoveAll("/tmp/learner"); err != nil {
		t.Errorf("removing /tmp/learner: %v", err)
	}
}

// privateHolders are processes whose private mount namespaces the learner
// shells of a test run in, one per test: mounts made there (an overlay, a
// bind mount of a namespace file) persist from one shell to the next, as on
// a learner's host, and vanish with the holder when the test ends.
var privateHolders struct {
	sync.Mutex
	pid map[*testing.T]int
}

// privateMounts returns t's holder PID, starting it the first time.
func privateMounts(t *testing.T) int {
	t.Helper()
	privateHolders.Lock()
	defer privateHolders.Unlock()
	if pid := privateHolders.pid[t]; pid != 0 {
		return pid
	}
	h := exec.Command("unshare", "--mount", "--propagation", "private", "sleep", "3600")
	if err := h.Start(); err != nil {
		t.Skipf("no private mount namespace for the learner's shells: %v", err)
	}
	exited := make(chan struct{})
	go func() { h.Wait(); close(exited) }()
	t.Cleanup(func() {
		h.Process.Kill()
		<-exited
		privateHolders.Lock()
		delete(privateHolders.pid, t)
		privateHolders.Unlock()
	})
	// Wait until unshare has exec'd sleep in the new namespace.
	own, _ := os.Readlink("/proc/self/ns/mnt")
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		theirs, _ := os.Readlink("/proc/" + strconv.Itoa(h.Process.Pid) + "/ns/mnt")
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(h.Process.Pid) + "/comm")
		if theirs != "" && theirs != own && strings.TrimSpace(string(comm)) == "sleep" {
			break
		}
	}
	if privateHolders.pid == nil {
		privateHolders.pid = map[*testing.T]int{}
	}
	privateHolders.pid[t] = h.Process.Pid
	return h.Process.Pid
}

func nsenterPath(t *testing.T) string {
	p, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("needs nsenter")
	}
	return p
}

// TestLearnerShellPromptInSh: a sh the learner starts from their shell
// (unshare … sh, as the namespace steps type) shows a prompt of its own, not
// bash's escapes: procbox exported PS1, bash's startup files rewrote it to
// \u@\h:\w, and every nested sh printed that literally.
func TestLearnerShellPromptInSh(t *testing.T) {
	t.Setenv("PS1", `\u@\h:\w\$ `) // as a user's own environment may carry it
	cmd, done, err := learnerShells{}.Shell(0, "prompt intro")
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	p := startOnPTY(t, cmd)
	defer func() { cmd.Process.Kill(); cmd.Wait(); p.master.Close(); <-p.done }()
	p.waitFor(t, "prompt intro")
	p.master.WriteString("sh\n")
	time.Sleep(250 * time.Millisecond)
	// Computed by the shell, so the echo of the typed line never matches.
	p.master.WriteString(`case "$PS1" in *'\'*) echo ps1-$((1+1))-escapes;; *) echo ps1-$((1+1))-plain;; esac` + "\n")
	p.waitFor(t, "ps1-2-")
	if strings.Contains(p.output(), "ps1-2-escapes") {
		t.Errorf("a sh in the learner's shell inherits bash's prompt escapes:\n%s", p.output())
	}
	p.master.WriteString("exit\nexit\n")
}
