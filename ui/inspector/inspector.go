package inspector

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/ui/internal/common"
)

// envRevealer is implemented by Inspectors that can read one environment
// value unmasked (cmd/procbox's does; a fake may not). The inspector asks for
// one value at a time, only when the user presses the reveal key.
type envRevealer interface {
	RevealEnv(pid int, name string) (string, error)
}

// The inspector's tabs, in the order of the 1-8 keys.
const (
	tabOverview = iota
	tabFiles
	tabEnv
	tabMemory
	tabRegisters
	tabNamespaces
	tabCgroups
	tabSecurity
	numTabs
)

var tabNames = [numTabs]string{"Overview", "Files", "Env", "Memory", "Registers", "Namespaces", "cgroups", "Security"}

// snapshotMsg is one read of the inspected process.
type snapshotMsg struct {
	to   *Model
	gen  int
	snap inspect.Snapshot
	err  error
}

// tickMsg asks the inspector to read the process again.
type tickMsg struct {
	to  *Model
	gen int
}

// chainMsg is the parent chain, read once per parent.
type chainMsg struct {
	to    *Model
	ppid  int
	chain []chainLink
	err   error
}

// chainLink is one ancestor of the inspected process.
type chainLink struct {
	pid  int
	comm string
}

// revealMsg carries one unmasked environment value.
type revealMsg struct {
	to    *Model
	name  string
	value string
	err   error
}

// Model shows one process, live, in eight tabs.
type Model struct {
	deps   common.Deps
	styles common.Styles
	keys   common.KeyMap
	pid    int

	snap     *inspect.Snapshot // the last good read; kept when the process exits
	readAt   time.Time
	err      error // the last read's error, when it failed
	exited   bool
	chain    []chainLink
	chainFor int // the PPID the chain was read for
	chainErr error

	tab       int
	offsets   [numTabs]int
	envCursor int
	revealed  string // the one environment variable shown unmasked
	revealVal string
	revealErr error

	find  search
	vp    viewport.Model // draws the scrolled lines of every tab but Env's rows
	whole string         // the environment variable shown whole (enter on its row)
	// tabFirst is the first tab the last tab bar showed (narrow windows).
	tabFirst int

	active bool
	gen    int
	height int // content rows of the last View
	width  int // columns of the last View
}

func New(d common.Deps, pid int) *Model {
	return &Model{deps: d, styles: d.Styles, keys: common.DefaultKeyMap(), pid: pid, active: true, chainFor: -1, vp: viewport.New()}
}

// snapshotCmd reads the process off the event loop.
func snapshotCmd(to *Model, gen int, in common.Inspector, pid int) tea.Cmd {
	return func() tea.Msg {
		if in == nil {
			return snapshotMsg{to: to, gen: gen, err: common.ErrNoInspector}
		}
		s, err := in.Snapshot(pid)
		return snapshotMsg{to: to, gen: gen, snap: s, err: err}
	}
}

// chainCmd reads the names of the ancestors of ppid up to PID 1 from one scan
// of the process table.
func chainCmd(to *Model, in common.Inspector, ppid int) tea.Cmd {
	return func() tea.Msg {
		if in == nil {
			return chainMsg{to: to, ppid: ppid, err: common.ErrNoInspector}
		}
		rows, err := in.Table()
		if err != nil {
			return chainMsg{to: to, ppid: ppid, err: err}
		}
		byPID := make(map[int]inspect.ProcRow, len(rows))
		for _, r := range rows {
			byPID[r.PID] = r
		}
		var chain []chainLink
		for pid := ppid; pid > 0 && len(chain) < 64; {
			r, ok := byPID[pid]
			if !ok {
				chain = append(chain, chainLink{pid: pid, comm: "?"})
				break
			}
			chain = append(chain, chainLink{pid: pid, comm: r.Comm})
			if r.PPID == pid {
				break
			}
			pid = r.PPID
		}
		return chainMsg{to: to, ppid: ppid, chain: chain}
	}
}

// revealCmd reads one environment value unmasked.
func revealCmd(to *Model, in common.Inspector, pid int, name string) tea.Cmd {
	return func() tea.Msg {
		r, ok := in.(envRevealer)
		if !ok {
			return revealMsg{to: to, name: name, err: errors.New("revealing values is not supported here")}
		}
		v, err := r.RevealEnv(pid, name)
		return revealMsg{to: to, name: name, value: v, err: err}
	}
}

func (s *Model) Init() tea.Cmd { return snapshotCmd(s, s.gen, s.deps.Inspector, s.pid) }

