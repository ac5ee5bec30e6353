package picker

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/ui/internal/common"
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
		if got := scanInterval(c.took); got != c.want {
			t.Errorf("scanInterval(%v) = %v, want %v", c.took, got, c.want)
		}
	}
	for d, want := range map[time.Duration]string{time.Second: "1s", 2500 * time.Millisecond: "2.5s", 3040 * time.Millisecond: "3s"} {
		if got := intervalText(d); got != want {
			t.Errorf("intervalText(%v) = %q, want %q", d, got, want)
		}
	}
}

// slowInspector's scans take cost on the pace clock.
type slowInspector struct {
	*uitest.Inspector
	clock *uitest.HeldClock
	cost  time.Duration
}

func (s *slowInspector) Table() ([]inspect.ProcRow, error) {
	s.clock.Advance(s.cost)
	return s.Inspector.Table()
}

// pickerPace drives a picker directly, running commands synchronously.
func pickerPace(t *testing.T, p *Model, cmd tea.Cmd) {
	t.Helper()
	uitest.New(t, func(msg tea.Msg) tea.Cmd { _, next := p.Update(msg); return next }, nil).Run(cmd)
}

// A slow scan stretches the wait before the next one (20×), the status line
// says so, and the scans form one chain: covering and showing the picker
// while a scan is armed does not start a second one.
func TestPickerPacesScansToTheirCost(t *testing.T) {
	clock := uitest.NewHeldClock(uitest.Now)
	in := &slowInspector{Inspector: uitest.NewInspector(), clock: clock, cost: 150 * time.Millisecond}
	d := common.Deps{Inspector: in, Clock: clock, Styles: common.NewStyles(true, true)}
	p := New(d)
	pickerPace(t, p, p.Init())
	pickerPace(t, p, func() tea.Msg { return tea.WindowSizeMsg{Width: 100, Height: 30} })
	if in.Tables != 1 || len(clock.Waits()) != 1 || clock.Waits()[0] != 3*time.Second {
		t.Fatalf("after one 150 ms scan: %d scans, waits %v; want 1 scan, then a 3s wait", in.Tables, clock.Waits())
	}
	if v := p.View(100, 28); !strings.Contains(v, "every 3s") {
		t.Errorf("the status line does not show the interval:\n%s", v)
	}

	// Covered and shown again while the next scan is armed: no second chain.
	pickerPace(t, p, func() tea.Msg { return common.ActiveMsg{Active: false} })
	pickerPace(t, p, func() tea.Msg { return common.ActiveMsg{Active: true} })
	if in.Tables != 1 {
		t.Fatalf("%d scans: showing the picker again started a scan while one was armed", in.Tables)
	}

	// The scans get cheap: back to once a second.
	in.cost = 10 * time.Millisecond
	pickerPace(t, p, clock.Fire())
	waits := clock.Waits()
	if in.Tables != 2 || clock.Pending() != 1 || waits[len(waits)-1] != time.Second {
		t.Fatalf("after a cheap scan: %d scans, %d armed, waits %v", in.Tables, clock.Pending(), waits)
	}
	if v := p.View(100, 28); !strings.Contains(v, "every 1s") {
		t.Errorf("the status line does not show the new interval:\n%s", v)
	}

	// Covered when the armed scan arrives: the chain ends, and showing the
	// picker again scans at once.
	pickerPace(t, p, func() tea.Msg { return common.ActiveMsg{Active: false} })
	pickerPace(t, p, clock.Fire())
	if clock.Pending() != 0 {
		t.Fatal("a covered picker armed another scan")
	}
	n := in.Tables
	pickerPace(t, p, func() tea.Msg { return common.ActiveMsg{Active: true} })
	if in.Tables != n+1 || clock.Pending() != 1 {
		t.Fatalf("shown again: %d new scans, %d armed; want 1 and 1", in.Tables-n, clock.Pending())
	}
}

// A scan that uses several cores costs more CPU than wall time: the CPU time
// counts when it is the larger.
func TestPickerPacesByCPUTime(t *testing.T) {
	clock := uitest.NewHeldClock(uitest.Now)
	in := &slowInspector{Inspector: uitest.NewInspector(), clock: clock, cost: 100 * time.Millisecond}
	var used time.Duration
	cpu := func() time.Duration { used += 150 * time.Millisecond; return used } // 150 ms between two reads
	d := common.Deps{Inspector: in, Clock: clock, Styles: common.NewStyles(true, true), ProcessCPU: cpu}
	p := New(d)
	pickerPace(t, p, p.Init())
	if len(clock.Waits()) != 1 || clock.Waits()[0] != 3*time.Second {
		t.Fatalf("waits %v: want 3s (20 × 150 ms of CPU, more than the 100 ms wall time)", clock.Waits())
	}
}
