package main

// Red-team attacks on what procbox undoes after a learner's shell: the
// runtimes lesson's runc containers and bundles. The learner is root and
// types what they like; procbox must undo the lesson's leftovers and touch
// nothing that is not the lesson's.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/lessons"
)

// typeIntoLearnerShell opens the learner's shell as `s` does, types lines, and
// returns the shell's terminal, its command and the trace's end. Each
// `echo pbxrt-NAME=$$` a line prints is read back by printedPID.
func typeIntoLearnerShell(t *testing.T, lines ...string) (*learnerPTY, *exec.Cmd, func() traceResult) {
	t.Helper()
	cmd, done, err := learnerShells{}.Shell(0, "redteam intro")
	if err != nil {
		t.Fatal(err)
	}
	p := startOnPTY(t, cmd)
	p.waitFor(t, "redteam intro")
	for _, l := range lines {
		p.master.WriteString(l + "\n")
	}
	end := func() traceResult {
		ch := make(chan traceResult, 1)
		go func() {
			tr := done()
			r := traceResult{cleanup: tr.Cleanup, ok: true}
			for _, o := range tr.Procs {
				if o.Container != "" {
					r.named = append(r.named, o.Container)
				}
			}
			ch <- r
		}()
		select {
		case r := <-ch:
			return r
		case <-time.After(30 * time.Second):
			return traceResult{} // the end of the shell hangs procbox
		}
	}
	return p, cmd, end
}

type traceResult struct {
	cleanup []string
	named   []string // the containers procbox named below the shell
	ok      bool
}

// printedPID waits for the shell to print pbxrt-NAME=PID and returns PID.
func printedPID(t *testing.T, p *learnerPTY, name string) int {
	t.Helper()
	re := regexp.MustCompile(`pbxrt-` + name + `=([0-9]+)`)
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(p.output()); m != nil {
			pid, _ := strconv.Atoi(m[1])
			return pid
		}
	}
	t.Fatalf("the shell never printed %s=PID:\n%s", name, p.output())
	return 0
}

// TestRedteamBundleSymlinkSpared: a symlink planted at the bundle path of one
// of the learner's processes (/tmp/learner-oci-PID -> a directory of someone
// else), and a bundle whose rootfs is such a symlink: procbox's cleanup after
// the shell removes the link, never what it points to.
func TestRedteamBundleSymlinkSpared(t *testing.T) {
	requireRoot(t)
	victim := t.TempDir()
	keep := filepath.Join(victim, "keep")
	if err := os.WriteFile(keep, []byte("not the lesson's\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Two short-lived processes of the learner: each prints its PID and
	// lives long enough for procbox to see it.
	p, cmd, end := typeIntoLearnerShell(t,
		`sh -c 'echo pbxrt-link=$$; sleep 1.5'`,
		`sh -c 'echo pbxrt-dir=$$; sleep 1.5'`)
	linkPID, dirPID := printedPID(t, p, "link"), printedPID(t, p, "dir")
	link := lessons.RuncBundlePrefix + strconv.Itoa(linkPID)
	dir := lessons.RuncBundlePrefix + strconv.Itoa(dirPID)
	for _, path := range []string{link, dir} {
		if _, err := os.Lstat(path); err == nil {
			t.Skipf("%s exists already (another run's): the attack needs the name free", path)
		}
	}
	t.Cleanup(func() { os.Remove(link); os.RemoveAll(dir) })
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "rootfs")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // both processes are gone
	p.master.WriteString("exit\n")
	cmd.Wait()
	r := end()
	if !r.ok {
		t.Fatal("procbox hangs at the end of the learner's shell")
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the cleanup went through a planted symlink: %v (cleanup %q)", err, r.cleanup)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the planted link at %s was followed or changed: %v", link, err)
	}
	// The directory at the bundle's name is the lesson's shape: it goes,
	// with the link inside it and nothing behind the link. (Proof the
	// cleanup ran at all, so the check above is not vacuous.)
	if _, err := os.Lstat(dir); err == nil {
		t.Errorf("the bundle-shaped directory %s was not removed: the cleanup did not run (%q)", dir, r.cleanup)
	}
}

// privateRunc runs the test named name again in a mount namespace of its
// own with an empty tmpfs on /run/runc, where it may plant runtime state
// without the host's runc, or another test, ever reading it. It returns
// false in the outer run (which only checks the inner one passed).
func privateRunc(t *testing.T, name, env string) bool {
	t.Helper()
	if os.Getenv(env) != "" {
		return true
	}
	requireRoot(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1)")
	}
	if fi, err := os.Stat("/run/runc"); err != nil || !fi.IsDir() {
		t.Skip("needs /run/runc to mount over (runc never ran here)")
	}
	script := `mount --make-rprivate / && mount -t tmpfs -o mode=0700 tmpfs /run/runc && exec "$0" -test.run '^` + name + `$' -test.count=1 -test.v`
	cmd := exec.Command("unshare", "--mount", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !regexp.MustCompile(`--- PASS: `+name+`\b`).Match(out) {
		t.Errorf("%s in its own mount namespace: %v\n%s", name, err, out)
	}
	for _, m := range regexp.MustCompile(`(?m)^\s+redteam_learner_test.go:[0-9]+: (.*)$`).FindAllSubmatch(out, -1) {
		t.Logf("inside: %s", m[1])
	}
	return false
}

// TestRedteamNamerHostileID: runc's state names a learner's process with an
// id of its maker's choice: terminal escapes and 1 MiB (a bigger state file
// is refused outright, see readStateFile). What procbox keeps
// of it (the trace's container names and its cleanup lines, which the panel
// shows) holds no byte a terminal acts on, and the shell's end returns.
func TestRedteamNamerHostileID(t *testing.T) {
	if !privateRunc(t, "TestRedteamNamerHostileID", "PROCBOX_REDTEAM_NAMER_ID") {
		return
	}
	p, cmd, end := typeIntoLearnerShell(t, "unshare --pid --mount --fork sleep 4 & echo pbxrt-ns=$!")
	pid := printedPID(t, p, "ns")
	id := "\x1b]0;pwned\x07\x1b[2J" + strings.Repeat("A", 1<<20)
	st, _ := json.Marshal(map[string]any{"id": id, "init_process_pid": pid})
	if err := os.MkdirAll("/run/runc/hostile", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("/run/runc/hostile/state.json", st, 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * watchEvery)
	p.master.WriteString("exit\n")
	cmd.Wait()
	r := end()
	if !r.ok {
		t.Fatal("procbox hangs at the end of the learner's shell")
	}
	if len(r.named) == 0 {
		t.Fatalf("procbox never named the process by the planted state: the premise of the attack is gone")
	}
	for _, s := range append(r.named, r.cleanup...) {
		if i := strings.IndexFunc(s, func(c rune) bool { return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) }); i >= 0 {
			t.Errorf("a string procbox keeps carries a control byte at %d: %q", i, s[:min(len(s), 80)])
		}
	}
	// Cut to maxContainerName before escaping, which at most quadruples it.
	if n := longest(r.named); n > 4*(maxContainerName+len("…")) {
		t.Errorf("procbox keeps a container name of %d bytes; want it cut to %d before escaping", n, maxContainerName)
	}
	t.Logf("kept: %d names, longest %d bytes; cleanup %d lines, longest %d bytes", len(r.named), longest(r.named), len(r.cleanup), longest(r.cleanup))
}

func longest(ss []string) int {
	n := 0
	for _, s := range ss {
		n = max(n, len(s))
	}
	return n
}
