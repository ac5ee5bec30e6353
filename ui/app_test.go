package ui

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"procbox/ui/inspector"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
	"procbox/ui/picker"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// coreCloser is a screen that counts how often it is closed and whether the
// command its Close returned ran.
type coreCloser struct {
	title     string
	closes    *atomic.Int32
	cmdRuns   *atomic.Int32
	capturing bool
	lastSize  tea.WindowSizeMsg
}

func newCoreCloser(title string) *coreCloser {
	return &coreCloser{title: title, closes: new(atomic.Int32), cmdRuns: new(atomic.Int32)}
}

func (c *coreCloser) Init() tea.Cmd { return nil }
func (c *coreCloser) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		c.lastSize = ws
	}
	return c, nil
}
func (c *coreCloser) View(w, h int) string {
	return strings.Repeat(strings.Repeat("x", w+10)+"\n", h+5) // too big on purpose
}
func (c *coreCloser) ShortHelp() []key.Binding  { return nil }
func (c *coreCloser) FullHelp() [][]key.Binding { return nil }
func (c *coreCloser) Title() string             { return c.title }
func (c *coreCloser) Capturing() bool           { return c.capturing }
func (c *coreCloser) Close() tea.Cmd {
	c.closes.Add(1)
	return func() tea.Msg { c.cmdRuns.Add(1); return nil }
}

func TestRootPopClosesScreenOnce(t *testing.T) {
	d := newCoreDriver(t, coreDeps(uitest.NewInspector()), newCoreCloser("bottom"), 80, 24)
	top := newCoreCloser("top")
	d.Send(pushMsg{s: top})
	if d.top() != common.Screen(top) {
		t.Fatalf("push did not put the screen on top")
	}
	if top.lastSize.Width != 80 {
		t.Errorf("pushed screen did not get the window size: %+v", top.lastSize)
	}
	d.Keys("q")
	if got := top.closes.Load(); got != 1 {
		t.Fatalf("popped screen closed %d times, want 1", got)
	}
	if got := top.cmdRuns.Load(); got != 1 {
		t.Fatalf("close command ran %d times, want 1", got)
	}
	// The final sweep must not close it again.
	d.root().open.closeAll()
	if got := top.closes.Load(); got != 1 {
		t.Fatalf("closeAll closed a popped screen again (%d)", got)
	}
}

func TestRootQuitClosesEveryOpenScreen(t *testing.T) {
	bottom, top := newCoreCloser("bottom"), newCoreCloser("top")
	d := newCoreDriver(t, coreDeps(uitest.NewInspector()), bottom, 80, 24)
	d.Send(pushMsg{s: top})
	d.Keys("ctrl+c")
	if !d.Quit {
		t.Fatal("ctrl+c did not quit")
	}
	// What run does after the program ends, whatever ended it.
	d.root().open.closeAll()
	d.root().open.closeAll()
	for _, s := range []*coreCloser{bottom, top} {
		if s.closes.Load() != 1 || s.cmdRuns.Load() != 1 {
			t.Errorf("%s: closed %d times, command ran %d times; want 1 and 1", s.title, s.closes.Load(), s.cmdRuns.Load())
		}
	}
}

// Esc never quits the top screen (it goes back, and there is no back from
// there); q does.
func TestRootEscNeverQuitsTheTopScreenQDoes(t *testing.T) {
	d := newCoreDriver(t, coreDeps(uitest.NewInspector()), newCoreCloser("only"), 80, 24)
	d.Keys("esc", "esc")
	if d.Quit {
		t.Fatal("esc on the last screen quit procbox")
	}
	if !strings.Contains(d.View(), "q quits") {
		t.Errorf("esc on the top screen does not say how to quit:\n%s", d.View())
	}
	d.Keys("q")
	if !d.Quit {
		t.Fatal("q on the last screen did not quit")
	}
}

// q asks first when quitting would remove something (the Lab's child); q or
// y then quits, and any other key cancels without reaching the screen (a
// stray key would toggle a switch or start an experiment in the Lab).
func TestRootQuitConfirmsWhenSomethingWouldBeLost(t *testing.T) {
	s := &keeperScreen{coreCloser: newCoreCloser("lab"), what: "the Lab's child (pid 4242)"}
	d := newCoreDriver(t, coreDeps(uitest.NewInspector()), s, 80, 24)
	d.Keys("q")
	if d.Quit || !strings.Contains(d.View(), "quit and remove the Lab's child (pid 4242)? q/y") {
		t.Fatalf("q with a child did not ask (quit=%v):\n%s", d.Quit, d.View())
	}
	d.Keys("down")
	if d.Quit {
		t.Fatal("another key did not cancel the question")
	}
	if s.keys != 0 {
		t.Errorf("the key that cancelled reached the screen (%d keys)", s.keys)
	}
	d.Keys("q", "y")
	if !d.Quit {
		t.Fatal("q, y did not quit")
	}
	d2 := newCoreDriver(t, coreDeps(uitest.NewInspector()), &keeperScreen{coreCloser: newCoreCloser("lab"), what: "x"}, 80, 24)
	d2.Keys("q", "q")
	if !d2.Quit {
		t.Fatal("q, q did not quit")
	}
}

