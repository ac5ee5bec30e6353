package ui

import (
	"errors"
	"strings"
	"testing"

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
	for _, want := range []string{"Learn", "Lab", "Inspect", "Quit", "Resume: namespaces step 3", "✓ root", "✓ cgroup hybrid", "✓ seccomp", "✗ LSM none"} {
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
