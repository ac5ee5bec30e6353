package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/inspect"
	"procbox/lessons"
	"procbox/ui"
)

func TestLearnList(t *testing.T) {
	var out bytes.Buffer
	if err := learnMain([]string{"--list"}, &out, false); err != nil {
		t.Fatal(err)
	}
	for _, l := range lessons.Catalog() {
		if !strings.Contains(out.String(), l.ID) || !strings.Contains(out.String(), l.Title) {
			t.Errorf("--list lacks %s:\n%s", l.ID, out.String())
		}
	}
	if !strings.Contains(out.String(), " 8 steps   32 min  Namespaces") {
		t.Errorf("--list does not show steps and minutes:\n%s", out.String())
	}
}

func TestLearnPrint(t *testing.T) {
	var plain, md bytes.Buffer
	if err := learnMain([]string{"--print", "namespaces"}, &plain, false); err != nil {
		t.Fatal(err)
	}
	if err := learnMain([]string{"--print", "namespaces", "--markdown"}, &md, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.String(), "pid: its own process numbers") || strings.Contains(plain.String(), "**") {
		t.Errorf("plain handout:\n%s", plain.String())
	}
	if !strings.HasPrefix(md.String(), "# Namespaces") || !strings.Contains(md.String(), "**In procbox:**") {
		t.Errorf("markdown handout:\n%s", md.String())
	}
}

func TestLearnUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		tty  bool
		want string
	}{
		{[]string{"nope"}, true, `unknown lesson "nope" (valid: process, limits, namespaces, cgroups, security, container, runtimes, byhand, deeper)`},
		{[]string{"--print", "nope"}, false, `unknown lesson "nope"`},
		{[]string{}, false, "needs a terminal"},
		{[]string{"process"}, false, "needs a terminal"},
		{[]string{"--markdown"}, false, "--markdown goes with --print"},
		{[]string{"process", "cgroups"}, true, "one lesson at a time"},
		{[]string{"--list", "process"}, false, "--list takes no lesson"},
		{[]string{"--bogus"}, false, "flag provided but not defined"},
	}
	for _, c := range cases {
		err := learnMain(c.args, &bytes.Buffer{}, c.tty)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(ue.msg, c.want) {
			t.Errorf("learn %q: got %v, want a usage error containing %q", c.args, err, c.want)
			continue
		}
		if strings.Contains(ue.msg, "\n") || report(err) != 2 {
			t.Errorf("learn %q: want one line and exit status 2", c.args)
		}
	}
}

func TestProgressStore(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	path, err := defaultProgressPath()
	if err != nil || path != filepath.Join(dir, "procbox", "progress.json") {
		t.Fatalf("path %q, %v", path, err)
	}
	store := progressHook().(fileProgress)
	p, err := store.Load()
	if err != nil || p.Lesson != "" || p.Completed == nil {
		t.Fatalf("empty load: %+v, %v", p, err)
	}
	want := ui.Progress{Lesson: "cgroups", Step: 2, Completed: map[string]bool{"process/pid": true}}
	if err := store.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := store.Load()
	if err != nil || got.Lesson != "cgroups" || got.Step != 2 || !got.Completed["process/pid"] {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	// --reset without a terminal forgets it and says so.
	var out bytes.Buffer
	if err := learnMain([]string{"--reset"}, &out, false); err != nil || !strings.Contains(out.String(), "Progress reset.") {
		t.Fatalf("--reset: %v %q", err, out.String())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("progress file still there after --reset: %v", err)
	}
	// A damaged file is reported, with the way out.
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("{not json"), 0o600)
	if _, err := store.Load(); err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Errorf("damaged file: %v", err)
	}
	// Without XDG_STATE_HOME: ~/.local/state.
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", dir)
	if p, _ := defaultProgressPath(); p != filepath.Join(dir, ".local", "state", "procbox", "progress.json") {
		t.Errorf("fallback path %q", p)
	}
}

