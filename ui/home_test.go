package ui

import (
	"errors"
	"strings"
	"testing"

	"procbox/lessons"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
	"procbox/ui/lab"
	"procbox/ui/learn"
	"procbox/ui/picker"
)

// coreProgress is a fake progress store.
type coreProgress struct {
	p   common.Progress
	err error
}

func (c coreProgress) Load() (common.Progress, error) { return c.p, c.err }
func (c coreProgress) Save(common.Progress) error     { return nil }

func TestHomeShowsItemsResumeAndHost(t *testing.T) {
	in := uitest.NewInspector()
	deps := coreDeps(in)
	deps.Progress = coreProgress{p: common.Progress{Lesson: "namespaces", Step: 2}}
	d := newCoreDriver(t, deps, newHomeScreen(deps), 80, 24)
	v := d.View()
	for _, want := range []string{"Learn", "Lab", "Inspect", "Quit", "Resume: namespaces step 3 of 8", "✓ root", "✓ cgroup hybrid", "✓ seccomp", "· LSM none"} {
		if !strings.Contains(v, want) {
			t.Errorf("home lacks %q:\n%s", want, v)
		}
	}
	uitest.CheckFits(t, v, 80, 24)
}

func TestHomeNonRootAndProgressError(t *testing.T) {
	in := uitest.NewInspector()
	in.Report.Root, in.Report.UID = false, 1000
	in.Report.UserNSUnpriv.Available = false
	deps := coreDeps(in)
	deps.Progress = coreProgress{err: errors.New("progress.json: bad JSON")}
	d := newCoreDriver(t, deps, newHomeScreen(deps), 80, 24)
	v := d.View()
	for _, want := range []string{"✗ not root (uid 1000)", "✗ user namespaces (root only)", "Could not read your progress", "the Lab needs root"} {
		if !strings.Contains(v, want) {
			t.Errorf("home lacks %q:\n%s", want, v)
		}
	}
}

func TestHomeOpensItems(t *testing.T) {
	in := uitest.NewInspector()
	deps := coreDeps(in)
	d := newCoreDriver(t, deps, newHomeScreen(deps), 80, 24)
	d.Keys("down", "down", "enter")
	if _, ok := d.top().(*picker.Model); !ok {
		t.Fatalf("Inspect opened %T", d.top())
	}
	d.Keys("q")
	if _, ok := d.top().(*homeScreen); !ok {
		t.Fatalf("q did not come back home: %T", d.top())
	}
	// l opens Learn and L the Lab, each on top of home; q comes back.
	d.Keys("l")
	if _, ok := d.top().(*learn.Model); !ok {
		t.Fatalf("l opened %T, want the lesson player", d.top())
	}
	d.Keys("q")
	d.Keys("L")
	if _, ok := d.top().(*lab.Model); !ok {
		t.Fatalf("L opened %T, want the Lab", d.top())
	}
	d.Keys("q")
	if _, ok := d.top().(*homeScreen); !ok {
		t.Fatalf("q did not come back home: %T", d.top())
	}
	d.Keys("G", "enter")
	if !d.Quit {
		t.Fatal("Quit did not quit")
	}
}

// Home never offers a step past the lesson's last: progress saved after the
// last step of a lesson resumes at the next lesson; no LSM is a fact, not ✗.
func TestHomeResumeNeverPastTheLastStep(t *testing.T) {
	course := lessons.Catalog()
	last := course[len(course)-1].ID
	for _, c := range []struct {
		p    common.Progress
		want string
	}{
		{common.Progress{Lesson: "process", Step: 0}, "Resume: process step 1 of 7"},
		{common.Progress{Lesson: "process", Step: 7}, "Resume: process is done; next is limits"},
		{common.Progress{Lesson: last, Step: 99}, "Resume: " + last + " is done, and with it the course"},
	} {
		if got := resumeText(c.p); got != c.want {
			t.Errorf("resumeText(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
	in := uitest.NewInspector()
	d := newCoreDriver(t, coreDeps(in), newHomeScreen(coreDeps(in)), 80, 24)
	if v := d.View(); strings.Contains(v, "✗ LSM") {
		t.Errorf("no LSM is marked as a failure:\n%s", v)
	}
}

// The host notes are sentences: at 80 columns they wrap at word boundaries
// and every word stays on screen (they used to end in "…").
func TestHomeNotesWrapWhole(t *testing.T) {
	in := uitest.NewInspector()
	note := "cgroup limits hold against a root child only with a mount namespace (--ns mnt); without one they are advisory"
	in.Report.Notes = []string{note}
	deps := coreDeps(in)
	d := newCoreDriver(t, deps, newHomeScreen(deps), 80, 24)
	v := d.View()
	if strings.Contains(v, "…") {
		t.Errorf("a note was cut:\n%s", v)
	}
	if !strings.Contains(strings.Join(strings.Fields(v), " "), note) {
		t.Errorf("the note is not whole on screen:\n%s", v)
	}
	uitest.CheckFits(t, v, 80, 24)
}
