package lab

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/internal/units"
	"procbox/isolate"
	"procbox/ui/internal/common"
)

// errNoShell is reported when the engine cannot build a shell for the child.
var errNoShell = errors.New("the engine has no shell for this child")

// errClosed is reported for a child that finished starting after the Lab closed.
var errClosed = errors.New("the Lab was closed while the child was starting")

// focusArea is the area of the Lab that takes the arrow keys.
type focusArea int

const (
	focusSwitches focusArea = iota
	focusViews
	focusLog
	focusCount
)

// logEntry is one line of "what procbox did".
type logEntry struct {
	at   time.Time
	text string
	bad  bool // an error or a denial: drawn with Styles.Bad
}

// keyMap is every key the Lab answers to.
type keyMap struct {
	Tab, BackTab, Up, Down, Toggle, Edit, Cancel    key.Binding
	PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding
	ForkBomb, MemHog, CPUBurn, Privileged, Shell    key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Tab:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next area")),
		BackTab:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous area")),
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     common.DefaultKeyMap().PageUp,
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		HalfUp:     common.DefaultKeyMap().HalfUp,
		HalfDown:   common.DefaultKeyMap().HalfDown,
		Top:        common.DefaultKeyMap().Top,
		Bottom:     common.DefaultKeyMap().Bottom,
		Toggle:     key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")),
		Edit:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		ForkBomb:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fork bomb")),
		MemHog:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "memory hog")),
		CPUBurn:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "cpu burner")),
		Privileged: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "privileged…")),
		Shell:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "shell")),
	}
}

// expKey is one entry of the x menu (privileged actions).
type expKey struct {
	key  string
	name string
}

var privMenu = []expKey{
	{"c", isolate.ExpChown}, {"b", isolate.ExpBind80}, {"r", isolate.ExpRawSocket},
	{"o", isolate.ExpMount}, {"h", isolate.ExpHostname}, {"k", isolate.ExpKillHost},
	{"d", isolate.ExpMkdir},
}

// expLabels names experiments for people.
var expLabels = map[string]string{
	isolate.ExpForkBomb: "fork bomb", isolate.ExpMemoryHog: "memory hog", isolate.ExpCPUBurner: "cpu burner",
	isolate.ExpChown: "chown", isolate.ExpBind80: "bind port 80", isolate.ExpRawSocket: "raw socket",
	isolate.ExpMount: "mount", isolate.ExpHostname: "sethostname", isolate.ExpKillHost: "kill a host process",
	isolate.ExpMkdir: "mkdir",
}

// Model is the Lab: switches, host and child side by side, and a log.
// It is a pointer so the root's close hook and the model share one child.
type Model struct {
	d    common.Deps
	keys keyMap
	// life is cancelled by Close; commands still running then clean up
	// after themselves instead of reporting to a Lab that is gone.
	life    context.Context
	endLife context.CancelFunc

	st      settings     // what the switches say
	good    settings     // the last settings the child accepted
	applied isolate.Spec // the spec of good
	child   common.LabChild
	// childPID is the child's host PID, kept here because asking the child
	// may block (the engine answers one question at a time) and View must not.
	childPID int
	// startErr is why there is no child; a later toggle tries again.
	startErr error

	report      inspect.HostReport
	reportKnown bool
	avail       map[switchKind]map[string]switchAvail

	host, cview isolate.View
	haveViews   bool
	hostErr     string
	childErr    string
	refreshing  bool
	// cpuShare is the child cgroup's CPU use between the last two reads, in
	// CPUs; cpuAt and cpuUsed are the last read. < 0: not known yet.
	cpuShare float64
	cpuAt    time.Time
	cpuUsed  int64
	gen      int // bumped per Apply so views read before it are dropped

	busy     string // "", "starting", "applying", "experiment", "shell"
	busyWhat string
	pending  bool // the switches changed while busy: apply the latest when free

	focus     focusArea
	switches  []switchDef
	cursor    int
	subOpen   bool
	subKind   switchKind
	subCursor int
	editing   bool
	editKind  switchKind
	input     editField
	editErr   string
	expMenu   bool
	viewsTop  int
	logBack   int // lines scrolled back from the newest log entry
	spin      spinner.Model
	log       []logEntry
	steps     []isolate.Step
	lastApply time.Duration
	closed    bool
	tickArmed bool
	// inactive: another screen covers the Lab; the refresh chain idles.
	inactive bool
	// winW and winH are the body's size from the last WindowSizeMsg (0: not known).
	winW, winH int

	// The body View drew last, kept while drawn is true: Update clears it
	// on every message that may change what the Lab shows.
	quiet     bool // set by update: this message changed nothing shown
	drawn     bool
	drawnW    int
	drawnH    int
	drawnText string
}

