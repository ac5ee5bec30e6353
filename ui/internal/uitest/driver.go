package uitest

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"procbox/ui/internal/common"
)

// Driver runs a model the way tea's loop does, but synchronously: every
// command runs at once and its message is fed back, until nothing is left.
// Spinner ticks are dropped (they would animate forever).
type Driver struct {
	t      testing.TB
	update func(tea.Msg) tea.Cmd
	render func() string
	// intercept, when set, handles a message instead of update (true: handled).
	intercept func(tea.Msg) bool

	// Quit is set once a command returned tea.Quit.
	Quit bool
	// Msgs is every message a command produced, in order, for tests that look
	// for a screen's requests to the root (picker.OpenMsg, common.BackMsg).
	Msgs []tea.Msg
}

// New drives any model through update and draws it with render (the root's
// tests use it; screen tests use NewScreen).
func New(t testing.TB, update func(tea.Msg) tea.Cmd, render func() string) *Driver {
	return &Driver{t: t, update: update, render: render}
}

// Direct drives screen s on its own, outside any Frame (the model tests of
// one screen); it has no view.
func Direct(t testing.TB, s common.Screen) *Driver {
	return New(t, func(msg tea.Msg) tea.Cmd { _, cmd := s.Update(msg); return cmd }, nil)
}

// Send delivers msg and runs every command that follows from it.
func (d *Driver) Send(msg tea.Msg) {
	d.t.Helper()
	if d.intercept != nil && d.intercept(msg) {
		return
	}
	d.Run(d.update(msg))
}

// Run runs cmd and its descendants; it stops after a bound so a bug that
// loops shows up as a failure, not a hang.
func (d *Driver) Run(cmd tea.Cmd) {
	d.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			d.t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil, spinner.TickMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			d.Quit = true
		default:
			d.Msgs = append(d.Msgs, msg)
			if d.intercept != nil && d.intercept(msg) {
				continue
			}
			queue = append(queue, d.update(msg))
		}
	}
}

// Keys types each key: names like "enter", "tab", "esc", or single characters.
func (d *Driver) Keys(ks ...string) {
	d.t.Helper()
	for _, k := range ks {
		d.Send(KeyPress(k))
	}
}

// Type types s one character at a time.
func (d *Driver) Type(s string) {
	d.t.Helper()
	for _, r := range s {
		d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// View is the whole window with the escape codes stripped.
func (d *Driver) View() string { return ansi.Strip(d.render()) }

// Raw is the whole window as drawn, escape codes and all.
func (d *Driver) Raw() string { return d.render() }

// ScreenDriver drives one screen inside the Frame the root draws, and
// answers what the root would: ? opens the help, the back key asks the
// screen (common.Backer) and otherwise counts as a pop, a flash goes to the
// header. Whatever else the screen asks of the root is left in Msgs.
type ScreenDriver struct {
	*Driver
	S     common.Screen
	Frame common.Frame
	W, H  int
	// Backs counts the times the screen was popped (back key or BackMsg).
	Backs int
}

// NewScreen builds s with deps, runs its Init and gives it a w×h window.
func NewScreen(t testing.TB, deps common.Deps, s common.Screen, w, h int) *ScreenDriver {
	t.Helper()
	sd := &ScreenDriver{S: s, Frame: common.NewFrame(deps.Styles), W: w, H: h}
	sd.Driver = New(t, sd.updateScreen, func() string { return sd.Frame.Render(sd.S, sd.W, sd.H) })
	sd.intercept = sd.root
	sd.Run(s.Init())
	sd.Send(tea.WindowSizeMsg{Width: w, Height: h})
	return sd
}

func (sd *ScreenDriver) updateScreen(msg tea.Msg) tea.Cmd {
	s, cmd := sd.S.Update(msg)
	if s != nil {
		sd.S = s
	}
	return cmd
}

// root is the part of the root model a screen test needs.
func (sd *ScreenDriver) root(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case common.BackMsg:
		sd.Backs++
		return true
	case common.FlashMsg:
		sd.Frame.Flash = msg.Text
		return true
	case tea.WindowSizeMsg:
		sd.W, sd.H = msg.Width, msg.Height
		return false // the screen gets the whole window's size, as from the root
	case tea.MouseMsg:
		if !sd.Frame.ShowHelp {
			sd.Run(sd.updateScreen(common.ShiftMouse(msg, common.HeaderHeight)))
		}
		return true
	case tea.KeyPressMsg:
		k := sd.Frame.Keys
		if key.Matches(msg, k.Quit) {
			sd.Quit = true
			return true
		}
		sd.Frame.Flash = ""
		if sd.Frame.ShowHelp {
			if key.Matches(msg, k.Help, k.Back) {
				sd.Frame.ShowHelp = false
			}
			return true
		}
		if sd.S.Capturing() {
			return false
		}
		switch {
		case key.Matches(msg, k.Help):
			sd.Frame.ShowHelp = true
			return true
		case key.Matches(msg, k.Back):
			if b, ok := sd.S.(common.Backer); ok && b.Back(msg) {
				return true
			}
			sd.Backs++
			return true
		}
	}
	return false
}

// CheckFits fails if any line of view is wider than w or there are more than h lines.
func CheckFits(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines, more than %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, lw, w, l)
		}
	}
}
