package lab

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"procbox/isolate"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

// chain drives a Lab on a held clock: the timers it arms are kept, not fired.
type chain struct {
	t     *testing.T
	m     *Model
	clock *uitest.HeldClock
	d     *uitest.Driver
}

func newChain(t *testing.T, d common.Deps) *chain {
	c := &chain{t: t, clock: uitest.NewHeldClock(testT0)}
	d.Clock = c.clock
	c.m = New(d, isolate.Spec{})
	c.d = uitest.New(t, func(msg tea.Msg) tea.Cmd { _, next := c.m.Update(msg); return next }, nil)
	return c
}

// drain runs cmd and every command that follows, feeding messages back to
// the Lab.
func (c *chain) drain(cmd tea.Cmd) { c.d.Run(cmd) }

// fire fires the only armed timer and returns the message it produced.
func (c *chain) fire() tea.Msg {
	c.t.Helper()
	if n := c.clock.Pending(); n != 1 {
		c.t.Fatalf("%d refresh timers armed, want exactly 1", n)
	}
	msg := c.clock.Fire()()
	c.d.Send(msg)
	return msg
}

// An idle Lab refreshes with one message a second (the read happens in the
// timer), never runs two chains, and stops reading while covered.
func TestLabRefreshOneMessageASecond(t *testing.T) {
	eng := &uitest.LabEngine{}
	d := uitest.LabDeps(eng, nil)
	c := newChain(t, d)
	c.drain(c.m.Init())
	if c.m.child == nil {
		t.Fatal("no child after Init")
	}
	// The first link is a bare tick (the child did not exist when it was armed);
	// the read then starts at once and arms a read-in-the-timer.
	if _, ok := c.fire().(tickMsg); !ok {
		t.Fatal("the first refresh is not a tick")
	}
	for i := 0; i < 3; i++ {
		msg, ok := c.fire().(viewsMsg)
		if !ok || !msg.tick || !msg.requested {
			t.Fatalf("second %d: got %T, want the views in one message", i, msg)
		}
	}
	if !c.m.haveViews {
		t.Fatal("the views were not taken")
	}

	// Covered by another screen: the read already armed arrives, then bare
	// ticks only.
	c.drain(func() tea.Msg { return common.ActiveMsg{Active: false} })
	c.fire()
	for i := 0; i < 2; i++ {
		if _, ok := c.fire().(tickMsg); !ok {
			t.Fatal("a covered Lab still reads the views")
		}
	}
	// Shown again: the next tick reads at once, then one message a second.
	c.drain(func() tea.Msg { return common.ActiveMsg{Active: true} })
	if _, ok := c.fire().(tickMsg); !ok {
		t.Fatal("want the bare tick armed while covered")
	}
	if _, ok := c.fire().(viewsMsg); !ok {
		t.Fatal("the refresh did not resume")
	}

	// Closed: the chain ends.
	c.m.Close()
	c.fire()
	if n := c.clock.Pending(); n != 0 {
		t.Fatalf("a closed Lab still arms %d timers", n)
	}
}

// A refresh that reads the same as before keeps the drawn body (no redraw
// while idle); one that changes a row, or any key, draws again.
func TestLabQuietRefreshKeepsTheDrawing(t *testing.T) {
	eng := &uitest.LabEngine{}
	d := uitest.LabDeps(eng, nil)
	c := newChain(t, d)
	c.drain(c.m.Init())
	c.fire() // the bare tick, then a read
	c.fire() // a second read: the CPU share is known from here on
	first := c.m.View(120, 38)
	c.fire()
	if !c.m.drawn {
		t.Fatal("a refresh that changed nothing threw the drawing away")
	}
	if got := c.m.View(120, 38); got != first {
		t.Fatalf("the kept drawing differs:\n%s\nwant\n%s", got, first)
	}
	eng.Child().SetPID(4343)
	c.fire()
	if c.m.drawn {
		t.Fatal("a refresh with a new PID kept the old drawing")
	}
	if got := c.m.View(120, 38); got == first || !strings.Contains(got, "4343") {
		t.Fatalf("the new PID is not drawn:\n%s", got)
	}
	c.m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	if c.m.drawn {
		t.Fatal("a key kept the old drawing")
	}
}

// In a small window the log tab hides the views: no reads meanwhile. In a
// big window the views are always on screen.
func TestLabNoReadsWhileTheViewsAreHidden(t *testing.T) {
	eng := &uitest.LabEngine{}
	d := uitest.LabDeps(eng, nil)
	c := newChain(t, d)
	c.drain(c.m.Init())
	c.drain(func() tea.Msg { return tea.WindowSizeMsg{Width: 80, Height: 24} })
	c.fire()
	c.m.focus = focusLog
	c.fire() // the read already armed
	if _, ok := c.fire().(tickMsg); !ok {
		t.Fatal("the views are read while the log tab hides them")
	}
	c.drain(func() tea.Msg { return tea.WindowSizeMsg{Width: 120, Height: 40} })
	if _, ok := c.fire().(tickMsg); !ok {
		t.Fatal("want the bare tick armed while hidden")
	}
	if _, ok := c.fire().(viewsMsg); !ok {
		t.Fatal("a big window shows the views beside the log, but they are not read")
	}
}

// The side-by-side keeps being read while an experiment runs (a cpu burner
// lasts seconds): the refresh chain does not wait for the experiment.
func TestLabRefreshGoesOnDuringAnExperiment(t *testing.T) {
	d := uitest.LabDeps(&uitest.LabEngine{}, nil)
	c := newChain(t, d)
	c.drain(c.m.Init())
	c.drain(func() tea.Msg { return tea.WindowSizeMsg{Width: 120, Height: 40} })
	c.m.busy, c.m.busyWhat = "experiment", "running cpu burner"
	reads := c.m.child.(*uitest.LabChild).ViewReads()
	c.fire()
	if got := c.m.child.(*uitest.LabChild).ViewReads(); got <= reads {
		t.Fatalf("no view was read during the experiment (%d reads before, %d after)", reads, got)
	}
	if c.clock.Pending() != 1 {
		t.Fatalf("%d refreshes armed during the experiment, want the chain to go on", c.clock.Pending())
	}
}
