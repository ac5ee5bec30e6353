package ui

import (
	"bytes"
	"procbox/ui/internal/uitest"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestFlowFilterInspectTabBackQuit drives the real tea program: filter the
// picker, open the inspector, tab through every tab, come back, quit.
func TestFlowFilterInspectTabBackQuit(t *testing.T) {
	in := uitest.NewInspector()
	deps := coreDeps(in)
	picker := newPickerScreen(deps).(*pickerScreen)
	tm := teatest.NewTestModel(t, newRoot(deps, picker), teatest.WithInitialTermSize(120, 40))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	send := func(keys ...string) {
		for _, k := range keys {
			tm.Send(uitest.KeyPress(k))
		}
	}
	waitFor("live · 8 procs")
	send("/", "s", "l", "e", "e", "p", "enter")
	waitFor(`filter "sleep"`)
	send("enter")
	waitFor("Inspect 300")
	for _, want := range []string{"Open files (5)", "Environment (5)", "Mappings by kind", "clock_nanosleep", "Namespaces", "Membership (3)", "Confinement"} {
		send("tab")
		waitFor(want)
	}
	send("q")
	waitFor("1 of 8 processes")
	send("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))

	final := tm.FinalModel(t).(rootModel)
	if len(final.stack) != 1 {
		t.Fatalf("final stack has %d screens, want the picker alone", len(final.stack))
	}
	p, ok := final.top().(*pickerScreen)
	if !ok || p.filter != "sleep" || p.selPID != 300 {
		t.Fatalf("final top %T filter %q sel %d", final.top(), p.filter, p.selPID)
	}
}
