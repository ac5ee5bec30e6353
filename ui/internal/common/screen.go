package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Screen is one full-window pane under the root model (home, picker,
// inspector, compare, lab, learn). The root owns the window size, the help
// line, alt-screen and mouse; a screen only draws the body it is given room
// for. Screens never build each other: they send messages (picker.OpenMsg …)
// and the root opens what they ask for.
type Screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
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

// Closer is implemented by screens that hold something outside procbox (the
// Lab's child process, a cgroup). The root calls Close exactly once per screen:
// when the screen is popped (the returned command then runs like any other),
// or, for every screen still open, synchronously after the program has ended —
// whether the user quit, SIGTERM/SIGHUP arrived or a screen panicked. Close is
// called on the event loop, so it must not block; the blocking work belongs in
// the returned command.
type Closer interface {
	Close() tea.Cmd
}

// Statuser is implemented by screens that want a short status at the right of
// the header ("live", "exited", "child 4242").
type Statuser interface {
	Status() string
}

// Backer is implemented by screens that use the back key themselves in some
// states (the picker's Esc clears a kept filter before it leaves). Back
// reports whether the screen used the key; if not, the root pops the screen.
type Backer interface {
	Back(msg tea.KeyPressMsg) bool
}

// Keeper is implemented by screens that hold something a quit would destroy
// (the Lab's live child). WouldLose names it ("the Lab's child, pid 4242"),
// or is "" when there is nothing to lose; the root then asks before q quits.
type Keeper interface {
	WouldLose() string
}
