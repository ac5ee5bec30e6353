package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/internal/leakcheck"
	"procbox/lessons"
)

// TestLearnWalkTimed walks the course as a learner who does every step both
// ways: the real binary in tmux, a on each step until the check passes,
// then s and the step's commands typed one line at a time until it passes
// by hand. It fails on any step that does not pass either way, and it
// measures the machine's share of each step: from a to the verdict, and on
// the shell path the time to open the shell, each typed line's run (until
// a marker typed after it comes back) and the last exit to the verdict,
// without the pauses this test makes itself so that procbox samples what
// the lines built (a person is slower than that anyway), and without the
// 500 ms it waits after a line that starts a shell before it types the
// marker (a shell reads ahead). Those are
// the numbers in lessons/duration.go's measured table; everything human
// (reading, typing, thinking) is modelled there, not measured here.
//
// It takes minutes and builds containers by hand, so it runs only when
// asked: PROCBOX_WALK=1 (PROCBOX_WALK_OUT=FILE also writes the table).
func TestLearnWalkTimed(t *testing.T) {
	if os.Getenv("PROCBOX_WALK") == "" {
		t.Skip("set PROCBOX_WALK=1 to walk the whole course in tmux (several minutes, root)")
	}
	requireRoot(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	bin := faultBuild(t)
	var table []string
	for _, l := range lessons.Catalog() {
		if only := os.Getenv("PROCBOX_WALK_LESSONS"); only != "" && !strings.Contains(","+only+",", ","+l.ID+",") {
			continue
		}
		t.Run(l.ID, func(t *testing.T) {
			if l.ID == "byhand" {
				skipUnlessByHandHost(t)
			}
			if l.ID == "runtimes" {
				skipUnlessRuncHost(t) // and remove what a failed walk left of its containers
			}
			table = append(table, walkLesson(t, bin, l)...)
		})
	}
	t.Logf("measured seconds (machine only):\n%s", strings.Join(table, "\n"))
	if out := os.Getenv("PROCBOX_WALK_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(strings.Join(table, "\n")+"\n"), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// walkLesson walks one lesson and returns its measured lines,
// "lesson/step act=SECONDS shell=SECONDS" (-1 where the step has no such path).
func walkLesson(t *testing.T, bin string, l lessons.Lesson) []string {
	state := t.TempDir()
	// A private mount namespace, as the by-hand tests use: mounts the steps
	// make never show in the host's table.
	x, pid := startLearn(t, state, "exec unshare --mount --propagation private -- "+bin+" learn "+l.ID)
	var shells []int // the learner's shells: their groups are named after them
	t.Cleanup(func() {
		for _, sh := range shells {
			for _, tree := range []string{"memory", "pids", "cpu", "", "unified"} { // unified: the cgroups v2 step on a hybrid host
				removeLearnerCgroup(t, filepath.Join("/sys/fs/cgroup", tree, "learner-"+strconv.Itoa(sh), "leaf")) // its leaf first
				removeLearnerCgroup(t, filepath.Join("/sys/fs/cgroup", tree, "learner-"+strconv.Itoa(sh)))
			}
		}
	})
	var out []string
	for i, s := range l.Steps {
		x.waitFor(fmt.Sprintf("Step %d/%d · ", i+1, len(l.Steps)), 60*time.Second)
		waitIdle(x)
		act, shell := -1.0, -1.0
		if !s.ByHandOnly {
			t0 := time.Now()
			x.run("send-keys", "-t", "learn", "a")
			scr := waitVerdict(x)
			act = time.Since(t0).Seconds()
			if !strings.Contains(scr, "✓ passed") {
				t.Errorf("%s/%s: a did not pass:\n%s", l.ID, s.ID, scr)
			}
		}
		if s.DIY != nil && diyToolsHere(s) {
			// The machine's share: s until the shell is there, each line
			// until a marker typed after it comes back (the line's own run
			// time), and the last exit until the verdict.
			t0 := time.Now()
			x.run("send-keys", "-t", "learn", "s")
			for try := 0; try < 5 && !strings.Contains(x.screen(), "Your own shell for"); try++ {
				time.Sleep(time.Second)
				if !strings.Contains(x.screen(), "Your own shell for") && !busyLine.MatchString(x.screen()) {
					t.Logf("%s/%s: s was not taken (the player was busy?); pressing it again", l.ID, s.ID)
					x.run("send-keys", "-t", "learn", "s")
					t0 = time.Now()
				}
			}
			x.waitFor("Your own shell for", 30*time.Second)
			took := time.Since(t0)
			shells = append(shells, leakcheck.Children(pid, false)...)
			last := len(s.DIY.Commands)
			for last > 0 && s.DIY.Commands[last-1] == "exit" {
				last--
			}
			for n, line := range s.DIY.Commands[:last] {
				if line == "exit" || strings.HasPrefix(line, "kill ") {
					time.Sleep(2 * time.Second) // let procbox see what the lines built (a person is slower)
				}
				t1 := time.Now()
				x.run("send-keys", "-t", "learn", "-l", line)
				x.run("send-keys", "-t", "learn", "Enter")
				pause := time.Duration(0)
				if startsShell.MatchString(line) {
					// A shell reads ahead what is typed: the marker must wait
					// until the new shell (or the program exec'd) reads it.
					pause = 500 * time.Millisecond
					time.Sleep(pause)
				}
				if line != "exit" {
					// Computed by the shell, so the echo of the typed line never matches.
					x.run("send-keys", "-t", "learn", "-l", fmt.Sprintf("echo walk-$((%d+1000))-done", n))
					x.run("send-keys", "-t", "learn", "Enter")
					x.waitFor(fmt.Sprintf("walk-%d-done", n+1000), 60*time.Second)
				}
				took += max(time.Since(t1)-pause, 0)
			}
			time.Sleep(3 * watchEvery) // let procbox see what the lines built
			var t2 time.Time           // from the last exit
			for i, line := range s.DIY.Commands[last:] {
				if i > 0 {
					time.Sleep(100 * time.Millisecond) // one shell level at a time
				}
				t2 = time.Now()
				x.run("send-keys", "-t", "learn", "-l", line)
				x.run("send-keys", "-t", "learn", "Enter")
			}
			if t2.IsZero() {
				t2 = time.Now()
			}
			// A shell level the exits did not reach (a job still running)
			// gets one more exit, after 5 seconds without a verdict.
			for try := 0; try < 3; try++ {
				for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && !verdictShown(x.screen()); {
					time.Sleep(50 * time.Millisecond)
				}
				if verdictShown(x.screen()) {
					break
				}
				if strings.Contains(x.screen(), "The last exit brings you back") { // still in a shell
					x.run("send-keys", "-t", "learn", "-l", "exit")
					x.run("send-keys", "-t", "learn", "Enter")
				}
			}
			scr := waitVerdict(x)
			took += time.Since(t2)
			shell = took.Seconds()
			if !strings.Contains(scr, "passed by hand") {
				t.Errorf("%s/%s: the typed commands did not pass:\n%s", l.ID, s.ID, scr)
			}
		}
		out = append(out, fmt.Sprintf("%s/%s act=%.1f shell=%.1f", l.ID, s.ID, act, shell))
		x.run("send-keys", "-t", "learn", "n")
	}
	x.quit(pid)
	return out
}

// startsShell is a typed line that starts an interactive shell (or execs one).
var startsShell = regexp.MustCompile(`(\bsh|\bbash|--)( \+m)?$|^exec `)

// busyLine is the action line while the player works ("… starting …").
var busyLine = regexp.MustCompile(`(?m)^… `)

// waitIdle waits until the player is not busy (a demo child starting).
func waitIdle(x learnTmux) {
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		s := x.screen()
		if !busyLine.MatchString(s) && !strings.Contains(s, "starting the demo child") {
			return
		}
	}
	x.t.Fatalf("the player stayed busy:\n%s", x.screen())
}

// verdictShown is whether the screen shows a check's verdict.
func verdictShown(s string) bool {
	return (strings.Contains(s, "✓ passed") || strings.Contains(s, "✗ ")) && !busyLine.MatchString(s)
}

// waitVerdict waits for a check's verdict, passed or not.
func waitVerdict(x learnTmux) string {
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		s := x.screen()
		if verdictShown(s) {
			return s
		}
	}
	x.t.Fatalf("no verdict:\n%s", x.screen())
	return ""
}

// diyToolsHere is whether the host has the tools a step's commands name.
func diyToolsHere(s lessons.Step) bool {
	for _, tool := range lessons.CommandTools(s.DIY.Commands...) {
		if !haveTool(tool) {
			return false
		}
	}
	return true
}