// New builds the Lab starting from spec (the zero Spec: no isolation).

func New(d common.Deps, spec isolate.Spec) *Model {
	in := editField{limit: 128}
	st := settingsFrom(spec)
	life, end := context.WithCancel(context.Background())
	return &Model{
		life:     life,
		endLife:  end,
		d:        d,
		keys:     newKeyMap(),
		st:       st,
		good:     st.clone(),
		applied:  st.spec(),
		switches: switchRows(),
		focus:    focusSwitches,
		input:    in,
		avail:    map[switchKind]map[string]switchAvail{},
		cpuShare: -1,
		spin:     spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(d.Styles.Subtle)),
	}
}

// now reads the injected clock (tests freeze it).
func (m *Model) now() time.Time { return clockNow(m.d.Clock) }

// logf adds one line to the event log.
func (m *Model) logf(bad bool, format string, a ...any) {
	m.log = append(m.log, logEntry{at: m.now(), text: fmt.Sprintf(format, a...), bad: bad})
	if len(m.log) > 500 {
		m.log = slices.Delete(m.log, 0, len(m.log)-500)
	}
	m.logBack = 0
}

func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.d.Inspector != nil {
		cmds = append(cmds, doctorCmd(m.d.Inspector))
	}
	if m.d.Lab == nil {
		return tea.Batch(cmds...)
	}
	m.busy, m.busyWhat = "starting", "starting the child"
	cmds = append(cmds, startCmd(m.life, m.d.Lab, m.st.spec(), m.d.Clock), m.spin.Tick)
	if !m.tickArmed {
		m.tickArmed = true
		cmds = append(cmds, tickCmd(m.d.Clock))
	}
	return tea.Batch(cmds...)
}

func (m *Model) Title() string { return "Lab" }

// Capturing is true while the Lab takes letters or Esc itself: an edit field,
// a tick list or the x menu.
func (m *Model) Capturing() bool { return m.editing || m.subOpen || m.expMenu }

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.editing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")), k.Cancel}
	case m.subOpen:
		return []key.Binding{k.Up, k.Down, k.Toggle, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "done"))}
	case m.expMenu:
		return []key.Binding{k.Cancel}
	}
	return []key.Binding{k.Tab, k.Toggle, k.Edit, k.ForkBomb, k.MemHog, k.CPUBurn, k.Privileged, k.Shell}
}

func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	var priv []key.Binding
	for _, e := range privMenu {
		priv = append(priv, key.NewBinding(key.WithKeys(e.key), key.WithHelp("x "+e.key, expLabels[e.name])))
	}
	scroll := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab to log", "then ↑↓ pgup pgdn g G scroll the log"))
	return [][]key.Binding{
		{k.Tab, k.BackTab, k.Up, k.Down, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown, k.Top, k.Bottom, scroll},
		{k.Toggle, k.Edit, k.Cancel},
		{k.ForkBomb, k.MemHog, k.CPUBurn, k.Privileged, k.Shell},
		priv,
	}
}

