package picker

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/internal/units"
	"procbox/ui/internal/common"
)

// column is one column of the process table.
type column struct {
	title string
	width int // 0: takes what is left (COMMAND)
	right bool
	// desc: the column is a resource (memory, threads): sorting by it shows
	// the largest first, as htop does, and the same key again flips it.
	desc bool
}

// The columns, in the order of the 1-8 sort keys.
const (
	colPID = iota
	colUser
	colNice
	colState
	colCPU
	colMem
	colRSS
	colThreads
	colContainer
	colCommand
	numColumns
)

var columns = [numColumns]column{
	colPID:       {"PID", 7, true, false},
	colUser:      {"USER", 9, false, false},
	colNice:      {"NI", 3, true, false},
	colState:     {"S", 2, false, false},
	colCPU:       {"CPU%", 5, true, true},
	colMem:       {"MEM%", 5, true, true},
	colRSS:       {"RSS", 6, true, true},
	colThreads:   {"THR", 4, true, true},
	colContainer: {"CONTAINER", 10, false, false},
	colCommand:   {"COMMAND", 0, false, false},
}

// tableMsg is the result of one scan of the process table.
type tableMsg struct {
	to   *Model
	gen  int
	rows []inspect.ProcRow
	err  error
	took time.Duration // what the scan cost (wall or CPU time), for the next interval
	at   time.Time     // when the scan ended, on the clock: CPU% is per second of it
}

// Scan pacing. A scan of 10,000 processes costs a good part of a core, so
// the picker waits scanFactor times as long as the last scan cost
// before the next one: scanning never uses more than about 1/20 of a CPU,
// while a normal host (a few hundred processes, a few ms a scan) still
// refreshes every second. maxInterval keeps a very slow /proc live.
const (
	scanFactor  = 20
	maxInterval = 30 * time.Second
)

// pickerInterval is the wait before the next scan after one that cost took.
func scanInterval(took time.Duration) time.Duration {
	return min(max(common.RefreshEvery, scanFactor*took), maxInterval)
}

// visLine is one visible line: a row and, in the tree view, its indent.
type visLine struct {
	row    int // index into Model.rows
	prefix string
}

// OpenMsg asks the root to open the inspector on PID (enter, or a second
// click on a row).
type OpenMsg struct{ PID int }

// CompareMsg asks the root to compare two processes side by side (c on one
// row, then c on another).
type CompareMsg struct{ A, B int }

// Model is the table of every process: sort, filter, tree, mark, open.
type Model struct {
	deps   common.Deps
	styles common.Styles
	keys   common.KeyMap

	rows  []inspect.ProcRow
	lines []visLine
	err   error
	ready bool

	sortCol   int
	reverse   bool
	filter    string
	filtering bool
	tree      bool
	fullCmd   bool // COMMAND shows whole command lines (p), else program names

	// cpuPct is each process's CPU use between the last two scans, in % of
	// one CPU (htop's CPU%); cpuPrev and cpuAt are the last scan's times.
	cpuPct   map[int]float64
	cpuPrev  map[int]time.Duration
	cpuAt    time.Time
	memTotal int64 // the host's RAM, for MEM%; 0: not known

	cursor int // index into lines
	offset int // first visible line
	selPID int // the selection follows the PID across refreshes
	mark   int // PID marked for compare, 0 for none

	active bool
	gen    int
	height int // rows of the table the last View had room for
	width  int

	// scanning: a scan is running or armed. There is one chain of scans,
	// each arming the next, so two never run at once.
	scanning bool
	interval time.Duration // the wait between scans now, shown in the status line
}

func New(d common.Deps) *Model {
	return &Model{deps: d, styles: d.Styles, keys: common.DefaultKeyMap(), active: true, fullCmd: true}
}

// tableCmd scans the process table off the event loop.
func tableCmd(to *Model, gen int, d common.Deps) tea.Cmd {
	return func() tea.Msg { return scanTable(to, gen, d) }
}

// scanTable reads the table once. Its cost is the larger of the wall time
// (on d.Clock) and the CPU time procbox used meanwhile (d.ProcessCPU): the
// scan may use several cores at once.
func scanTable(to *Model, gen int, d common.Deps) tableMsg {
	if d.Inspector == nil {
		return tableMsg{to: to, gen: gen, err: common.ErrNoInspector}
	}
	cpu := d.ProcessCPU
	if cpu == nil {
		cpu = func() time.Duration { return 0 }
	}
	t0, c0 := d.Clock.Now(), cpu()
	rows, err := d.Inspector.Table()
	end := d.Clock.Now()
	took := max(end.Sub(t0), cpu()-c0)
	return tableMsg{to: to, gen: gen, rows: rows, err: err, took: took, at: end}
}

