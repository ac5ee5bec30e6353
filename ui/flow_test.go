package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"procbox/ui/internal/uitest"
	"procbox/ui/picker"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestFlowFilterInspectTabBackQuit drives the real tea program: filter the
// picker, open the inspector, tab through every tab, come back, quit.
func TestFlowFilterInspectTabBackQuit(t *testing.T) {
	in := uitest.NewInspector()
	deps := coreDeps(in)
	pk := picker.New(deps)
	tm := teatest.NewTestModel(t, newRoot(deps, pk), teatest.WithInitialTermSize(120, 40))
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
	if final.top() != pk {
		t.Fatalf("final top %T, want the picker", final.top())
	}
	if v := ansi.Strip(final.render()); !strings.Contains(v, `filter "sleep"`) || !strings.Contains(v, "sleep 300") {
		t.Fatalf("the picker did not keep its filter and selection:\n%s", v)
	}
}