// stoppedMsg reports that the child was stopped after the Lab closed.
type stoppedMsg struct{ err error }

// Close stops the child. The root calls it once, when the Lab is popped or the
// program ends; the blocking Stop runs in the returned command.
func (m *Model) Close() tea.Cmd {
	if m.closed {
		return nil
	}
	m.closed = true
	m.endLife()
	c := m.child
	if c == nil {
		return nil
	}
	return func() tea.Msg { return stoppedMsg{err: c.Stop()} }
}

// MinSize is the smallest window the Lab's two columns read in: below it
// the views shrink to cells like "3M … ░░░░░" that look like data but are not.
func (m *Model) MinSize() (w, h int) { return 72, 20 }

// WouldLose names the live child a quit would remove (common.Keeper).
func (m *Model) WouldLose() string {
	if m.child == nil {
		return ""
	}
	return fmt.Sprintf("the Lab's child (pid %d)", m.childPID)
}

// Status is the right side of the root's header.
func (m *Model) Status() string {
	if m.child != nil {
		return fmt.Sprintf("child %d", m.childPID)
	}
	return ""
}

// Update handles msg. Every message may change what the Lab shows, except a
// refresh tick and a refresh whose rows read the same as before: those keep
// the drawn body (see View), so an idle Lab costs no redraw.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	m.quiet = false
	s, cmd := m.update(msg)
	if !m.quiet {
		m.drawn = false
	}
	return s, cmd
}

func (m *Model) update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case spinner.TickMsg:
		if m.busy == "" {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case common.StylesMsg:
		m.d.Styles = msg.Styles
		m.spin.Style = msg.Styles.Subtle
		return m, nil
	case doctorMsg:
		m.report, m.reportKnown = msg.report, true
		m.avail = availabilityOf(msg.report, true)
		return m, nil
	case startedMsg:
		return m, m.onStarted(msg)
	case appliedMsg:
		return m, m.onApplied(msg)
	case expDoneMsg:
		return m, m.onExpDone(msg)
	case viewsMsg:
		before := m.shownRows()
		m.takeViews(msg)
		m.quiet = slices.Equal(before, m.shownRows())
		if !msg.tick {
			return m, nil
		}
		m.refreshing = false
		if m.closed {
			return m, nil
		}
		return m, m.nextRefresh(false)
	case common.ActiveMsg:
		m.inactive = !msg.Active
		return m, nil
	case tea.WindowSizeMsg:
		m.winW, m.winH = msg.Width, common.BodyHeight(msg.Height)
		return m, nil
	case shellReadyMsg:
		m.busyWhat = "in the shell"
		return m, shellCmd(msg.cmd)
	case shellDoneMsg:
		m.busy, m.busyWhat = "", ""
		if msg.err != nil {
			m.logf(true, "shell: %v", msg.err)
		} else {
			m.logf(false, "back from the shell inside the child")
		}
		return m, m.afterBusy()
	case tickMsg:
		m.quiet = true
		if m.closed {
			return m, nil
		}
		return m, m.nextRefresh(true)
	}
	return m, nil
}

// nextRefresh keeps the once-a-second refresh going. There is one chain of
// refreshes for the Lab's life (Init starts it) and each of its messages
// arms exactly the next one. While the views can be read, the read happens
// in the timer's own goroutine, so an idle Lab gets one message — one redraw
// — a second instead of a tick and then a result. While they cannot (no
// child yet, the Lab covered by another screen, a start, an apply or a shell
// under way) a bare tick waits for better times; now says the caller is
// such a tick, so a read can start at once. The views are not read either
// while they are not on screen (the log tab of a small window).
func (m *Model) nextRefresh(now bool) tea.Cmd {
	if m.child == nil || m.inactive || !m.viewsVisible() || (m.busy != "" && m.busy != "experiment") {
		return tickCmd(m.d.Clock)
	}
	m.refreshing = true
	if now {
		return viewsCmd(m.child, m.gen, m.d.Clock)
	}
	return refreshCmd(m.child, m.gen, m.d.Clock)
}