// TestLessonChecksAgainstEngine walks every step of every lesson on a real
// isolated child, through the same functions the lesson player uses: each
// check must fail when the step opens and pass after the learner's action.
func TestLessonChecksAgainstEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real isolated children; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: the lesson steps create namespaces, cgroups and seccomp filters")
	}
	if labEngineHook == nil {
		t.Skip("the Lab engine is not wired into this build (labEngineHook is nil)")
	}
	before := takeInventory(t)
	eng := labEngineHook()
	// StopAll also removes the demo root filesystem of the container lesson.
	t.Cleanup(func() {
		st, ok := eng.(labStopper)
		if !ok {
			return
		}
		st.StopAll()
		left, _ := filepath.Glob(filepath.Join(os.TempDir(), demoRootfsPrefix+strconv.Itoa(os.Getpid())+"-*"))
		if len(left) > 0 {
			t.Errorf("the demo root filesystem is still there after StopAll: %v", left)
		}
	})
	in := newInspector(inspect.DefaultFS(), inspect.Options{})
	doctor := in.Doctor()
	for _, l := range lessons.Catalog() {
		for _, st := range l.Steps {
			t.Run(l.ID+"/"+st.ID, func(t *testing.T) {
				if why := stepUnsupported(l.ID, st, doctor); why != "" {
					t.Skip(why)
				}
				if st.ByHandOnly {
					t.Skip("done by hand only: TestByHandLesson and TestDIYByHand type its commands")
				}
				t0 := time.Now()
				child, err := eng.Start(st.StartSpec())
				took := time.Since(t0)
				if err != nil {
					t.Fatalf("start %+v: %v", st.StartSpec(), err)
				}
				t.Cleanup(func() { _ = child.Stop() })
				state, err := ui.GatherState(in, child, doctor)
				if err != nil {
					t.Fatalf("gather: %v", err)
				}
				state.StartDuration = 1 // measured by the UI; any start counts here
				if r := st.Evaluate(state); r.Passed {
					t.Fatalf("the check passes before the learner acted")
				} else if r.Missing == "" {
					t.Errorf("a failing check must say what is missing")
				}
				res, err := ui.PerformAction(st, child, clockNow{})
				if err != nil {
					if st.Action.Kind == lessons.ActRegisters && strings.Contains(err.Error(), "not in this build") {
						t.Skip(err.Error())
					}
					t.Fatalf("action: %v", err)
				}
				after, err := ui.GatherState(in, child, doctor)
				if err != nil {
					t.Fatalf("gather after the action: %v", err)
				}
				after.Before, after.StartDuration = &state, 1
				if res.Outcome != nil {
					after.Outcomes = append(after.Outcomes, *res.Outcome)
				}
				after.Registers = res.Registers
				if l.ID == "container" && after.ChildSnap != nil {
					// The numbers the efficiency step shows a class, logged for the record.
					t.Logf("isolated child (%s) started in %s, resident memory %d KiB",
						strings.Join(st.StartSpec().Namespaces, ","), took.Round(time.Millisecond), after.ChildSnap.Memory.RSSBytes>>10)
				}
				if r := st.Evaluate(after); !r.Passed {
					t.Errorf("the check fails after the action: %s (outcome %+v)", r.Missing, res.Outcome)
				}
			})
		}
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(os.Getpid())); len(leaks) > 0 {
		t.Errorf("the lesson walk leaked: %v", leaks)
	}
}

// stepUnsupported says why this host cannot run a step, or "".
func stepUnsupported(lesson string, st lessons.Step, d inspect.HostReport) string {
	for _, ns := range st.Spec.Namespaces {
		for _, f := range d.Namespaces {
			if f.Name == ns && !f.Available {
				return "this host has no " + ns + " namespace: " + f.Why
			}
		}
	}
	if st.Spec.TimeOffset != 0 && !d.TimeNamespace.Available {
		return "this host has no time namespace: " + d.TimeNamespace.Why
	}
	if lesson == "cgroups" && (d.CgroupMode == "" || d.CgroupMode == "none") {
		return "this host has no cgroup filesystem"
	}
	return ""
}

// clockNow is the wall clock for PerformAction.
type clockNow struct{}

func (clockNow) Now() time.Time { return time.Now() }