func (p *Model) Init() tea.Cmd { return tea.Batch(p.scanNow(), memTotalCmd(p, p.deps.Inspector)) }

// scanNow starts a scan at once unless one is already running or armed.
func (p *Model) scanNow() tea.Cmd {
	if p.scanning {
		return nil
	}
	p.scanning = true
	return tableCmd(p, p.gen, p.deps)
}

func (p *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StylesMsg:
		p.styles = msg.Styles
	case tea.WindowSizeMsg:
		// Known before the first View so keys and clicks page correctly.
		p.height = max(common.BodyHeight(msg.Height)-2, 1)
		p.width = msg.Width
		p.clampOffset()
	case common.ActiveMsg:
		p.active = msg.Active
		if msg.Active {
			// Shown again: scan at once, unless the chain is still armed
			// (covered only briefly); then its next scan comes soon enough.
			return p, p.scanNow()
		}
	case tableMsg:
		if msg.to != p {
			return p, nil
		}
		p.scanning = false
		p.interval = scanInterval(msg.took)
		if msg.err != nil {
			p.err = msg.err
		} else {
			p.err = nil
			p.noteCPU(msg.rows, msg.at)
			p.rows = msg.rows
			p.ready = true
			p.rebuild()
		}
		if !p.active {
			return p, nil // covered: the chain ends; common.ActiveMsg starts a new one
		}
		// The next scan runs in the timer's goroutine: one message per scan.
		gen, d := p.gen, p.deps
		next := common.TickCmd(d.Clock, p.interval, func(time.Time) tea.Msg {
			return scanTable(p, gen, d)
		})
		p.scanning = next != nil // a test clock may schedule nothing
		return p, next
	case memTotalMsg:
		if msg.to == p {
			p.memTotal = msg.bytes
		}
	case tea.KeyPressMsg:
		if p.filtering {
			return p, p.filterKey(msg)
		}
		return p, p.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			p.scroll(-3)
		case tea.MouseWheelDown:
			p.scroll(3)
		}
	case tea.MouseClickMsg:
		// Row 0 of the body is the column header: a click there sorts by
		// that column (again: reverses).
		if msg.Y == 0 {
			if c := p.columnAt(msg.X); c >= 0 {
				if c == p.sortCol {
					p.reverse = !p.reverse
				} else {
					p.sortCol, p.reverse = c, columns[c].desc
				}
				p.resorted()
			}
			return p, nil
		}
		i := p.offset + msg.Y - 1
		if msg.Y >= 1 && i >= 0 && i < len(p.lines) {
			if i == p.cursor {
				return p, p.openSelected()
			}
			p.moveTo(i)
		}
	}
	return p, nil
}

// Back lets Esc clear a kept filter before it leaves the picker.
func (p *Model) Back(msg tea.KeyPressMsg) bool {
	if msg.String() == "esc" && p.filter != "" {
		p.filter = ""
		p.rebuild()
		return true
	}
	return false
}

// filterKey edits the filter while it is being typed.
func (p *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		p.filter, p.filtering = "", false
	case "enter":
		p.filtering = false
	case "backspace":
		if r := []rune(p.filter); len(r) > 0 {
			p.filter = string(r[:len(r)-1])
		}
	case "up", "down":
		return p.key(msg)
	default:
		if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
			p.filter += msg.Text
		}
	}
	before := p.selPID
	p.rebuild()
	if p.selPID != before {
		// The selection was filtered out: start from the best (first) match.
		p.moveTo(0)
	}
	return nil
}

