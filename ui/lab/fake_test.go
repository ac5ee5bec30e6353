package lab

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/ui/internal/uitest"
)

// fixture is a Lab wired to fakes, with its child already started.
type fixture struct {
	t   *testing.T
	m   *Model
	eng *uitest.LabEngine
}

var testT0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// newFixture builds a Lab on fakes and runs its Init to completion.
func newFixture(t *testing.T, spec isolate.Spec) *fixture {
	t.Helper()
	return newFixtureOn(t, uitest.LabReport(), spec)
}

// newFixtureOn is newFixture on a host whose doctor reports r.
func newFixtureOn(t *testing.T, r inspect.HostReport, spec isolate.Spec) *fixture {
	t.Helper()
	eng := &uitest.LabEngine{}
	d := uitest.LabDeps(eng, uitest.NewClock(testT0))
	d.Inspector = &uitest.Inspector{Report: r, SnapshotFunc: eng.Snapshot}
	f := &fixture{t: t, m: New(d, spec), eng: eng}
	f.run(f.m.Init())
	return f
}

// run executes cmd and everything it leads to, like the event loop would.
func (f *fixture) run(cmd tea.Cmd) { f.t.Helper(); uitest.Direct(f.t, f.m).Run(cmd) }

// press types each key and runs what it started to completion.
func (f *fixture) press(keys ...string) { f.t.Helper(); uitest.Direct(f.t, f.m).Keys(keys...) }

// typeText types s into an edit field.
func (f *fixture) typeText(s string) { f.t.Helper(); uitest.Direct(f.t, f.m).Type(s) }

// goTo puts the switch cursor on the row with label.
func (f *fixture) goTo(label string) {
	f.t.Helper()
	for i, sw := range f.m.switches {
		if sw.label == label {
			f.m.focus = focusSwitches
			f.m.cursor = i
			return
		}
	}
	f.t.Fatalf("no switch %q", label)
}

// lastApplied is the spec of the last Apply, failing if there was none.
func (f *fixture) lastApplied() isolate.Spec {
	f.t.Helper()
	applied := f.eng.Child().Applied()
	if len(applied) == 0 {
		f.t.Fatal("Apply was never called")
	}
	return applied[len(applied)-1]
}

// logText is the whole event log, one entry a line.
func (f *fixture) logText() string {
	var b []byte
	for _, e := range f.m.log {
		b = append(b, e.text...)
		b = append(b, '\n')
	}
	return string(b)
}