// viewsVisible: the side-by-side is on screen. In a small window the log
// tab takes the whole body, and nothing needs the views meanwhile.
func (m *Model) viewsVisible() bool {
	return m.focus != focusLog || m.winW == 0 || bigLayout(m.winW, m.winH)
}

// shownRows is what the views pane draws from the views, errors included.
func (m *Model) shownRows() []viewRow {
	if !m.haveViews {
		return nil
	}
	return append(hostProc(viewRows(m.host, m.cview, false, m.cpuShare), m.applied),
		viewRow{key: "errors", host: m.hostErr, child: m.childErr})
}

// takeViews stores a refresh unless an Apply happened since it was asked.
func (m *Model) takeViews(v viewsMsg) {
	if !v.requested || v.gen != m.gen {
		return
	}
	m.host, m.cview, m.haveViews = v.host, v.child, true
	m.noteCPU(v)
	m.hostErr, m.childErr = "", ""
	if v.hostErr != nil {
		m.hostErr = v.hostErr.Error()
	}
	if v.childErr != nil {
		m.childErr = v.childErr.Error()
	}
}

// noteCPU turns two reads of the cgroup's CPU time into a share of one CPU.
func (m *Model) noteCPU(v viewsMsg) {
	used := v.host.Limits.CPUUsageUsec
	if v.at.IsZero() || v.hostErr != nil {
		return
	}
	if !m.cpuAt.IsZero() && v.at.After(m.cpuAt) && used >= m.cpuUsed {
		// Reads closer than a tenth of a second say more about timing
		// than about the child; keep the last share.
		if dt := v.at.Sub(m.cpuAt); dt >= 100*time.Millisecond {
			m.cpuShare = float64(used-m.cpuUsed) / float64(dt.Microseconds())
		} else {
			return
		}
	} else if used < m.cpuUsed {
		m.cpuShare = -1 // a new cgroup (the child was re-created)
	}
	m.cpuAt, m.cpuUsed = v.at, used
}

func (m *Model) onStarted(msg startedMsg) tea.Cmd {
	m.busy, m.busyWhat = "", ""
	if msg.err != nil {
		m.startErr = msg.err
		m.logf(true, "could not start the child: %v", msg.err)
		// Go back to what last worked, so the switches match reality.
		m.st = m.good.clone()
		m.pending = false
		return nil
	}
	if m.closed {
		// The Lab was closed while the child was starting.
		return stopCmd(msg.child)
	}
	m.child, m.childPID, m.startErr = msg.child, msg.pid, nil
	m.good, m.applied = settingsFrom(msg.spec), msg.spec
	m.steps = msg.steps
	msg.views.gen = m.gen // a start answers whatever came before it
	m.takeViews(msg.views)
	m.logf(false, "started the child, pid %d (%s)", msg.pid, specText(msg.spec))
	return m.afterBusy()
}

func (m *Model) onApplied(msg appliedMsg) tea.Cmd {
	m.busy, m.busyWhat = "", ""
	m.lastApply = msg.elapsed
	m.steps = msg.steps
	if msg.pid > 0 {
		m.childPID = msg.pid
	}
	if msg.err != nil {
		m.logf(true, "could not apply %s: %v", specText(msg.spec), msg.err)
		if !m.pending {
			m.st = m.good.clone()
		}
		if msg.change.Recreate && !m.closed {
			// The old child was already gone when the new one failed to
			// start: bring back a child with the last switches that worked.
			old := m.child
			m.child, m.haveViews = nil, false
			m.pending = false
			m.st = m.good.clone()
			m.logf(false, "starting a child again with the last switches that worked")
			m.busy, m.busyWhat = "starting", "starting the child"
			return tea.Batch(stopCmd(old), startCmd(m.life, m.d.Lab, m.good.spec(), m.d.Clock), m.spin.Tick)
		}
		m.takeViews(msg.views)
		return m.afterBusy()
	}
	m.good, m.applied = msg.settings.clone(), msg.spec
	m.takeViews(msg.views)
	ch := msg.change
	what := ch.What
	switch {
	case ch.Recreate:
		if what == "" {
			what = "re-created the child"
		}
		line := fmt.Sprintf("%s (pid %d → %d)", what, ch.OldPID, ch.NewPID)
		if ch.Why != "" {
			line += ": " + ch.Why
		}
		m.logf(false, "%s", line)
	case what != "":
		if ch.Why != "" {
			what += ": " + ch.Why
		}
		m.logf(false, "%s", what)
	default:
		m.logf(false, "nothing to change")
	}
	return m.afterBusy()
}

