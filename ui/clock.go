package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// ticker is implemented by clocks that also schedule the once-a-second
// refreshes. The real clock leaves it to tea.Tick; a fake clock in tests
// returns nil (nothing scheduled) or fires at once, so no test sleeps.
type ticker interface {
	Tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
}

// tickCmd schedules fn after d using the clock's ticker when it has one.
func tickCmd(c Clock, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	if t, ok := c.(ticker); ok {
		return t.Tick(d, fn)
	}
	return tea.Tick(d, fn)
}

// refreshEvery is how often live screens read /proc again.
const refreshEvery = time.Second
