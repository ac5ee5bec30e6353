package picker

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

func newPickerFixture(t *testing.T, w, h int) (*uitest.ScreenDriver, *uitest.Inspector, *Model) {
	t.Helper()
	in := uitest.NewInspector()
	deps := uitest.Deps(in)
	p := New(deps)
	return uitest.NewScreen(t, deps, p, w, h), in, p
}

// pids is the PIDs of the visible lines in order.
func (p *Model) pids() []int {
	var out []int
	for _, l := range p.lines {
		out = append(out, p.rows[l.row].PID)
	}
	return out
}

func TestPickerListsEveryProcess(t *testing.T) {
	d, _, p := newPickerFixture(t, 80, 24)
	if got := fmt.Sprint(p.pids()); got != "[1 2 100 200 300 400 401 500]" {
		t.Fatalf("rows = %s", got)
	}
	v := d.View()
	for _, want := range []string{"PID", "USER", "CONTAINER", "sleep 300", "[kthreadd]", "docker", "www-data"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	uitest.CheckFits(t, v, 80, 24)
}

func TestPickerSort(t *testing.T) {
	d, _, p := newPickerFixture(t, 80, 24)
	d.Keys("7") // RSS: a resource column sorts largest first, as htop does
	if got := fmt.Sprint(p.pids()); got != "[500 400 401 1 100 200 300 2]" {
		t.Fatalf("by RSS = %s", got)
	}
	d.Keys("S")
	if got := fmt.Sprint(p.pids()); got != "[2 300 200 100 1 401 400 500]" {
		t.Fatalf("by RSS reversed = %s", got)
	}
	d.Keys("7") // the same column again flips (here: back to largest first)
	if !p.reverse {
		t.Fatal("pressing the sort column twice should flip the order")
	}
	d.Keys("3") // NI is no resource: ascending first
	if p.reverse {
		t.Fatal("a non-resource column sorted descending first")
	}
	d.Keys("7")
	d.Keys("s") // next column: THR, largest first
	if p.sortCol != colThreads || !p.reverse {
		t.Fatalf("s moved to column %d (reverse %v), want %d largest first", p.sortCol, p.reverse, colThreads)
	}
	d.Keys("S")
	if p.sortCol != colThreads {
		t.Fatalf("s moved to column %d, want %d", p.sortCol, colThreads)
	}
	if !strings.Contains(d.View(), "THR▲") {
		t.Fatalf("sort marker missing:\n%s", d.View())
	}
}

func TestPickerFilterAsYouType(t *testing.T) {
	d, _, p := newPickerFixture(t, 80, 24)
	d.Keys("/")
	if !p.Capturing() {
		t.Fatal("/ did not start the filter")
	}
	d.Type("slp") // fuzzy: s…l…p in "sleep 300"
	if got := fmt.Sprint(p.pids()); got != "[300]" {
		t.Fatalf("fuzzy 'slp' = %s", got)
	}
	d.Keys("q") // typed into the filter, not a quit
	if d.Quit || p.filter != "slpq" {
		t.Fatalf("q while filtering: quit=%v filter=%q", d.Quit, p.filter)
	}
	d.Keys("backspace", "backspace", "backspace", "backspace")
	d.Type("www") // matches the user column
	if got := fmt.Sprint(p.pids()); got != "[401]" {
		t.Fatalf("user 'www' = %s", got)
	}
	d.Keys("esc")
	if p.filter != "" || p.Capturing() || len(p.lines) != 8 {
		t.Fatalf("esc did not clear the filter: %q, %d rows", p.filter, len(p.lines))
	}
	if d.Quit {
		t.Fatal("esc in the filter quit the program")
	}
	d.Keys("/")
	d.Type("40")
	d.Keys("enter")
	if got := fmt.Sprint(p.pids()); got != "[400 401]" || p.Capturing() {
		t.Fatalf("PID prefix '40' = %s (capturing %v)", got, p.Capturing())
	}
	if !strings.Contains(d.View(), `filter "40"`) {
		t.Errorf("the kept filter is not shown:\n%s", d.View())
	}
	// Esc first clears a kept filter; only the next Esc leaves.
	d.Keys("esc")
	if d.Quit || p.filter != "" || len(p.lines) != 8 {
		t.Fatalf("esc with a kept filter: quit=%v filter=%q rows=%d", d.Quit, p.filter, len(p.lines))
	}
	d.Keys("esc")
	if d.Backs != 1 {
		t.Fatal("esc without a filter should leave the picker")
	}
}

func TestPickerTree(t *testing.T) {
	d, _, p := newPickerFixture(t, 80, 24)
	d.Keys("t")
	if got := fmt.Sprint(p.pids()); got != "[1 100 200 300 400 401 500 2]" {
		t.Fatalf("tree order = %s", got)
	}
	v := d.View()
	if !strings.Contains(v, "└─sleep 300") && !strings.Contains(v, "└─") {
		t.Fatalf("no tree branches:\n%s", v)
	}
	if !strings.Contains(v, "tree") {
		t.Errorf("status does not say tree")
	}
}

func TestPickerKeepsSelectionAndScrollAcrossRefresh(t *testing.T) {
	in := uitest.NewInspector()
	var rows []inspect.ProcRow
	for i := 1; i <= 200; i++ {
		rows = append(rows, inspect.ProcRow{PID: i * 10, User: "root", State: "S", Comm: "w", Cmdline: fmt.Sprintf("worker %d", i), Threads: 1})
	}
	in.ProcRows = rows
	deps := uitest.Deps(in)
	p := New(deps)
	d := uitest.NewScreen(t, deps, p, 80, 24)
	d.Keys("pgdown", "pgdown", "down", "down")
	sel, off := p.selPID, p.offset
	if sel == 0 || off == 0 {
		t.Fatalf("did not scroll: sel=%d off=%d", sel, off)
	}
	// A process above the selection exits; a new one appears at the end.
	in.Mu.Lock()
	in.ProcRows = append(in.ProcRows[1:], inspect.ProcRow{PID: 5000, User: "root", Comm: "new", Threads: 1})
	in.Mu.Unlock()
	d.Run(p.scanNow())
	if p.selPID != sel {
		t.Fatalf("selection moved from PID %d to %d", sel, p.selPID)
	}
	if p.pids()[p.cursor] != sel {
		t.Fatalf("cursor is not on the selected PID")
	}
	if p.offset != off && p.offset != off-1 {
		t.Fatalf("scroll jumped from %d to %d", off, p.offset)
	}
	// The selected process exits: the cursor stays where it was.
	cur := p.cursor
	in.Mu.Lock()
	var kept []inspect.ProcRow
	for _, r := range in.ProcRows {
		if r.PID != sel {
			kept = append(kept, r)
		}
	}
	in.ProcRows = kept
	in.Mu.Unlock()
	d.Run(p.scanNow())
	if p.cursor != cur || p.selPID == sel {
		t.Fatalf("after the selected PID exited: cursor %d→%d, sel %d", cur, p.cursor, p.selPID)
	}
}

func TestPickerRefreshStopsWhenCoveredAndResumes(t *testing.T) {
	in := uitest.NewInspector()
	clock := uitest.NewHeldClock(uitest.Now)
	deps := uitest.Deps(in)
	deps.Clock = clock
	p := New(deps)
	d := uitest.NewScreen(t, deps, p, 80, 24)
	d.Keys("enter") // asks the root for the inspector on PID 1
	if !slices.Contains(d.Msgs, tea.Msg(OpenMsg{PID: 1})) {
		t.Fatalf("enter did not ask for the inspector on PID 1: %v", d.Msgs)
	}
	if clock.Pending() != 1 {
		t.Fatalf("%d scans armed after the first, want 1", clock.Pending())
	}
	// Covered: the scan armed before is the last one; no next is armed.
	d.Send(common.ActiveMsg{Active: false})
	d.Run(clock.Fire())
	before := in.Tables
	if clock.Pending() != 0 {
		t.Fatal("a covered picker armed another scan of /proc")
	}
	d.Send(common.ActiveMsg{Active: true})
	if in.Tables != before+1 || clock.Pending() != 1 {
		t.Fatalf("shown again: %d scans, %d armed; want one at once and the next armed", in.Tables-before, clock.Pending())
	}
}

func TestPickerEnterOpensInspectorOnSelection(t *testing.T) {
	d, _, _ := newPickerFixture(t, 80, 24)
	d.Keys("/")
	d.Type("sleep")
	d.Keys("enter", "enter")
	if last := d.Msgs[len(d.Msgs)-1]; last != (OpenMsg{PID: 300}) {
		t.Fatalf("last request %#v, want the inspector on 300", last)
	}
}

func TestPickerMarkTwoOpensCompare(t *testing.T) {
	d, _, p := newPickerFixture(t, 80, 24)
	d.Keys("G", "up", "up") // 400
	d.Keys("c")
	if p.mark != 400 {
		t.Fatalf("mark = %d, want 400", p.mark)
	}
	if !strings.Contains(d.View(), "marked 400") {
		t.Errorf("mark not shown")
	}
	d.Keys("up") // 300
	d.Keys("c")
	if last := d.Msgs[len(d.Msgs)-1]; last != (CompareMsg{A: 400, B: 300}) {
		t.Fatalf("last request %#v, want compare 400↔300", last)
	}
}

func TestPickerMouse(t *testing.T) {
	d, _, p := newPickerFixture(t, 80, 24)
	// Header row is window row 0, the column titles row 1, the first process row 2.
	d.Send(tea.MouseClickMsg{X: 5, Y: 4, Button: tea.MouseLeft})
	if p.selPID != 100 {
		t.Fatalf("click on the third row selected %d", p.selPID)
	}
	d.Send(tea.MouseClickMsg{X: 5, Y: 4, Button: tea.MouseLeft})
	if last := d.Msgs[len(d.Msgs)-1]; last != (OpenMsg{PID: 100}) {
		t.Fatalf("a second click did not ask for the inspector on 100: %#v", last)
	}
	// A click on the RSS title sorts by RSS, largest first; a second reverses.
	x := 0
	for c := 0; c < colRSS; c++ {
		x += columns[c].width + 1
	}
	d.Send(tea.MouseClickMsg{X: x + 2, Y: 1, Button: tea.MouseLeft})
	if p.sortCol != colRSS || !p.reverse {
		t.Fatalf("click on RSS: sort %d reverse %v", p.sortCol, p.reverse)
	}
	d.Send(tea.MouseClickMsg{X: x + 2, Y: 1, Button: tea.MouseLeft})
	if p.reverse {
		t.Fatal("second click on RSS did not reverse")
	}
	d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if p.cursor < 0 {
		t.Fatal("wheel broke the cursor")
	}
}

func TestPickerScanError(t *testing.T) {
	in := uitest.NewInspector()
	in.TableErr = errors.New("open /proc: permission denied")
	deps := uitest.Deps(in)
	d := uitest.NewScreen(t, deps, New(deps), 80, 24)
	if v := d.View(); !strings.Contains(v, "Cannot list processes: open /proc: permission denied") {
		t.Fatalf("error not shown:\n%s", v)
	}
}

func TestPickerTinyAndHugeWindows(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {250, 60}, {40, 10}} {
		d, _, _ := newPickerFixture(t, sz[0], sz[1])
		uitest.CheckFits(t, d.View(), sz[0], sz[1])
	}
}

