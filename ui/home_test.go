package ui

import (
	"errors"
	"strings"
	"testing"

	"procbox/isolate"
	"procbox/ui/internal/uitest"
	"procbox/ui/picker"
)

// coreProgress is a fake progress store.
type coreProgress struct {
	p   Progress
	err error
}

func (c coreProgress) Load() (Progress, error) { return c.p, c.err }
func (c coreProgress) Save(Progress) error     { return nil }

func TestHomeShowsItemsResumeAndHost(t *testing.T) {
	in := uitest.NewInspector()
	deps := coreDeps(in)
	deps.Progress = coreProgress{p: Progress{Lesson: "namespaces", Step: 2}}
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
	// Learn and Lab: either their screen opens or, while they are placeholders,
	// the header says they are not built. Never a crash.
	for _, k := range []string{"l", "L"} {
		d.Keys(k)
		if _, home := d.top().(*homeScreen); home {
			if !strings.Contains(d.View(), notBuiltText) {
				t.Errorf("%s: neither opened nor explained:\n%s", k, d.View())
			}
		} else {
			d.Keys("ctrl+c")
			d = newCoreDriver(t, deps, newHomeScreen(deps), 80, 24)
		}
	}
	_ = isolate.Spec{}
	d.Keys("G", "enter")
	if !d.Quit {
		t.Fatal("Quit did not quit")
	}
}