func (m *Model) onExpDone(msg expDoneMsg) tea.Cmd {
	m.busy, m.busyWhat = "", ""
	m.takeViews(msg.views)
	label := expLabels[msg.name]
	if label == "" {
		label = msg.name
	}
	if msg.err != nil {
		m.logf(true, "%s: could not run: %v", label, msg.err)
	} else {
		var limits *isolate.CgroupStats
		if msg.views.requested && msg.views.childErr == nil {
			limits = &msg.views.child.Limits
		}
		text, bad := outcomeText(label, causeInForce(msg.outcome, m.applied, limits), m.applied)
		m.logf(bad, "%s", text)
	}
	return m.afterBusy()
}

// afterBusy starts the Apply that waited while something else ran.
func (m *Model) afterBusy() tea.Cmd {
	if m.pending && !m.closed {
		return m.applyNow()
	}
	return nil
}

// specText sums a Spec up in a few words for the log.
func specText(s isolate.Spec) string {
	var parts []string
	if len(s.Namespaces) > 0 {
		parts = append(parts, "ns "+strings.Join(s.Namespaces, ","))
	}
	if s.Hostname != "" {
		parts = append(parts, "hostname "+s.Hostname)
	}
	if s.MemoryMax > 0 {
		parts = append(parts, "mem "+units.Short(s.MemoryMax))
	}
	if s.PidsMax > 0 {
		parts = append(parts, fmt.Sprintf("pids %d", s.PidsMax))
	}
	if s.CPUMax > 0 {
		parts = append(parts, "cpu "+cPUText(s.CPUMax))
	}
	if len(s.DropCaps) > 0 {
		parts = append(parts, fmt.Sprintf("drop %d caps", len(s.DropCaps)))
	}
	if len(s.Seccomp) > 0 {
		parts = append(parts, fmt.Sprintf("deny %d syscalls", len(s.Seccomp)))
	}
	if len(parts) == 0 {
		return "no isolation"
	}
	return strings.Join(parts, ", ")
}

// changed is called after the switches changed: apply now, or as soon as the
// running operation ends (only the latest settings are applied).
func (m *Model) changed() tea.Cmd {
	if m.d.Lab == nil || m.closed {
		return nil
	}
	if m.busy != "" {
		m.pending = true
		return nil
	}
	if m.child == nil {
		// The first start failed; try again with the new switches.
		m.busy, m.busyWhat = "starting", "starting the child"
		return tea.Batch(startCmd(m.life, m.d.Lab, m.st.spec(), m.d.Clock), m.spin.Tick)
	}
	return m.applyNow()
}

// applyNow sends the current switches to the child.
func (m *Model) applyNow() tea.Cmd {
	m.pending = false
	if m.child == nil {
		return m.changed()
	}
	m.gen++
	m.busy, m.busyWhat = "applying", "applying "+specText(m.st.spec())
	return tea.Batch(applyCmd(m.child, m.st.clone(), m.gen, m.d.Clock), m.spin.Tick)
}