// keeperScreen holds something a quit would lose.
type keeperScreen struct {
	*coreCloser
	what string
	keys int // key presses that reached the screen
}

func (k *keeperScreen) WouldLose() string { return k.what }

func (k *keeperScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		k.keys++
	}
	_, cmd := k.coreCloser.Update(msg)
	return k, cmd
}

func TestRootCapturingScreenGetsQAndEsc(t *testing.T) {
	s := newCoreCloser("typing")
	s.capturing = true
	d := newCoreDriver(t, coreDeps(uitest.NewInspector()), s, 80, 24)
	d.Keys("q", "?")
	if d.Quit || d.root().frame.ShowHelp {
		t.Fatalf("q or ? acted globally while the screen was capturing (quit=%v help=%v)", d.Quit, d.root().frame.ShowHelp)
	}
	d.Keys("ctrl+c")
	if !d.Quit {
		t.Fatal("ctrl+c must quit even while capturing")
	}
}

func TestRootHelpOverlay(t *testing.T) {
	d := newCoreDriver(t, coreDeps(uitest.NewInspector()), picker.New(coreDeps(uitest.NewInspector())), 80, 24)
	d.Keys("?")
	v := d.View()
	if !d.root().frame.ShowHelp || !strings.Contains(v, "Keys — Processes") || !strings.Contains(v, "filter") {
		t.Fatalf("help overlay not shown:\n%s", v)
	}
	uitest.CheckFits(t, v, 80, 24)
	d.Keys("esc")
	if d.root().frame.ShowHelp || d.Quit {
		t.Fatal("esc should close the overlay, not quit")
	}
}

func TestRootClipsOversizedScreens(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {250, 60}, {20, 5}} {
		d := newCoreDriver(t, coreDeps(uitest.NewInspector()), newCoreCloser("big"), sz[0], sz[1])
		v := d.View()
		uitest.CheckFits(t, v, sz[0], sz[1])
		if n := len(strings.Split(v, "\n")); n != sz[1] {
			t.Errorf("%dx%d: view has %d lines, want exactly %d", sz[0], sz[1], n, sz[1])
		}
	}
}

func TestRootBackgroundColorRebuildsStyles(t *testing.T) {
	deps := coreDeps(uitest.NewInspector())
	deps.Styles = common.NewStyles(true, false)
	h := newHomeScreen(deps)
	d := newCoreDriver(t, deps, h, 80, 24)
	d.Send(tea.BackgroundColorMsg{Color: nil})
	_ = d.View() // must not panic with a nil colour either
	deps.Styles = common.NewStyles(true, true)
	d2 := newCoreDriver(t, deps, newHomeScreen(deps), 80, 24)
	d2.Send(tea.BackgroundColorMsg{})
	if !d2.root().frame.Styles.NoColor {
		t.Fatal("NO_COLOR styles were replaced by coloured ones")
	}
}

func TestRootResize(t *testing.T) {
	in := uitest.NewInspector()
	d := newCoreDriver(t, coreDeps(in), picker.New(coreDeps(in)), 120, 40)
	uitest.CheckFits(t, d.View(), 120, 40)
	d.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	v := d.View()
	uitest.CheckFits(t, v, 80, 24)
	if len(strings.Split(v, "\n")) != 24 {
		t.Fatalf("after resize the view is not 24 lines")
	}
}

// TestRunClosesScreensWhenCancelled is the SIGHUP/SIGTERM road: cmd/procbox
// cancels Deps.Context, the program ends, and every open screen is closed
// (synchronously) before run returns.
func TestRunClosesScreensWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	deps := coreDeps(uitest.NewInspector())
	deps.Context = ctx
	s := newCoreCloser("lab-like")
	inR, inW := io.Pipe()
	t.Cleanup(func() { _ = inW.Close() })
	done := make(chan error, 1)
	go func() {
		done <- runWith(deps, s, tea.WithInput(inR), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	}()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	if s.closes.Load() != 1 || s.cmdRuns.Load() != 1 {
		t.Fatalf("screen closed %d times, its command ran %d times; want 1 and 1", s.closes.Load(), s.cmdRuns.Load())
	}
}