func (s *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StylesMsg:
		s.styles = msg.Styles
	case tea.WindowSizeMsg:
		s.height = max(common.BodyHeight(msg.Height)-inspectorContentTop-1, 1)
	case common.ActiveMsg:
		s.active = msg.Active
		if msg.Active && !s.exited {
			s.gen++
			return s, snapshotCmd(s, s.gen, s.deps.Inspector, s.pid)
		}
	case snapshotMsg:
		if msg.to != s {
			return s, nil
		}
		return s, s.gotSnapshot(msg)
	case tickMsg:
		if msg.to != s || msg.gen != s.gen || !s.active || s.exited {
			return s, nil
		}
		return s, snapshotCmd(s, s.gen, s.deps.Inspector, s.pid)
	case chainMsg:
		if msg.to == s && msg.ppid == s.chainFor {
			s.chain, s.chainErr = msg.chain, msg.err
		}
	case revealMsg:
		if msg.to == s && msg.name == s.revealed {
			s.revealVal, s.revealErr = msg.value, msg.err
		}
	case tea.KeyPressMsg:
		return s, s.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			s.scroll(-3)
		case tea.MouseWheelDown:
			s.scroll(3)
		}
	case tea.MouseClickMsg:
		if msg.Y == inspectorTabRow {
			if t := tabAt(msg.X, s.tabFirst); t >= 0 {
				s.tab = t
			}
		} else if s.tab == tabEnv {
			i := s.offsets[tabEnv] + msg.Y - inspectorContentTop - envHeaderLines
			if i >= 0 && i < len(s.envNames()) {
				s.envCursor = i
			}
		}
	}
	return s, nil
}