// runExperiment starts one experiment unless the Lab is busy.
func (m *Model) runExperiment(name string) tea.Cmd {
	label := expLabels[name]
	switch {
	case m.child == nil:
		m.logf(true, "%s: there is no child to run it in", label)
		return nil
	case m.busy != "":
		m.logf(true, "%s: wait, still %s", label, m.busyWhat)
		return nil
	}
	m.busy, m.busyWhat = "experiment", "running "+label
	return tea.Batch(expCmd(m.child, name, m.gen, m.d.Clock), m.spin.Tick)
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case m.editing:
		return m.onEditKey(msg)
	case m.subOpen:
		return m.onSubKey(msg)
	case m.expMenu:
		m.expMenu = false
		if key.Matches(msg, k.Cancel, k.Privileged) {
			return nil
		}
		for _, e := range privMenu {
			if msg.String() == e.key {
				return m.runExperiment(e.name)
			}
		}
		m.logf(true, "x %s: not an action (c b r o h k d)", msg.String())
		return nil
	}
	switch {
	case key.Matches(msg, k.Tab):
		m.focus = (m.focus + 1) % focusCount
	case key.Matches(msg, k.BackTab):
		m.focus = (m.focus + focusCount - 1) % focusCount
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.page())
	case key.Matches(msg, k.PageDown):
		m.move(m.page())
	case key.Matches(msg, k.HalfUp):
		m.move(-max(m.page()/2, 1))
	case key.Matches(msg, k.HalfDown):
		m.move(max(m.page()/2, 1))
	case key.Matches(msg, k.Top):
		m.move(-1 << 20)
	case key.Matches(msg, k.Bottom):
		m.move(1 << 20)
	case key.Matches(msg, k.Toggle), key.Matches(msg, k.Edit):
		if m.focus != focusSwitches {
			m.focus = focusSwitches
			return nil
		}
		return m.activate(key.Matches(msg, k.Toggle))
	case key.Matches(msg, k.ForkBomb):
		return m.runExperiment(isolate.ExpForkBomb)
	case key.Matches(msg, k.MemHog):
		return m.runExperiment(isolate.ExpMemoryHog)
	case key.Matches(msg, k.CPUBurn):
		return m.runExperiment(isolate.ExpCPUBurner)
	case key.Matches(msg, k.Privileged):
		if m.child == nil {
			m.logf(true, "there is no child to run it in")
			return nil
		}
		m.expMenu = true
	case key.Matches(msg, k.Shell):
		switch {
		case m.child == nil:
			m.logf(true, "shell: there is no child")
		case m.busy != "":
			m.logf(true, "shell: wait, still %s", m.busyWhat)
		default:
			m.busy, m.busyWhat = "shell", "opening a shell in the child"
			return shellPrepCmd(m.child)
		}
	}
	return nil
}

// move handles up/down in the focused area.
// page is how far a page key moves: about the body's height.
func (m *Model) page() int { return max(m.winH-6, 4) }

func (m *Model) move(d int) {
	switch m.focus {
	case focusSwitches:
		m.cursor = min(max(m.cursor+d, 0), len(m.switches)-1)
	case focusViews:
		m.viewsTop = min(max(m.viewsTop+d, 0), len(m.shownRows()))
	case focusLog:
		m.logBack = min(max(m.logBack-d, 0), max(len(m.log)-1, 0))
	}
}

// available reports whether a switch may be turned on here, and why not.
func (m *Model) available(sw switchDef) switchAvail {
	if a, ok := m.avail[sw.kind][sw.ns]; ok {
		return a
	}
	if need := needs(sw.kind); need != "" {
		if a, ok := m.avail[swNS][need]; ok && !a.ok {
			return switchAvail{why: "needs a " + need + " namespace: " + a.why}
		}
	}
	return switchAvail{ok: true}
}

