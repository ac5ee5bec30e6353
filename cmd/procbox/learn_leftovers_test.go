package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestLearnerShellLeftoversEnded: a learner's shell that leaves a sleep in
// the background, a setsid'd sleep (a new session, orphaned at once), a
// sleep holding a network namespace of its own and an nc -l in another one,
// then exits (or is killed, or procbox quits under it), leaves none of them alive: procbox was their
// subreaper and ended them, and says so. The demo child, and a sleep the
// test itself left orphaned to procbox while the shell ran (procbox's child
// by then, the same name, but not the learner's), are both alive after.
func TestLearnerShellLeftoversEnded(t *testing.T) {
	requireRoot(t)
	for _, tool := range []string{"unshare", "setsid"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	for _, end := range []string{"exit", "killed", "procbox quits"} {
		t.Run(end, func(t *testing.T) { leftoversAfter(t, end) })
	}
}

func leftoversAfter(t *testing.T, end string) {
	dir := t.TempDir()
	pids := filepath.Join(dir, "pids")
	lines := []string{
		"sleep 300 & echo $! >> " + pids,
		"setsid -f sh -c 'echo $$ >> " + pids + "; exec sleep 300'",
		"unshare --net sleep 300 & echo $! >> " + pids,
	}
	want := []string{"sleep", "sleep", "sleep"}
	if _, err := exec.LookPath("busybox"); err == nil {
		lines = append(lines, "unshare --net busybox nc -l -p 9000 -e cat & echo $! >> "+pids)
		want = append(want, "nc")
	}

	demo := startSleeper(t) // the demo child: procbox's child from before the shell
	cmd, done, err := learnerShells{}.Shell(demo, "leftovers intro")
	if err != nil {
		t.Fatal(err)
	}
	p := startOnPTY(t, cmd)
	t.Cleanup(func() { p.master.Close(); <-p.done })
	t.Cleanup(func() { // on failure: runs first, frees the pty
		if t.Failed() {
			killListed(pids)
		}
	})
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	p.waitFor(t, "leftovers intro")
	for _, l := range lines {
		p.master.WriteString(l + "\n")
		time.Sleep(250 * time.Millisecond)
	}
	p.master.WriteString("echo left-$((40+2))-typed\n")
	p.waitFor(t, "left-42-typed")
	for end := time.Now().Add(5 * time.Second); countListed(pids) < len(lines) && time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
	}

	// Not the learner's: an orphan of the test's own, adopted by procbox
	// while the shell runs, named sleep like the learner's.
	out, err := exec.Command("sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!").Output()
	if err != nil {
		t.Fatal(err)
	}
	stranger, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	t.Cleanup(func() { reapOwn(stranger) })
	if st, ok := readLeftoverStat(stranger); !ok || st.ppid != os.Getpid() {
		t.Fatalf("the test's orphan %d was not adopted by procbox (subreaper): %+v", stranger, st)
	}

	switch end {
	case "exit":
		p.master.WriteString("exit\n")
	case "killed":
		cmd.Process.Kill()
	case "procbox quits":
		endLearnerShells() // as cmd_learn does on SIGTERM, a hang-up, or when the player returns
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the learner's shell did not exit; it printed:\n%s", p.output())
	}
	tr := done()

	left := listed(pids)
	if len(left) != len(lines) {
		t.Fatalf("the shell recorded %d PIDs, want %d:\n%s", len(left), len(lines), p.output())
	}
	for _, pid := range left {
		if err := unix.Kill(pid, 0); err != unix.ESRCH {
			st, _ := readLeftoverStat(pid)
			t.Errorf("the learner's %s (%d) is still there after the shell (kill 0: %v, state %c)", st.comm, pid, err, st.state)
		}
	}
	for what, pid := range map[string]int{"the demo child": demo, "the test's own orphan": stranger} {
		if st, ok := readLeftoverStat(pid); !ok || st.state == 'Z' {
			t.Errorf("%s (%d) was ended with the learner's processes", what, pid)
		}
	}
	line := "ended " + strconv.Itoa(len(want)) + " processes your shell left: "
	var said string
	for _, c := range tr.Cleanup {
		if strings.HasPrefix(c, line) {
			said = c
		}
	}
	if said == "" {
		t.Fatalf("the result does not say what procbox ended; cleanup: %q", tr.Cleanup)
	}
	for _, n := range want {
		if strings.Count(said, n) < strings.Count(strings.Join(want, " "), n) {
			t.Errorf("%q does not name every %s", said, n)
		}
	}
	var sub int32
	if err := unix.Prctl(unix.PR_GET_CHILD_SUBREAPER, uintptr(unsafe.Pointer(&sub)), 0, 0, 0); err == nil && sub != 0 {
		t.Errorf("procbox is still a subreaper after the shell")
	}
}

// startSleeper starts a sleep of the test's own and ends it when t ends.
func startSleeper(t *testing.T) int {
	c := exec.Command("sleep", "300")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c.Process.Pid
}

// reapOwn kills and reaps a child of the test's that no exec.Cmd waits for.
func reapOwn(pid int) {
	if pid <= 0 {
		return
	}
	unix.Kill(pid, unix.SIGKILL)
	var ws unix.WaitStatus
	unix.Wait4(pid, &ws, 0, nil)
}

func listed(file string) []int {
	b, _ := os.ReadFile(file)
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
			out = append(out, pid)
		}
	}
	return out
}

func countListed(file string) int { return len(listed(file)) }

// killListed ends what the learner's lines recorded and procbox left alive:
// its own children (reaped), or a sleep or busybox elsewhere.
func killListed(file string) {
	for _, pid := range listed(file) {
		st, ok := readLeftoverStat(pid)
		switch {
		case !ok:
		case st.ppid == os.Getpid():
			reapOwn(pid)
		case st.comm == "sleep" || st.comm == "busybox":
			unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// markedLearners says whether pid's environment carries a learner's shell's mark.
func markedLearners(pid int) bool {
	env, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	return strings.Contains("\x00"+string(env), "\x00"+leftoverMarkVar+"=")
}