// BenchmarkPickerView draws the picker over 10,000 processes: the cost must
// not depend on the number of rows, only on the window.
func BenchmarkPickerView(b *testing.B) {
	in := uitest.NewInspector()
	in.ProcRows = nil
	for i := 1; i <= 10000; i++ {
		in.ProcRows = append(in.ProcRows, inspect.ProcRow{PID: i, PPID: i / 2, User: "user" + fmt.Sprint(i%50), State: "S",
			Comm: "proc", Cmdline: fmt.Sprintf("/usr/bin/proc --id %d --verbose", i), RSSBytes: int64(i) << 12, Threads: i%8 + 1})
	}
	deps := uitest.Deps(in)
	p := New(deps)
	d := uitest.NewScreen(b, deps, p, 250, 60)
	d.Keys("pgdown", "pgdown")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = d.Raw()
	}
}

// BenchmarkPickerRefresh is one refresh over 10,000 processes: sort and keep the selection.
func BenchmarkPickerRefresh(b *testing.B) {
	in := uitest.NewInspector()
	in.ProcRows = nil
	for i := 1; i <= 10000; i++ {
		in.ProcRows = append(in.ProcRows, inspect.ProcRow{PID: i, PPID: i / 2, User: "u", Comm: "p", Cmdline: fmt.Sprint("cmd ", i), RSSBytes: int64(10000-i) << 12})
	}
	deps := uitest.Deps(in)
	p := New(deps)
	d := uitest.NewScreen(b, deps, p, 120, 40)
	d.Keys("7", "t")
	b.ResetTimer()
	for b.Loop() {
		d.Run(p.scanNow())
	}
}