// activate is Space or Enter on the switch under the cursor.
func (m *Model) activate(space bool) tea.Cmd {
	sw := m.switches[m.cursor]
	a := m.available(sw)
	if isToggle(sw.kind) {
		on := m.toggleState(sw)
		if !on && !a.ok {
			m.logf(true, "%s: not available here: %s", sw.label, a.why)
			return nil
		}
		m.st = m.st.clone()
		switch sw.kind {
		case swNS:
			m.st.ns[sw.ns] = !on
			m.userFirst(sw.ns, !on)
		case swMapRoot:
			m.st.mapRoot = !on
			m.needNS(sw)
		case swVeth:
			m.st.veth = !on
			m.needNS(sw)
		}
		return m.changed()
	}
	if !a.ok {
		m.logf(true, "%s: not available here: %s", sw.label, a.why)
		return nil
	}
	switch sw.kind {
	case swCaps:
		// The cursor starts on the first capability: row 0 ("all") drops
		// every one of them and is never the first thing a key should hit.
		m.subOpen, m.subKind, m.subCursor = true, sw.kind, 1
		return nil
	case swSeccomp:
		m.subOpen, m.subKind, m.subCursor = true, sw.kind, 0
		return nil
	}
	m.editing, m.editKind, m.editErr = true, sw.kind, ""
	m.input.SetValue(m.editValue(sw.kind))
	return nil
}

// userFirst turns on a user namespace (with root mapped) when someone without
// root asks for another namespace: only inside a user namespace of its own may
// an unprivileged process create the others.
func (m *Model) userFirst(ns string, on bool) {
	if !on || ns == isolate.NSUser || !m.reportKnown || m.report.Root || m.st.ns[isolate.NSUser] {
		return
	}
	m.st.ns[isolate.NSUser] = true
	m.st.mapRoot = true
	m.logf(false, "without root, a user namespace comes first: turned user (and map root) on for %s", ns)
}

// toggleState is the current on/off of a toggle switch.
func (m *Model) toggleState(sw switchDef) bool {
	switch sw.kind {
	case swNS:
		return m.st.ns[sw.ns]
	case swMapRoot:
		return m.st.mapRoot
	case swVeth:
		return m.st.veth
	}
	return false
}

// needNS turns on the namespace a value needs, and says so: a hostname without
// a uts namespace would rename the host, so the Lab never sends one.
func (m *Model) needNS(sw switchDef) {
	if !m.switchOn(sw) {
		return
	}
	for _, need := range needsAll(sw.kind) {
		if m.st.ns[need] {
			continue
		}
		m.st.ns[need] = true
		m.logf(false, "%s needs a %s namespace: turned %s on", sw.label, need, need)
		m.userFirst(need, true)
	}
}

// switchOn reports whether a value switch holds a value that means something.
func (m *Model) switchOn(sw switchDef) bool {
	switch sw.kind {
	case swHostname:
		return m.st.hostname != ""
	case swMapRoot:
		return m.st.mapRoot
	case swRootfs:
		return m.st.rootfs != ""
	case swVeth:
		return m.st.veth
	case swTimeOffset:
		return m.st.timeOffset != 0
	}
	return false
}

// editValue is the text an edit field opens with.
func (m *Model) editValue(k switchKind) string {
	switch k {
	case swHostname:
		return m.st.hostname
	case swMem:
		if m.st.memMax > 0 {
			return units.Short(m.st.memMax)
		}
	case swPids:
		if m.st.pidsMax > 0 {
			return fmt.Sprint(m.st.pidsMax)
		}
	case swCPU:
		if m.st.cpuMax > 0 {
			return cPUText(m.st.cpuMax)
		}
	case swRootfs:
		return m.st.rootfs
	case swTimeOffset:
		if m.st.timeOffset != 0 {
			return duration(m.st.timeOffset)
		}
	}
	return ""
}