// key handles the table keys.
func (p *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, p.keys.Up):
		p.moveTo(p.cursor - 1)
	case key.Matches(msg, p.keys.Down):
		p.moveTo(p.cursor + 1)
	case key.Matches(msg, p.keys.PageUp):
		p.moveTo(p.cursor - p.page())
	case key.Matches(msg, p.keys.PageDown):
		p.moveTo(p.cursor + p.page())
	case key.Matches(msg, p.keys.HalfUp):
		p.moveTo(p.cursor - max(p.page()/2, 1))
	case key.Matches(msg, p.keys.HalfDown):
		p.moveTo(p.cursor + max(p.page()/2, 1))
	case key.Matches(msg, p.keys.Top):
		p.moveTo(0)
	case key.Matches(msg, p.keys.Bottom):
		p.moveTo(len(p.lines) - 1)
	case key.Matches(msg, p.keys.Filter):
		p.filtering = true
	case key.Matches(msg, p.keys.Sort):
		p.sortCol = (p.sortCol + 1) % numColumns
		p.reverse = columns[p.sortCol].desc
		p.resorted()
	case key.Matches(msg, p.keys.Reverse):
		p.reverse = !p.reverse
		p.resorted()
	case key.Matches(msg, p.keys.SortCol):
		c := int(msg.String()[0] - '1')
		if msg.String() == "0" {
			c = 9 // the tenth column, as on a keyboard's number row
		}
		if c == p.sortCol {
			p.reverse = !p.reverse
		} else {
			p.sortCol, p.reverse = c, columns[c].desc
		}
		p.resorted()
	case key.Matches(msg, p.keys.FullCmd):
		p.fullCmd = !p.fullCmd
	case key.Matches(msg, p.keys.Tree):
		p.tree = !p.tree
		p.rebuild()
	case key.Matches(msg, p.keys.Enter):
		return p.openSelected()
	case key.Matches(msg, p.keys.Mark):
		return p.markSelected()
	}
	return nil
}

// openSelected opens the inspector on the selected PID.
func (p *Model) openSelected() tea.Cmd {
	if p.selPID == 0 {
		return nil
	}
	pid := p.selPID
	return func() tea.Msg { return OpenMsg{PID: pid} }
}

// markSelected marks the selected PID; a second mark on another PID opens the
// comparison of the two.
func (p *Model) markSelected() tea.Cmd {
	switch {
	case p.selPID == 0:
		return nil
	case p.mark == 0:
		p.mark = p.selPID
		return nil
	case p.mark == p.selPID:
		p.mark = 0
		return nil
	}
	a, b := p.mark, p.selPID
	p.mark = 0
	return func() tea.Msg { return CompareMsg{A: a, B: b} }
}

// page is how far PgUp/PgDn move.
func (p *Model) page() int { return max(1, p.height-1) }

// moveTo puts the cursor on line i (clamped) and scrolls just enough to show it.
func (p *Model) moveTo(i int) {
	if len(p.lines) == 0 {
		p.cursor, p.offset, p.selPID = 0, 0, 0
		return
	}
	p.cursor = min(max(i, 0), len(p.lines)-1)
	p.selPID = p.rows[p.lines[p.cursor].row].PID
	p.clampOffset()
}

// scroll moves the view by n lines, dragging the cursor along when it would
// leave the window.
func (p *Model) scroll(n int) {
	h := max(p.height, 1)
	p.offset = min(max(p.offset+n, 0), max(len(p.lines)-h, 0))
	switch {
	case p.cursor < p.offset:
		p.moveTo(p.offset)
	case p.cursor >= p.offset+h:
		p.moveTo(p.offset + h - 1)
	}
}

// clampOffset keeps the cursor inside the window and the window inside the list.
func (p *Model) clampOffset() {
	h := max(p.height, 1)
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	p.offset = min(p.offset, max(len(p.lines)-h, 0))
	p.offset = max(p.offset, 0)
}

// resorted rebuilds after a change of sort and scrolls so that the selected
// row is in view with as many rows above it as the window allows (the top of
// the list when it is near the top), not pinned to an edge.
func (p *Model) resorted() {
	p.rebuild()
	h := max(p.height, 1)
	if p.cursor < p.offset || p.cursor >= p.offset+h {
		p.offset = max(p.cursor-h/2, 0)
		p.clampOffset()
	}
}

// rebuild recomputes the visible lines after a scan, a sort, a filter or a
// tree toggle, keeping the selected PID selected and the scroll where it was.
func (p *Model) rebuild() {
	order := make([]int, 0, len(p.rows))
	for i := range p.rows {
		if p.filter == "" || p.matches(&p.rows[i]) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return p.compareRows(&p.rows[a], &p.rows[b]) })
	if p.tree {
		p.lines = p.treeLines(order)
	} else {
		p.lines = p.lines[:0]
		for _, i := range order {
			p.lines = append(p.lines, visLine{row: i})
		}
	}
	cur := -1
	if p.selPID != 0 {
		for i, l := range p.lines {
			if p.rows[l.row].PID == p.selPID {
				cur = i
				break
			}
		}
	}
	if cur < 0 {
		// The selected process is gone or filtered out: stay at the same place.
		cur = p.cursor
	}
	p.moveTo(cur)
}

