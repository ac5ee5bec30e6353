package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/internal/testtree"
)

// TestFaultHostileNames starts a process whose name (comm, exe path and
// argv) carries terminal escape sequences and a newline — any local user can
// name a process so — and prints it with `procbox ps --text` and
// `procbox inspect PID --text`. The operator's terminal must receive no
// control characters from it (an OSC sequence retitles the terminal, others
// recolour or move the cursor), and the table row must stay one line so no
// fake row can be forged.
func TestFaultHostileNames(t *testing.T) {
	bin := faultBuild(t)
	shPath, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("needs sh")
	}
	// comm keeps the first 15 bytes of the file name: an OSC title sequence,
	// a colour, a newline and the start of a forged row fit.
	name := "\x1b]2;P\x07\x1b[1m\nFAKE"
	dir := t.TempDir()
	evil := filepath.Join(dir, name)
	testtree.CopyExecutable(t, shPath, evil)
	// A shell under the evil name that stays alive (the trailing ":" stops it
	// from exec'ing sleep), with escapes in its argv too.
	cmd := exec.Command(evil, "-c", "sleep 30; :", "\x1b[2J\x1b[H", "line\nbreak")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.HasPrefix(commOf(pid), "\x1b") {
			break
		}
	}

	check := func(what string, r faultRun) {
		t.Helper()
		if r.err != nil || r.code != 0 {
			t.Errorf("%s: status %d, %v: %s", what, r.code, r.err, r.stderr)
			return
		}
		for _, c := range []struct {
			b    string
			name string
		}{{"\x1b", "ESC"}, {"\x07", "BEL"}, {"\x9b", "CSI"}} {
			if strings.Contains(r.stdout, c.b) {
				i := strings.Index(r.stdout, c.b)
				lo, hi := max(0, i-30), min(len(r.stdout), i+30)
				t.Errorf("%s: a process name put a raw %s on the terminal: %q", what, c.name, r.stdout[lo:hi])
			}
		}
	}

	r := faultExec(t, 30*time.Second, bin, "ps", "--text")
	check("procbox ps --text", r)
	// The name's newline must not split the row: no line may start with the
	// text that followed it.
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "FAKE") {
			t.Errorf("procbox ps --text: the name of %d broke its row and forged a line: %q", pid, l)
		}
	}

	check("procbox inspect PID --text", faultExec(t, 30*time.Second, bin, "inspect", strconv.Itoa(pid), "--text"))

	// The picker (TUI) on a real terminal: the row must stay one row.
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Log("no tmux: the picker part is skipped")
		return
	}
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	tmux := func(args ...string) string {
		out, _ := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
		return string(out)
	}
	t.Cleanup(func() { tmux("kill-server") })
	tmux("new-session", "-d", "-x", "150", "-y", "50", "-s", "names", "exec "+bin+" ps")
	time.Sleep(2 * time.Second)
	tmux("send-keys", "-t", "names", "/")
	time.Sleep(300 * time.Millisecond)
	tmux("send-keys", "-t", "names", "-l", "FAKE") // filter down to our process
	time.Sleep(1500 * time.Millisecond)
	screen := tmux("capture-pane", "-p", "-t", "names")
	for _, l := range strings.Split(screen, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "FAKE") {
			t.Errorf("procbox ps (picker): the name of %d broke its row across lines; screen:\n%s", pid, screen)
			break
		}
	}
}