// TestPickerTreeParentLoop: a reused PID can make two processes each other's
// parent; the tree must still show both, once each, and not loop.
func TestPickerTreeParentLoop(t *testing.T) {
	in := uitest.NewInspector()
	in.ProcRows = []inspect.ProcRow{
		{PID: 1, Comm: "init"},
		{PID: 10, PPID: 20, Comm: "a"},
		{PID: 20, PPID: 10, Comm: "b"},
	}
	deps := uitest.Deps(in)
	p := New(deps)
	d := uitest.NewScreen(t, deps, p, 80, 24)
	d.Keys("t")
	if got := fmt.Sprint(p.pids()); got != "[1 10 20]" {
		t.Fatalf("tree with a parent loop = %s", got)
	}
}

// Below the smallest window a screen reads in, the frame says so instead of
// drawing cut cells; from that size on, the screen is drawn.
func TestTerminalTooSmallNotice(t *testing.T) {
	deps := uitest.Deps(uitest.NewInspector())
	d := uitest.NewScreen(t, deps, New(deps), 50, 12)
	v := d.View()
	if !strings.Contains(v, "terminal too small") || !strings.Contains(v, "50×12, need 60×16") {
		t.Fatalf("no notice at 50×12:\n%s", v)
	}
	uitest.CheckFits(t, v, 50, 12)
	d.Send(tea.WindowSizeMsg{Width: 60, Height: 16})
	if v := d.View(); strings.Contains(v, "too small") || !strings.Contains(v, "PID") {
		t.Fatalf("60×16 is not drawn:\n%s", v)
	}
}

