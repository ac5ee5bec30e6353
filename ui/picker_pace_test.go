package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/ui/internal/uitest"
)

func TestPickerInterval(t *testing.T) {
	cases := []struct{ took, want time.Duration }{
		{0, time.Second},
		{20 * time.Millisecond, time.Second},
		{50 * time.Millisecond, time.Second},
		{150 * time.Millisecond, 3 * time.Second},
		{time.Second, 20 * time.Second},
		{10 * time.Second, 30 * time.Second}, // a very slow /proc still refreshes
	}
	for _, c := range cases {
		if got := pickerInterval(c.took); got != c.want {
			t.Errorf("pickerInterval(%v) = %v, want %v", c.took, got, c.want)
		}
	}
	for d, want := range map[time.Duration]string{time.Second: "1s", 2500 * time.Millisecond: "2.5s", 3040 * time.Millisecond: "3s"} {
		if got := pickerIntervalText(d); got != want {
			t.Errorf("pickerIntervalText(%v) = %q, want %q", d, got, want)
		}
	}
}

// pickerPaceClock is a test clock that moves only when a scan "takes time",
// and hands every timer to the test instead of sleeping.
type pickerPaceClock struct {
	now     time.Time
	waits   []time.Duration
	pending []func(time.Time) tea.Msg
}

func (c *pickerPaceClock) Now() time.Time { return c.now }
func (c *pickerPaceClock) Tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		c.waits = append(c.waits, d)
		c.pending = append(c.pending, fn)
		return nil
	}
}

// slowInspector's scans take cost on the pace clock.
type slowInspector struct {
	*uitest.Inspector
	clock *pickerPaceClock
	cost  time.Duration
}

func (s *slowInspector) Table() ([]inspect.ProcRow, error) {
	s.clock.now = s.clock.now.Add(s.cost)
	return s.Inspector.Table()
}

// pickerPace drives a picker directly, running commands synchronously.
func pickerPace(t *testing.T, p *pickerScreen, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100 {
			t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := p.Update(msg)
			queue = append(queue, next)
		}
	}
}

// A slow scan stretches the wait before the next one (20×), the status line
// says so, and the scans form one chain: covering and showing the picker
// while a scan is armed does not start a second one.
func TestPickerPacesScansToTheirCost(t *testing.T) {
	clock := &pickerPaceClock{now: uitest.Now}
	in := &slowInspector{Inspector: uitest.NewInspector(), clock: clock, cost: 150 * time.Millisecond}
	d := Deps{Inspector: in, Clock: clock, Styles: NewStyles(true, true)}
	p := newPickerScreen(d).(*pickerScreen)
	pickerPace(t, p, p.Init())
	pickerPace(t, p, func() tea.Msg { return tea.WindowSizeMsg{Width: 100, Height: 30} })
	if in.Tables != 1 || len(clock.waits) != 1 || clock.waits[0] != 3*time.Second {
		t.Fatalf("after one 150 ms scan: %d scans, waits %v; want 1 scan, then a 3s wait", in.Tables, clock.waits)
	}
	if v := p.View(100, 28); !strings.Contains(v, "every 3s") {
		t.Errorf("the status line does not show the interval:\n%s", v)
	}

	// Covered and shown again while the next scan is armed: no second chain.
	pickerPace(t, p, func() tea.Msg { return activeMsg{Active: false} })
	pickerPace(t, p, func() tea.Msg { return activeMsg{Active: true} })
	if in.Tables != 1 {
		t.Fatalf("%d scans: showing the picker again started a scan while one was armed", in.Tables)
	}
	pickerPace(t, p, func() tea.Msg { return pickerTickMsg{to: p, gen: p.gen} })
	if in.Tables != 1 {
		t.Fatal("a tick started a scan while one was armed")
	}

	// The scans get cheap: back to once a second.
	in.cost = 10 * time.Millisecond
	fire := clock.pending[0]
	clock.pending = nil
	pickerPace(t, p, func() tea.Msg { return fire(clock.now) })
	if in.Tables != 2 || len(clock.pending) != 1 || clock.waits[len(clock.waits)-1] != time.Second {
		t.Fatalf("after a cheap scan: %d scans, %d armed, waits %v", in.Tables, len(clock.pending), clock.waits)
	}
	if v := p.View(100, 28); !strings.Contains(v, "every 1s") {
		t.Errorf("the status line does not show the new interval:\n%s", v)
	}

	// Covered when the armed scan arrives: the chain ends, and showing the
	// picker again scans at once.
	pickerPace(t, p, func() tea.Msg { return activeMsg{Active: false} })
	fire = clock.pending[0]
	clock.pending = nil
	pickerPace(t, p, func() tea.Msg { return fire(clock.now) })
	if len(clock.pending) != 0 {
		t.Fatal("a covered picker armed another scan")
	}
	n := in.Tables
	pickerPace(t, p, func() tea.Msg { return activeMsg{Active: true} })
	if in.Tables != n+1 || len(clock.pending) != 1 {
		t.Fatalf("shown again: %d new scans, %d armed; want 1 and 1", in.Tables-n, len(clock.pending))
	}
}

// A scan that uses several cores costs more CPU than wall time: the CPU time
// counts when it is the larger.
func TestPickerPacesByCPUTime(t *testing.T) {
	clock := &pickerPaceClock{now: uitest.Now}
	in := &slowInspector{Inspector: uitest.NewInspector(), clock: clock, cost: 100 * time.Millisecond}
	var used time.Duration
	cpu := func() time.Duration { used += 150 * time.Millisecond; return used } // 150 ms between two reads
	d := Deps{Inspector: in, Clock: clock, Styles: NewStyles(true, true), ProcessCPU: cpu}
	p := newPickerScreen(d).(*pickerScreen)
	pickerPace(t, p, p.Init())
	if len(clock.waits) != 1 || clock.waits[0] != 3*time.Second {
		t.Fatalf("waits %v: want 3s (20 × 150 ms of CPU, more than the 100 ms wall time)", clock.waits)
	}
}