// compareRows orders two rows by the sort column, then by PID.
func (p *Model) compareRows(a, b *inspect.ProcRow) int {
	var c int
	switch p.sortCol {
	case colPID:
		c = cmp.Compare(a.PID, b.PID)
	case colUser:
		c = strings.Compare(a.User, b.User)
	case colNice:
		c = cmp.Compare(a.Nice, b.Nice)
	case colState:
		c = strings.Compare(a.State, b.State)
	case colCPU:
		c = cmp.Compare(p.cpuPct[a.PID], p.cpuPct[b.PID])
	case colMem, colRSS:
		c = cmp.Compare(a.RSSBytes, b.RSSBytes)
	case colThreads:
		c = cmp.Compare(a.Threads, b.Threads)
	case colContainer:
		c = strings.Compare(containerCell(a), containerCell(b))
	case colCommand:
		c = strings.Compare(commandOf(a, true), commandOf(b, true))
	}
	if p.reverse {
		c = -c
	}
	if c == 0 {
		c = cmp.Compare(a.PID, b.PID)
	}
	return c
}

// treeLines orders rows as a forest: each process under its parent, siblings
// in sort order. A process whose parent is not shown starts a new tree.
func (p *Model) treeLines(order []int) []visLine {
	shown := make(map[int]bool, len(order))
	for _, i := range order {
		shown[p.rows[i].PID] = true
	}
	children := make(map[int][]int, len(order))
	var roots []int
	for _, i := range order {
		r := &p.rows[i]
		if r.PPID != r.PID && shown[r.PPID] {
			children[r.PPID] = append(children[r.PPID], i)
		} else {
			roots = append(roots, i)
		}
	}
	lines := make([]visLine, 0, len(order))
	visited := make(map[int]bool, len(order))
	var walk func(i int, indent string, last bool, depth int)
	walk = func(i int, indent string, last bool, depth int) {
		if visited[i] {
			return
		}
		visited[i] = true
		prefix := ""
		next := ""
		if depth > 0 {
			if last {
				prefix, next = indent+"└─", indent+"  "
			} else {
				prefix, next = indent+"├─", indent+"│ "
			}
		}
		lines = append(lines, visLine{row: i, prefix: prefix})
		kids := children[p.rows[i].PID]
		for k, c := range kids {
			walk(c, next, k == len(kids)-1, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, "", true, 0)
	}
	// A reused PID can make two rows each other's parent, a loop no root
	// reaches: show such rows as trees of their own rather than lose them.
	for _, i := range order {
		if !visited[i] {
			walk(i, "", true, 0)
		}
	}
	return lines
}

// matches is the fuzzy filter: the letters of the filter appear in order in
// the command or the user; a number also matches a PID that starts with it.
func (p *Model) matches(r *inspect.ProcRow) bool {
	f := strings.ToLower(p.filter)
	if strings.HasPrefix(strconv.Itoa(r.PID), f) {
		return true
	}
	// The name and the whole command line, arguments included, both count.
	return fuzzy(f, strings.ToLower(r.Comm)) || fuzzy(f, strings.ToLower(commandOf(r, true))) || fuzzy(f, strings.ToLower(r.User)) ||
		(r.Container != "" && (fuzzy(f, strings.ToLower(containerCell(r))) || fuzzy(f, strings.ToLower(r.Container))))
}

// containerCell is the CONTAINER column: the container's pod
// ("namespace/name") or name when the runtime's state gave one, else the
// runtime ("docker") or "isolated"; "unknown" when the namespaces could not
// be read; empty for a host process. The inspector shows all of them.
func containerCell(r *inspect.ProcRow) string {
	switch {
	case r.Pod != "":
		return r.Pod
	case r.ContainerName != "":
		return r.ContainerName
	}
	return r.Container
}

// fuzzy reports whether the runes of pattern appear in s in order.
func fuzzy(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	pr := []rune(pattern)
	i := 0
	for _, c := range s {
		if c == pr[i] {
			i++
			if i == len(pr) {
				return true
			}
		}
	}
	return false
}

// memTotaler is implemented by Inspectors that know the host's RAM
// (cmd/procbox's reads /proc/meminfo); without it MEM% shows "-".
type memTotaler interface {
	MemTotal() (int64, error)
}

// memTotalMsg carries the host's RAM, read once.
type memTotalMsg struct {
	to    *Model
	bytes int64
}

// memTotalCmd reads the host's RAM off the event loop.
func memTotalCmd(to *Model, in common.Inspector) tea.Cmd {
	mt, ok := in.(memTotaler)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		n, err := mt.MemTotal()
		if err != nil {
			n = 0
		}
		return memTotalMsg{to: to, bytes: n}
	}
}