// p toggles COMMAND between whole command lines and program names, and the
// filter matches arguments either way.
func TestPickerFullCommandToggleAndArgumentFilter(t *testing.T) {
	d, _, p := newPickerFixture(t, 120, 30)
	if !strings.Contains(d.View(), "python3 app.py --port 8080") {
		t.Fatalf("command lines not shown whole by default:\n%s", d.View())
	}
	d.Keys("p")
	if v := d.View(); strings.Contains(v, "--port 8080") || !strings.Contains(v, "python3") {
		t.Fatalf("p did not cut the command lines to program names:\n%s", v)
	}
	d.Keys("/")
	d.Type("--port")
	d.Keys("enter")
	if got := fmt.Sprint(p.pids()); got != "[500]" {
		t.Fatalf("filter on an argument = %s, want [500]", got)
	}
}

// No column title is cut, whatever the sort column and direction.
func TestPickerHeadersNeverTruncate(t *testing.T) {
	for _, w := range []int{80, 100, 160} {
		d, _, _ := newPickerFixture(t, w, 24)
		for c := 0; c < numColumns; c++ {
			for _, k := range []string{fmt.Sprint(c + 1), fmt.Sprint(c + 1)} { // twice: both directions
				d.Keys(k)
				head := strings.Split(d.View(), "\n")[1]
				if strings.Contains(head, "…") {
					t.Fatalf("%d cols, sort %d: header cut: %q", w, c+1, head)
				}
			}
		}
	}
}

// A sort change keeps the selected process in view, with the rows above it
// shown when it lands near the top (the view does not stay scrolled away).
func TestPickerSortKeepsSelectionInView(t *testing.T) {
	in := uitest.NewInspector()
	var rows []inspect.ProcRow
	for i := 1; i <= 200; i++ {
		rows = append(rows, inspect.ProcRow{PID: i, User: "root", State: "S", Comm: "w", RSSBytes: int64(i) << 20, Threads: 1})
	}
	in.ProcRows = rows
	deps := uitest.Deps(in)
	p := New(deps)
	d := uitest.NewScreen(t, deps, p, 80, 24)
	d.Keys("G") // PID 200, the largest RSS
	if p.offset == 0 {
		t.Fatal("G did not scroll")
	}
	d.Keys("7") // RSS, largest first: PID 200 comes first
	if p.rows[p.lines[p.cursor].row].PID != 200 || p.cursor != 0 || p.offset != 0 {
		t.Fatalf("after sorting: cursor %d offset %d; want PID 200 at the top of an unscrolled list", p.cursor, p.offset)
	}
	d.Keys("1") // by PID again: PID 200 is last, and in view
	if p.cursor < p.offset || p.cursor >= p.offset+p.height {
		t.Fatalf("the selection left the window: cursor %d offset %d height %d", p.cursor, p.offset, p.height)
	}
}

