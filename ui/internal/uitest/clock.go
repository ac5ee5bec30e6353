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

// HeldClock is a Clock that keeps every timer for the test to fire, and
// remembers each wait asked for: for screens whose pacing is under test.
type HeldClock struct {
	Clock
	mu      sync.Mutex
	waits   []time.Duration
	pending []func(time.Time) tea.Msg
}

// NewHeldClock is a HeldClock stopped at t.
func NewHeldClock(t time.Time) *HeldClock { return &HeldClock{Clock: Clock{t: t}} }

// Tick arms a timer: the command records it and returns nothing; Fire runs it.
func (c *HeldClock) Tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.waits = append(c.waits, d)
		c.pending = append(c.pending, fn)
		return nil
	}
}

// Waits is every wait asked for so far, in order.
func (c *HeldClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// Pending is how many timers are armed.
func (c *HeldClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Fire returns a command that runs the oldest armed timer (nil: none armed).
func (c *HeldClock) Fire() tea.Cmd {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return nil
	}
	fn := c.pending[0]
	c.pending = c.pending[1:]
	now := c.Now()
	return func() tea.Msg { return fn(now) }
}