// noteCPU turns two scans into each process's CPU%: the CPU time it used in
// between over the time that passed. A process seen once (or whose PID was
// reused: its CPU time went down) has no CPU% yet.
func (p *Model) noteCPU(rows []inspect.ProcRow, at time.Time) {
	dt := at.Sub(p.cpuAt)
	pct := make(map[int]float64, len(rows))
	prev := make(map[int]time.Duration, len(rows))
	for i := range rows {
		r := &rows[i]
		prev[r.PID] = r.CPUTime
		if old, ok := p.cpuPrev[r.PID]; ok && dt > 0 && r.CPUTime >= old {
			pct[r.PID] = 100 * float64(r.CPUTime-old) / float64(dt)
		}
	}
	p.cpuPct, p.cpuPrev, p.cpuAt = pct, prev, at
}

// cpuCell is CPU% with one decimal, or "-" before a second scan.
func (p *Model) cpuCell(r *inspect.ProcRow) string {
	v, ok := p.cpuPct[r.PID]
	if !ok {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// memCell is the resident memory as a share of the host's RAM (htop's MEM%).
func (p *Model) memCell(r *inspect.ProcRow) string {
	if p.memTotal <= 0 || r.RSSBytes < 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(r.RSSBytes)/float64(p.memTotal), 'f', 1, 64)
}

// commandOf is the command line (full) or the program's name with its
// arguments cut off (short, htop's p) when the table has it, else the
// command name; kernel threads (kthreadd, PID 2, and its children) in
// brackets, as ps shows them.
func commandOf(r *inspect.ProcRow, full bool) string {
	switch {
	case r.Cmdline != "" && full:
		return r.Cmdline
	case r.Cmdline != "":
		prog, _, _ := strings.Cut(r.Cmdline, " ")
		return prog
	case r.PID == 2 || r.PPID == 2:
		return "[" + r.Comm + "]"
	}
	return r.Comm
}

// columnAt is the column under x in the current layout, or -1.
func (p *Model) columnAt(x int) int {
	ws := columnWidths(p.width)
	pos := 0
	for i := range ws {
		if x >= pos && x < pos+ws[i]+1 {
			return i
		}
		pos += ws[i] + 1
	}
	return -1
}

// columnWidths spreads w cells over the columns; COMMAND takes the rest.
func columnWidths(w int) [numColumns]int {
	var ws [numColumns]int
	used := 0
	for i, c := range columns {
		ws[i] = c.width
		used += c.width + 1
	}
	if w >= 120 {
		// Wide terminals get readable user and runtime names.
		ws[colUser] += 4
		ws[colContainer] += 4
		used += 8
	}
	ws[colCommand] = max(w-used, 8)
	return ws
}

func (p *Model) View(w, h int) string {
	st := p.styles
	// Header row, rows, status line.
	p.height = max(h-2, 1)
	p.width = w
	p.clampOffset()
	ws := columnWidths(w)
	var b strings.Builder
	b.Grow((h + 1) * (w + 8))

	var hdr strings.Builder
	for i, c := range columns {
		title := c.title
		if i == p.sortCol {
			if p.reverse {
				title += "▼"
			} else {
				title += "▲"
			}
		}
		if c.right {
			hdr.WriteString(common.FitLeft(title, ws[i]))
		} else {
			hdr.WriteString(common.Fit(title, ws[i]))
		}
		if i < numColumns-1 {
			hdr.WriteByte(' ')
		}
	}
	b.WriteString(st.Title.Render(common.Truncate(hdr.String(), w)))

	shown := 0
	switch {
	case !p.ready && p.err != nil:
		b.WriteString("\n" + st.Bad.Render(common.Truncate("Cannot list processes: "+p.err.Error(), w)))
		shown = 1
	case !p.ready:
		b.WriteString("\n" + st.Subtle.Render("reading /proc…"))
		shown = 1
	case len(p.lines) == 0:
		b.WriteString("\n" + st.Subtle.Render(common.Truncate("No process matches "+strconv.Quote(p.filter)+" (Esc clears the filter).", w)))
		shown = 1
	}
	if shown == 0 {
		// Only the visible rows are drawn: the cost of a frame does not grow
		// with the number of processes.
		for i := p.offset; i < len(p.lines) && i < p.offset+p.height; i++ {
			b.WriteByte('\n')
			b.WriteString(p.renderLine(i, ws, w))
			shown++
		}
	}
	for ; shown < p.height; shown++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(p.statusLine(w))
	return b.String()
}

// renderLine draws line i of the table.
func (p *Model) renderLine(i int, ws [numColumns]int, w int) string {
	st := p.styles
	l := p.lines[i]
	r := &p.rows[l.row]
	var b strings.Builder
	b.Grow(w + 8)
	cell := func(c int, s string) {
		if columns[c].right {
			b.WriteString(common.FitLeft(s, ws[c]))
		} else {
			b.WriteString(common.Fit(s, ws[c]))
		}
		if c < numColumns-1 {
			b.WriteByte(' ')
		}
	}
	cell(colPID, strconv.Itoa(r.PID))
	cell(colUser, r.User)
	cell(colNice, strconv.Itoa(r.Nice))
	cell(colState, r.State)
	cell(colCPU, p.cpuCell(r))
	cell(colMem, p.memCell(r))
	cell(colRSS, units.Short(r.RSSBytes))
	cell(colThreads, strconv.Itoa(r.Threads))
	cell(colContainer, containerCell(r))
	cell(colCommand, l.prefix+commandOf(r, p.fullCmd))
	line := b.String()
	switch {
	case i == p.cursor:
		return st.Selected.Render(line)
	case r.PID == p.mark:
		return st.Marked.Render(line)
	case r.Container == "unknown":
		return st.Subtle.Render(line) // not read, so neither host nor container
	case r.Container != "":
		return st.Warn.Render(line)
	}
	return line
}

// statusLine is the filter being typed, or what the table shows.
func (p *Model) statusLine(w int) string {
	st := p.styles
	if p.filtering {
		return st.Key.Render("/") + common.Truncate(p.filter, w-3) + "█"
	}
	parts := []string{fmt.Sprintf("%d of %d processes", len(p.lines), len(p.rows))}
	if p.interval > 0 {
		parts = append(parts, "every "+intervalText(p.interval))
	}
	dir := "ascending"
	if p.reverse {
		dir = "descending"
	}
	parts = append(parts, "by "+strings.ToLower(columns[p.sortCol].title)+" "+dir)
	if p.filter != "" {
		parts = append(parts, "filter "+strconv.Quote(p.filter))
	}
	if p.tree {
		parts = append(parts, "tree")
	}
	if p.mark != 0 {
		parts = append(parts, fmt.Sprintf("marked %d: c on another to compare", p.mark))
	}
	line := st.Subtle.Render(common.Truncate(strings.Join(parts, " · "), w))
	if p.err != nil && p.ready {
		line = st.Bad.Render(common.Truncate("refresh failed: "+p.err.Error(), w))
	}
	return line
}

func (p *Model) ShortHelp() []key.Binding {
	return []key.Binding{p.keys.Enter, p.keys.Filter, p.keys.Sort, p.keys.Tree, p.keys.Mark}
}

func (p *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{p.keys.Up, p.keys.Down, p.keys.PageUp, p.keys.PageDown, p.keys.HalfUp, p.keys.HalfDown, p.keys.Top, p.keys.Bottom},
		{p.keys.Enter, p.keys.Mark, p.keys.Filter, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")), p.keys.Tree},
		{p.keys.Sort, p.keys.Reverse, p.keys.SortCol, p.keys.FullCmd},
	}
}

func (p *Model) Title() string   { return "Processes" }
func (p *Model) Capturing() bool { return p.filtering }

// Status is the live marker in the header.
func (p *Model) Status() string {
	if !p.ready {
		return ""
	}
	return "live · " + strconv.Itoa(len(p.rows)) + " procs"
}

// intervalText is "1s", "2.5s": the scan interval to a tenth of a second.
func intervalText(d time.Duration) string {
	return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64) + "s"
}