// A process whose namespaces could not be read is "unknown" in the
// CONTAINER column, never blank (blank means a plain host process).
func TestPickerUnknownContainerIsShown(t *testing.T) {
	in := uitest.NewInspector()
	in.ProcRows = append(in.ProcRows, inspect.ProcRow{PID: 600, PPID: 1, User: "root", State: "S", Comm: "sleep", Cmdline: "sleep 1000", Threads: 1, Container: "unknown"})
	deps := uitest.Deps(in)
	d := uitest.NewScreen(t, deps, New(deps), 100, 30)
	for _, l := range strings.Split(d.View(), "\n") {
		if strings.Contains(l, "sleep 1000") && !strings.Contains(l, "unknown") {
			t.Fatalf("the unreadable process shows no 'unknown': %q", l)
		}
	}
}

// TestPickerContainerNamesAndUnknown: the CONTAINER cell names the container
// (its pod or name) from the runtime's state, the filter finds
// it by name, and a process whose namespaces could not be read says
// "unknown", never a blank host cell.
func TestPickerContainerNamesAndUnknown(t *testing.T) {
	in := uitest.NewInspector()
	in.ProcRows = append(in.ProcRows,
		inspect.ProcRow{PID: 600, PPID: 1, User: "root", State: "S", Comm: "nginx", Threads: 1, Container: "runc", ContainerID: "web", ContainerName: "web"},
		inspect.ProcRow{PID: 601, PPID: 1, User: "root", State: "S", Comm: "app", Threads: 1, Container: "containerd", ContainerName: "app", Pod: "shop/cart-0"},
		inspect.ProcRow{PID: 602, PPID: 1, User: "root", State: "S", Comm: "hidden", Threads: 1, Container: "unknown"},
	)
	deps := uitest.Deps(in)
	p := New(deps)
	d := uitest.NewScreen(t, deps, p, 120, 30)
	v := d.View()
	for _, want := range []string{" web ", "shop/cart-0", "unknown"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	d.Keys("/")
	d.Type("cart")
	if got := fmt.Sprint(p.pids()); got != "[601]" {
		t.Errorf("filter 'cart' (a pod name) = %s, want [601]", got)
	}
}

// CPU% is the CPU time a process used between two scans over the time that
// passed (htop's, per CPU); MEM% its resident memory over the host's RAM.
// Both sort largest first.
func TestPickerCPUAndMemPercent(t *testing.T) {
	in := uitest.NewInspector()
	clock := uitest.NewClock(uitest.Now)
	deps := uitest.Deps(in)
	deps.Clock = clock
	p := New(deps)
	d := uitest.NewScreen(t, deps, p, 120, 30)
	if got := p.cpuCell(&p.rows[0]); got != "-" {
		t.Fatalf("CPU%% after one scan = %q, want - (not known yet)", got)
	}
	in.Mu.Lock()
	for i := range in.ProcRows {
		switch in.ProcRows[i].PID {
		case 500:
			in.ProcRows[i].CPUTime = 1500 * time.Millisecond // 1.5 s of CPU in 2 s: 75%
		case 401:
			in.ProcRows[i].CPUTime = 200 * time.Millisecond // 10%
		}
	}
	in.Mu.Unlock()
	clock.Advance(2 * time.Second)
	d.Run(p.scanNow())
	d.Keys("5") // CPU%, largest first
	if got := fmt.Sprint(p.pids()[:2]); got != "[500 401]" {
		t.Fatalf("by CPU%% = %v", p.pids())
	}
	v := d.View()
	for _, want := range []string{"CPU%", "MEM%", "75.0", "10.0", "7.3"} { // 300M of 4G
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}
