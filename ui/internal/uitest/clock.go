package uitest

import (
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Clock is a settable fake clock whose ticks never fire on their own: tests
// send the tick messages themselves, so no test ever sleeps.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a Clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Tick schedules nothing.
func (c *Clock) Tick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