func (m *Model) onEditKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.editing, m.editErr = false, ""
		return nil
	case key.Matches(msg, m.keys.Edit):
		return m.commitEdit()
	}
	if m.input.Update(msg) {
		m.editErr = ""
	}
	return nil
}

// commitEdit validates the edit field; an error stays on screen, inline.
func (m *Model) commitEdit() tea.Cmd {
	v := m.input.Value()
	st := m.st.clone()
	var err error
	switch m.editKind {
	case swHostname:
		st.hostname, err = parseHostname(v)
	case swMem:
		st.memMax, err = parseSize(v)
	case swPids:
		st.pidsMax, err = parsePids(v)
	case swCPU:
		st.cpuMax, err = parseCPU(v)
	case swRootfs:
		st.rootfs, err = parseRootfs(v)
	case swTimeOffset:
		st.timeOffset, err = parseOffset(v)
	}
	if err != nil {
		m.editErr = err.Error()
		return nil
	}
	m.editing, m.editErr = false, ""
	m.st = st
	for _, sw := range m.switches {
		if sw.kind == m.editKind {
			m.needNS(sw)
		}
	}
	return m.changed()
}

// subItems are the entries of the open tick list, with their ticked state.
func (m *Model) subItems() (labels []string, ticked []bool) {
	if m.subKind == swCaps {
		labels = append(labels, fmt.Sprintf("all %d capabilities", len(allCaps())))
		ticked = append(ticked, hasAll(m.st.dropCaps, allCaps()))
		for _, c := range capChoices {
			labels = append(labels, c)
			ticked = append(ticked, slices.Contains(m.st.dropCaps, c))
		}
		return labels, ticked
	}
	for _, c := range seccompChoices() {
		label := c.label
		if len(c.syscalls) > 1 || c.syscalls[0] != c.label {
			label += " (" + strings.Join(c.syscalls, ",") + ")"
		}
		labels = append(labels, label)
		ticked = append(ticked, hasAll(m.st.seccomp, c.syscalls))
	}
	return labels, ticked
}

func (m *Model) onSubKey(msg tea.KeyPressMsg) tea.Cmd {
	labels, _ := m.subItems()
	switch {
	case key.Matches(msg, m.keys.Cancel), key.Matches(msg, m.keys.Edit), msg.String() == "q":
		// Enter confirms (the ticks are applied as they are made), as esc does.
		m.subOpen = false
	case key.Matches(msg, m.keys.Up):
		m.subCursor = max(m.subCursor-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.subCursor = min(m.subCursor+1, len(labels)-1)
	case key.Matches(msg, m.keys.Toggle):
		m.st = m.st.clone()
		if m.subKind == swCaps {
			m.tickCap(m.subCursor)
		} else {
			m.tickSeccomp(m.subCursor)
		}
		return m.changed()
	}
	return nil
}

// tickCap flips entry i of the capability list (0 is "all").
func (m *Model) tickCap(i int) {
	if i == 0 {
		if hasAll(m.st.dropCaps, allCaps()) {
			m.st.dropCaps = nil
		} else {
			m.st.dropCaps = slices.Clone(allCaps())
		}
		return
	}
	c := capChoices[i-1]
	if j := slices.Index(m.st.dropCaps, c); j >= 0 {
		m.st.dropCaps = slices.Delete(m.st.dropCaps, j, j+1)
	} else {
		m.st.dropCaps = append(m.st.dropCaps, c)
	}
}

// tickSeccomp flips entry i of the seccomp list (all its syscalls together).
func (m *Model) tickSeccomp(i int) {
	c := seccompChoices()[i]
	if hasAll(m.st.seccomp, c.syscalls) {
		m.st.seccomp = slices.DeleteFunc(m.st.seccomp, func(s string) bool { return slices.Contains(c.syscalls, s) })
		return
	}
	for _, s := range c.syscalls {
		if !slices.Contains(m.st.seccomp, s) {
			m.st.seccomp = append(m.st.seccomp, s)
		}
	}
}