// TestRunClosesScreensOnQuit is the normal road: a quit message ends the
// program and the screen is closed once.
func TestRunClosesScreensOnQuit(t *testing.T) {
	deps := coreDeps(uitest.NewInspector())
	s := newCoreCloser("lab-like")
	inR, inW := io.Pipe()
	t.Cleanup(func() { _ = inW.Close() })
	// Typing q on the last screen quits.
	go func() { _, _ = inW.Write([]byte("q")) }()
	if err := runWith(deps, s, tea.WithInput(inR), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24)); err != nil {
		t.Fatalf("run: %v", err)
	}
	if s.closes.Load() != 1 || s.cmdRuns.Load() != 1 {
		t.Fatalf("screen closed %d times, its command ran %d times; want 1 and 1", s.closes.Load(), s.cmdRuns.Load())
	}
}

// corePanicker panics on the key p.
type corePanicker struct{ *coreCloser }

func (c corePanicker) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "p" {
		panic("boom")
	}
	return c, nil
}

// TestRunPanicIsOneLineAndCloses: a screen that panics ends procbox with an
// error naming it, and every screen is still closed.
func TestRunPanicIsOneLineAndCloses(t *testing.T) {
	deps := coreDeps(uitest.NewInspector())
	s := corePanicker{newCoreCloser("fragile")}
	inR, inW := io.Pipe()
	t.Cleanup(func() { _ = inW.Close() })
	go func() { _, _ = inW.Write([]byte("p")) }()
	err := runWith(deps, s, tea.WithInput(inR), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	if err == nil || !strings.Contains(err.Error(), "internal error in the fragile screen: boom") {
		t.Fatalf("run = %v, want the internal error", err)
	}
	if s.closes.Load() != 1 {
		t.Fatalf("screen closed %d times after a panic, want 1", s.closes.Load())
	}
}

// TestScreensWithoutInspector: a Deps without an Inspector gives messages, not panics.
func TestScreensWithoutInspector(t *testing.T) {
	deps := common.Deps{Clock: uitest.NewClock(uitest.Now), Styles: common.NewStyles(true, true)}
	for _, s := range []common.Screen{newHomeScreen(deps), picker.New(deps), inspector.New(deps, 1), inspector.NewCompare(deps, 1, 2)} {
		d := newCoreDriver(t, deps, s, 80, 24)
		uitest.CheckFits(t, d.View(), 80, 24)
	}
	d := newCoreDriver(t, deps, picker.New(deps), 80, 24)
	if !strings.Contains(d.View(), common.ErrNoInspector.Error()) {
		t.Errorf("picker does not say why it is empty:\n%s", d.View())
	}
}

// TestHelpOverlayFitsEveryScreen: ? on each screen lists its keys within 80x24.
func TestHelpOverlayFitsEveryScreen(t *testing.T) {
	deps := coreDeps(uitest.NewInspector())
	for _, s := range []common.Screen{newHomeScreen(deps), picker.New(deps), inspector.New(deps, 400), inspector.NewCompare(deps, 300, 400)} {
		d := newCoreDriver(t, deps, s, 80, 24)
		d.Keys("?")
		v := d.View()
		uitest.CheckFits(t, v, 80, 24)
		if !strings.Contains(v, "Keys — "+s.Title()) || !strings.Contains(v, "ctrl+c") {
			t.Errorf("%s: help overlay incomplete:\n%s", s.Title(), v)
		}
	}
}

// The root opens what a screen asks for: the picker never builds the
// inspector or the comparison itself.
func TestRootRoutesPickerRequests(t *testing.T) {
	deps := coreDeps(uitest.NewInspector())
	d := newCoreDriver(t, deps, picker.New(deps), 80, 24)
	d.Send(picker.OpenMsg{PID: 300})
	if s, ok := d.top().(*inspector.Model); !ok || s.Title() != "Inspect 300" {
		t.Fatalf("OpenMsg{300} opened %T", d.top())
	}
	d.Keys("q")
	d.Send(picker.CompareMsg{A: 300, B: 400})
	if _, ok := d.top().(*inspector.Compare); !ok || !strings.Contains(d.View(), "300") || !strings.Contains(d.View(), "400") {
		t.Fatalf("CompareMsg{300, 400} opened %T:\n%s", d.top(), d.View())
	}
	d.Keys("q")
	if _, ok := d.top().(*picker.Model); !ok {
		t.Fatalf("q did not come back to the picker: %T", d.top())
	}
}
