package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// screen is one full-window pane under the root model (home, picker, inspector,
// compare, lab, learn). The root owns the window size, the help line, alt-screen
// and mouse; a screen only draws the body it is given room for.
type screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (screen, tea.Cmd)
	// View draws the body in exactly width×height cells (no more lines, no wider).
	View(width, height int) string
	// ShortHelp is the one-line help shown at the bottom; FullHelp is the ? overlay.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Title names the screen in the header ("Inspect 1234", "Lab", ...).
	Title() string
	// Capturing reports whether the screen is taking free text (a filter or an
	// edit field), so the root must not treat q, ? or Esc as navigation.
	Capturing() bool
}

// backMsg asks the root to pop the current screen (Esc/q on a sub-screen).
type backMsg struct{}

// backCmd returns backMsg.
func backCmd() tea.Msg { return backMsg{} }

// pushMsg asks the root to open a new screen on top of the current one.
type pushMsg struct{ s screen }

// pushCmd returns a command that opens s.
func pushCmd(s screen) tea.Cmd { return func() tea.Msg { return pushMsg{s: s} } }