// gotSnapshot stores a read and schedules the next one.
func (s *Model) gotSnapshot(msg snapshotMsg) tea.Cmd {
	var cmds []tea.Cmd
	switch {
	case msg.err == nil:
		snap := msg.snap
		s.snap, s.err = &snap, nil
		s.readAt = s.deps.Clock.Now()
		if snap.PPID != s.chainFor {
			s.chainFor = snap.PPID
			cmds = append(cmds, chainCmd(s, s.deps.Inspector, snap.PPID))
		}
	case errors.Is(msg.err, inspect.ErrGone):
		// The process is gone: keep the last view and stop reading.
		s.exited, s.err = true, nil
		return nil
	default:
		s.err = msg.err
	}
	if msg.gen == s.gen && s.active {
		// The next read happens in the timer's own goroutine: one message a
		// second instead of a tick and then a result, so one redraw, not two.
		gen, in, pid := s.gen, s.deps.Inspector, s.pid
		cmds = append(cmds, common.TickCmd(s.deps.Clock, common.RefreshEvery, func(time.Time) tea.Msg {
			snap, err := in.Snapshot(pid)
			return snapshotMsg{to: s, gen: gen, snap: snap, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

// key handles the inspector's keys.
func (s *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if s.find.typing {
		s.searchKey(msg)
		return nil
	}
	switch {
	case key.Matches(msg, s.keys.Search):
		s.find.typing, s.find.input = true, ""
	case key.Matches(msg, s.keys.NextHit):
		s.jump(1)
	case key.Matches(msg, s.keys.PrevHit):
		s.jump(-1)
	case s.tab == tabEnv && s.whole == "" && key.Matches(msg, s.keys.Whole):
		if names := s.envNames(); len(names) > 0 {
			s.whole = names[min(s.envCursor, len(names)-1)]
			s.offsets[tabEnv] = 0
		}
	case key.Matches(msg, s.keys.HalfUp):
		s.move(-max(s.height/2, 1))
	case key.Matches(msg, s.keys.HalfDown):
		s.move(max(s.height/2, 1))
	case key.Matches(msg, s.keys.NextTab):
		s.setTab((s.tab + 1) % numTabs)
	case key.Matches(msg, s.keys.PrevTab):
		s.setTab((s.tab + numTabs - 1) % numTabs)
	case key.Matches(msg, s.keys.TabNum):
		s.setTab(int(msg.String()[0] - '1'))
	case s.tab == tabEnv && key.Matches(msg, s.keys.Reveal):
		return s.toggleReveal()
	case key.Matches(msg, s.keys.Up):
		s.move(-1)
	case key.Matches(msg, s.keys.Down):
		s.move(1)
	case key.Matches(msg, s.keys.PageUp):
		s.move(-max(s.height-1, 1))
	case key.Matches(msg, s.keys.PageDown):
		s.move(max(s.height-1, 1))
	case key.Matches(msg, s.keys.Top):
		s.move(-1 << 30)
	case key.Matches(msg, s.keys.Bottom):
		s.move(1 << 30)
	}
	return nil
}

// setTab shows tab t (closing a value shown whole).
func (s *Model) setTab(t int) {
	s.tab, s.whole = t, ""
	s.find.note, s.find.line = "", -1
}

// Back lets Esc close a value shown whole, or a search, before it leaves.
func (s *Model) Back(msg tea.KeyPressMsg) bool {
	if msg.String() != "esc" {
		return false
	}
	switch {
	case s.whole != "":
		s.whole = ""
		s.move(0)
		return true
	case s.find.query != "":
		s.find.query, s.find.note = "", ""
		return true
	}
	return false
}

// toggleReveal shows the value under the cursor unmasked, or hides it again.
// Only one value is ever revealed at a time.
func (s *Model) toggleReveal() tea.Cmd {
	names := s.envNames()
	if len(names) == 0 {
		return nil
	}
	name := names[min(s.envCursor, len(names)-1)]
	if s.revealed == name {
		s.revealed, s.revealVal, s.revealErr = "", "", nil
		return nil
	}
	s.revealed, s.revealVal, s.revealErr = name, "", nil
	return revealCmd(s, s.deps.Inspector, s.pid, name)
}

// move moves the cursor (Env tab) or scrolls (every other tab).
func (s *Model) move(n int) {
	if s.tab == tabEnv && s.whole == "" {
		names := s.envNames()
		s.envCursor = min(max(s.envCursor+n, 0), max(len(names)-1, 0))
		h := max(s.height-envHeaderLines, 1)
		off := &s.offsets[tabEnv]
		if s.envCursor < *off {
			*off = s.envCursor
		}
		if s.envCursor >= *off+h {
			*off = s.envCursor - h + 1
		}
		return
	}
	s.scroll(n)
}

// scroll moves the current tab's view by n lines, kept in range by View.
func (s *Model) scroll(n int) {
	o := s.offsets[s.tab] + n
	s.offsets[s.tab] = min(max(o, 0), 1<<20)
}

// envNames is the environment's names in order.
func (s *Model) envNames() []string {
	if s.snap == nil {
		return nil
	}
	names := make([]string, 0, len(s.snap.Env))
	for k := range s.snap.Env {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Layout of the inspector's body, in rows.
const (
	inspectorTabRow     = 2 // pid line, verdict line, then the tabs
	inspectorContentTop = 3
	envHeaderLines      = 2 // the Env tab's own title and warning lines
)

// tabAt is the tab under column x of the tab bar, or -1, counting from
// the first tab shown (first) after the ‹ that says some are hidden.
func tabAt(x, first int) int {
	pos := 0
	if first > 0 {
		pos = 2
	}
	for i, n := range tabNames[first:] {
		i += first
		w := common.CellWidth(n) + 2 // TabActive/TabIdle pad one cell each side
		if x >= pos && x < pos+w {
			return i
		}
		pos += w + 1
	}
	return -1
}

func (s *Model) View(w, h int) string {
	st := s.styles
	contentH := max(h-inspectorContentTop-1, 1)
	s.height, s.width = contentH, w
	var out []string
	out = append(out, s.headerLine(w), s.verdictLine(w), s.tabBar(w))

	var lines []string
	switch {
	case s.snap == nil && s.err != nil:
		lines = []string{st.Bad.Render("Cannot read process " + strconv.Itoa(s.pid) + ": " + s.err.Error())}
		if errors.Is(s.err, inspect.ErrDenied) {
			lines = append(lines, st.Subtle.Render("Run procbox as root, or as the same user as the process."))
		}
	case s.snap == nil && s.exited:
		lines = []string{st.Bad.Render("Process " + strconv.Itoa(s.pid) + " does not exist (or exited).")}
	case s.snap == nil:
		lines = []string{st.Subtle.Render("reading /proc/" + strconv.Itoa(s.pid) + "…")}
	default:
		lines = s.tabLines(w)
	}

	if s.tab == tabEnv && s.snap != nil && s.whole == "" {
		// The Env tab keeps its title and warning fixed and scrolls the rows.
		head, rows := lines[:envHeaderLines], lines[envHeaderLines:]
		off := min(s.offsets[tabEnv], max(len(rows)-(contentH-envHeaderLines), 0))
		s.offsets[tabEnv] = off
		out = append(out, head...)
		out = append(out, window(rows, off, contentH-envHeaderLines)...)
	} else {
		// Every other tab is a bubbles viewport over the tab's lines; the
		// offset per tab is kept here so each tab remembers where it was.
		s.vp.SetWidth(w)
		s.vp.SetHeight(contentH)
		cut := make([]string, len(lines))
		for i, l := range lines {
			cut[i] = common.Truncate(l, w) // a cut line ends in …, as everywhere
		}
		s.vp.SetContentLines(cut)
		s.vp.SetYOffset(s.offsets[s.tab])
		s.offsets[s.tab] = s.vp.YOffset()
		out = append(out, strings.Split(s.vp.View(), "\n")...)
	}
	for len(out) < inspectorContentTop+contentH {
		out = append(out, "")
	}
	out = append(out, s.footerLine(w))
	for i, l := range out {
		out[i] = common.Truncate(l, w)
	}
	return strings.Join(out, "\n")
}

// window is lines[off:off+h], clamped.
func window(lines []string, off, h int) []string {
	off = min(max(off, 0), len(lines))
	end := min(off+h, len(lines))
	return lines[off:end]
}

// headerLine is "PID 1234  sleep  S sleeping  user root".
func (s *Model) headerLine(w int) string {
	st := s.styles
	if s.snap == nil {
		return st.Title.Render("PID " + strconv.Itoa(s.pid))
	}
	sn := s.snap
	parts := []string{
		st.Title.Render("PID " + strconv.Itoa(sn.PID)),
		st.Text.Render(sn.Comm),
		st.Text.Render(sn.State + " " + stateName(sn.State)),
		st.Subtle.Render("user ") + st.Text.Render(sn.User),
	}
	if s.exited {
		// The last state read is no longer true: say exited, not "sleeping".
		parts[2] = st.Bad.Render("exited")
	}
	return strings.Join(parts, "  ")
}

// verdictLine says in one line how isolated the process is.
func (s *Model) verdictLine(w int) string {
	if s.snap == nil {
		return ""
	}
	return verdictText(s.styles, s.snap)
}

// verdictText is "plain host process" or "isolated: pid, mnt — docker 3f2a9c…".
// It never claims what was not read: when the namespaces could not be read
// and nothing else says the process is isolated, the verdict is unknown.
func verdictText(st common.Styles, sn *inspect.Snapshot) string {
	c := sn.Container
	if kernelThread(sn) {
		return st.OK.Render("kernel thread") + st.Subtle.Render(" — part of the kernel itself, not a program; never in a container")
	}
	why, unread := sn.Errors["namespaces"]
	if c.Isolation == "unknown" {
		unread = true
		if c.Why != "" {
			why = c.Why
		}
	}
	if unread && len(c.IsolatedNamespaces) == 0 {
		v := st.Warn.Render("isolation unknown") + st.Subtle.Render(" — its namespaces could not be read: "+why)
		if c.Runtime != "" {
			v = st.Warn.Render("isolation unknown") + st.Subtle.Render(" — cgroups say "+c.Runtime+"; its namespaces could not be read: "+why)
		}
		return v
	}
	if len(c.IsolatedNamespaces) == 0 && c.Runtime == "" {
		return st.OK.Render("plain host process") + st.Subtle.Render(" — shares every namespace with "+refName(sn.NSReference))
	}
	v := "isolated"
	if len(c.IsolatedNamespaces) > 0 {
		v += ": " + strings.Join(c.IsolatedNamespaces, ", ")
	}
	if c.Runtime != "" {
		v += " — " + c.Runtime
		if c.ID != "" {
			v += " " + shortID(c.ID)
		}
	}
	switch {
	case c.Pod != nil:
		v += " · pod " + c.Pod.Namespace + "/" + c.Pod.Name + " (" + c.Pod.Container + ")"
	case c.Name != "" && c.Name != c.ID:
		v += " · " + c.Name
	}
	return st.Diff.Render(v)
}

// unknownText is what a value that could not be read shows: "unknown (why)".
func unknownText(why string) string {
	if why == "" {
		return "unknown"
	}
	return "unknown " + aside(why)
}

// kernelThread reports whether sn is a kernel thread. Kernel threads run
// only kernel code: no program, no user memory, no user registers.
func kernelThread(sn *inspect.Snapshot) bool {
	return sn.KernelThread || sn.Container.Isolation == inspect.IsolationKernelThread
}

// refName is what "host" means, in a few words: "pid 1" or "procbox itself
// (pid N)" — the reference without the reason inspect gives after a colon.
func refName(ref string) string {
	if ref == "" {
		return "the host"
	}
	short, _, _ := strings.Cut(ref, ": ")
	return short
}

// aside puts a reason in parentheses, unless it ends in a parenthesis of its
// own: then a dash, so a note never ends in "policy)))".
func aside(why string) string {
	if strings.HasSuffix(why, ")") {
		return "— " + why
	}
	return "(" + why + ")"
}

// refWhy is the reason part of the reference, if any.
func refWhy(ref string) string {
	_, why, _ := strings.Cut(ref, ": ")
	return why
}

// shortID cuts a container id to its first six characters, as runtimes print them.
func shortID(id string) string {
	if len(id) <= 6 {
		return id
	}
	return id[:6] + "…"
}

// stateName spells out a one-letter process state.
func stateName(s string) string {
	switch s {
	case "R":
		return "running"
	case "S":
		return "sleeping"
	case "D":
		return "waiting on I/O"
	case "Z":
		return "zombie"
	case "T":
		return "stopped"
	case "t":
		return "traced"
	case "X":
		return "dead"
	case "I":
		return "idle"
	}
	return ""
}

// tabBar draws the eight tabs with the current one highlighted.
func (s *Model) tabBar(w int) string {
	st := s.styles
	var parts []string
	for i, n := range tabNames {
		if i == s.tab {
			parts = append(parts, st.TabActive.Render(n))
		} else {
			parts = append(parts, st.TabIdle.Render(n))
		}
	}
	// On a narrow terminal the tabs before the active one give way (‹ says
	// some are hidden), so the active tab is always on screen.
	first := 0
	marker := func(f int) int {
		if f > 0 {
			return 2 // "‹ "
		}
		return 0
	}
	for first < s.tab && common.CellWidth(strings.Join(parts[first:s.tab+1], " "))+marker(first) > w {
		first++
	}
	s.tabFirst = first
	bar := strings.Join(parts[first:], " ")
	if first > 0 {
		bar = st.Subtle.Render("‹ ") + bar
	}
	return bar
}

// stateText is the process state in words, or "exited" once it is gone
// (the last state read is not true any more).
func (s *Model) stateText() string {
	if s.exited {
		return "exited (last seen " + s.snap.State + " " + stateName(s.snap.State) + ")"
	}
	return s.snap.State + " " + stateName(s.snap.State)
}

// footerLine is the reveal warning, the exit notice, the last error, or when
// the view was read.
func (s *Model) footerLine(w int) string {
	st := s.styles
	switch {
	case s.find.typing || (s.find.query != "" && s.find.note != ""):
		return s.searchLine()
	case s.tab == tabEnv && s.revealed != "" && masked(s.snap, s.revealed):
		return st.Warn.Render("⚠ " + s.revealed + " is shown unmasked — it may be a secret. Press r to hide it.")
	case s.exited && s.snap != nil:
		return st.Bad.Render("The process exited; this is the last view read at " + s.readAt.Format("15:04:05") + ".")
	case s.err != nil && s.snap != nil:
		return st.Bad.Render("Refresh failed: " + s.err.Error())
	case s.snap != nil:
		return st.Subtle.Render("live: read every second · last " + s.readAt.Format("15:04:05"))
	}
	return ""
}

func (s *Model) ShortHelp() []key.Binding {
	b := []key.Binding{s.keys.NextTab, s.keys.Search}
	if s.tab == tabEnv {
		b = append(b, s.keys.Whole, s.keys.Reveal)
	}
	return b
}

func (s *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{s.keys.NextTab, s.keys.PrevTab, s.keys.TabNum},
		{s.keys.Up, s.keys.Down, s.keys.PageUp, s.keys.PageDown, s.keys.HalfUp, s.keys.HalfDown, s.keys.Top, s.keys.Bottom},
		{s.keys.Search, s.keys.NextHit, s.keys.PrevHit},
		{s.keys.Whole, s.keys.Reveal, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close the value / search"))},
	}
}

func (s *Model) Title() string   { return "Inspect " + strconv.Itoa(s.pid) }
func (s *Model) Capturing() bool { return s.find.typing }

// Status is "live" or "exited" in the header.
func (s *Model) Status() string {
	switch {
	case s.exited:
		return "exited"
	case s.snap != nil:
		return "live"
	}
	return ""
}

// section is a titled block of lines; a section with an entry in
// Snapshot.Errors shows the reason instead of its content.
func (s *Model) section(title string, errKeys []string, body []string) []string {
	st := s.styles
	out := []string{st.Title.Render(title)}
	for _, k := range errKeys {
		if why, ok := s.snap.Errors[k]; ok {
			out = append(out, "  "+st.Bad.Render("cannot read: "+why))
			if len(body) == 0 {
				return append(out, "")
			}
		}
	}
	for _, l := range body {
		out = append(out, "  "+l)
	}
	return append(out, "")
}

// kv is one "name   value" line with the name in a fixed column.
func (s *Model) kv(name, value string) string {
	return s.styles.Subtle.Render(fmt.Sprintf("%-12s", name)) + " " + value
}
