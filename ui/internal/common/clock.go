package common

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Clock lets tests freeze time.
type Clock interface{ Now() time.Time }

// SystemClock is the real time; cmd/procbox puts it in Deps.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// Ticker is implemented by clocks that also schedule the once-a-second
// refreshes. The real clock leaves it to tea.Tick; a fake clock in tests
// returns nil (nothing scheduled) or fires at once, so no test sleeps.
type Ticker interface {
	Tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd
}

// TickCmd schedules fn after d using the clock's ticker when it has one.
func TickCmd(c Clock, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	if t, ok := c.(Ticker); ok {
		return t.Tick(d, fn)
	}
	return tea.Tick(d, fn)
}

// RefreshEvery is how often live screens read /proc again.
const RefreshEvery = time.Second
