package lab

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"procbox/isolate"
	"procbox/ui/internal/common"
)

// stepClock hands every timer to the test instead of sleeping: a timer
// becomes a pendingTick the test fires when it likes.
type stepClock struct{ t time.Time }

type pendingTick struct{ fn func(time.Time) tea.Msg }

func (c stepClock) Now() time.Time { return c.t }
func (c stepClock) Tick(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg { return pendingTick{fn: fn} }
}

// chain drives a Lab and collects the timers it arms.
type chain struct {
	t       *testing.T
	m       *Model
	pending []pendingTick
}

// drain runs cmd and every command that follows, feeding messages back to
// the Lab; timers are kept, not fired.
func (c *chain) drain(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 200 {
			c.t.Fatal("the Lab keeps producing commands")
		}
		f := queue[0]
		queue = queue[1:]
		if f == nil {
			continue
		}
		switch msg := f().(type) {
		case nil, spinner.TickMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case pendingTick:
			c.pending = append(c.pending, msg)
		default:
			_, next := c.m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// fire fires the only armed timer and returns the message it produced.
func (c *chain) fire() tea.Msg {
	c.t.Helper()
	if len(c.pending) != 1 {
		c.t.Fatalf("%d refresh timers armed, want exactly 1", len(c.pending))
	}
	p := c.pending[0]
	c.pending = nil
	msg := p.fn(testT0)
	_, next := c.m.Update(msg)
	c.drain(next)
	return msg
}

// An idle Lab refreshes with one message a second (the read happens in the
// timer), never runs two chains, and stops reading while covered.
func TestLabRefreshOneMessageASecond(t *testing.T) {
	eng := &fakeEngine{}
	d := common.Deps{Inspector: fakeInspector{report: rootReport()}, Lab: eng,
		Clock: stepClock{t: testT0}, Styles: common.NewStyles(true, true)}
	c := &chain{t: t, m: New(d, isolate.Spec{})}
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
	if len(c.pending) != 0 {
		t.Fatalf("a closed Lab still arms %d timers", len(c.pending))
	}
}

// A refresh that reads the same as before keeps the drawn body (no redraw
// while idle); one that changes a row, or any key, draws again.
func TestLabQuietRefreshKeepsTheDrawing(t *testing.T) {
	eng := &fakeEngine{}
	d := common.Deps{Inspector: fakeInspector{report: rootReport()}, Lab: eng,
		Clock: stepClock{t: testT0}, Styles: common.NewStyles(true, true)}
	c := &chain{t: t, m: New(d, isolate.Spec{})}
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
	eng.child.mu.Lock()
	eng.child.pid = 4343
	eng.child.mu.Unlock()
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
	eng := &fakeEngine{}
	d := common.Deps{Inspector: fakeInspector{report: rootReport()}, Lab: eng,
		Clock: stepClock{t: testT0}, Styles: common.NewStyles(true, true)}
	c := &chain{t: t, m: New(d, isolate.Spec{})}
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
