package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// errNotBuilt is returned when a screen's constructor is still a placeholder.
var errNotBuilt = errors.New("this screen is not available in this build")

// notBuiltText is what the UI says when a constructor returns nil.
const notBuiltText = "not available in this build"

// pushMsg asks the root to open a new screen on top of the current one.
type pushMsg struct{ s screen }

// pushCmd returns a command that opens s.
func pushCmd(s screen) tea.Cmd { return func() tea.Msg { return pushMsg{s: s} } }

// renderFPS caps how often the terminal is redrawn. The renderer wakes this
// many times a second even when nothing changed; on the 2-core VM tea's
// default of 60 alone cost ~0.6% of a core idle, 15 cost ~0.25%, 10 ~0.15%,
// 5 ~0.08%. 10 is the lowest rate at which a keypress reaches the screen
// within 100 ms, the Lab's promise for a toggle; 5 would halve the idle cost
// but let a key wait up to 200 ms, which people notice.
const renderFPS = 10

// headerHeight and footerHeight are the rows the root keeps for itself.
const (
	headerHeight = 1
	footerHeight = 1
)

// bodyHeight is the rows a screen gets in a window h rows high.
func bodyHeight(h int) int { return max(h-headerHeight-footerHeight, 0) }

// stackEntry is one open screen with the id the close tracker knows it by.
type stackEntry struct {
	id int
	s  screen
}

// rootModel owns the window, the header, the help line, the ? overlay and the
// stack of screens. Screens only draw the body they are given.
type rootModel struct {
	deps     Deps
	styles   Styles
	keys     KeyMap
	help     help.Model
	stack    []stackEntry
	width    int
	height   int
	showHelp bool
	flash    string
	open     *openScreens
}

// newRoot builds the root with s as the first screen.
func newRoot(d Deps, s screen) rootModel {
	d = d.WithDefaults()
	m := rootModel{
		deps:   d,
		styles: d.Styles,
		keys:   DefaultKeyMap(),
		help:   help.New(),
		open:   &openScreens{entries: map[int]screen{}, closing: map[int]*pendingClose{}},
	}
	m.help.Styles = helpStyles(d.Styles)
	id := m.open.add(s)
	m.stack = []stackEntry{{id: id, s: s}}
	return m
}

// helpStyles maps our Styles onto the bubbles help widget.
func helpStyles(s Styles) help.Styles {
	return help.Styles{
		Ellipsis:       s.Subtle,
		ShortKey:       s.Key,
		ShortDesc:      s.Subtle,
		ShortSeparator: s.Subtle,
		FullKey:        s.Key,
		FullDesc:       s.Text,
		FullSeparator:  s.Subtle,
	}
}

func (m rootModel) top() screen { return m.stack[len(m.stack)-1].s }

func (m rootModel) Init() tea.Cmd {
	// The background colour query answers with a BackgroundColorMsg; until it
	// does we draw with the dark styles cmd/procbox picked.
	return tea.Batch(tea.RequestBackgroundColor, m.top().Init())
}

// Update handles msg. A panic in a screen ends the program with one line
// naming the screen (run returns it as an error) instead of tea's stack dump;
// the screens are still closed.
func (m rootModel) Update(msg tea.Msg) (out tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			m.open.setFatal(fmt.Errorf("internal error in the %s screen: %v", m.top().Title(), r))
			out, cmd = m, tea.Quit
		}
	}()
	return m.update(msg)
}

func (m rootModel) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m.broadcast(msg)

	case tea.BackgroundColorMsg:
		if m.styles.NoColor {
			return m, nil
		}
		ns := NewStyles(msg.IsDark(), false)
		ns.Presenter = m.styles.Presenter
		m.styles = ns
		m.help.Styles = helpStyles(ns)
		return m.broadcast(stylesMsg{Styles: ns})

	case tea.KeyPressMsg:
		return m.handleKey(msg)

	case tea.MouseMsg:
		if m.showHelp {
			return m, nil
		}
		return m.updateTop(shiftMouse(msg, headerHeight))

	case backMsg:
		return m.pop()

	case pushMsg:
		return m.push(msg.s)

	case flashMsg:
		m.flash = msg.Text
		return m, nil
	}
	// Everything else (results of commands, ticks) goes to every screen: a
	// screen under the top may still be waiting for its own answer. Screens
	// tag their messages so they ignore the ones that are not theirs.
	return m.broadcast(msg)
}

// handleKey applies the global keys, then hands the key to the top screen.
func (m rootModel) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.Quit) {
		return m, tea.Quit
	}
	m.flash = ""
	if m.showHelp {
		if key.Matches(msg, m.keys.Help, m.keys.Back) {
			m.showHelp = false
		}
		return m, nil
	}
	if !m.top().Capturing() {
		switch {
		case key.Matches(msg, m.keys.Help):
			m.showHelp = true
			return m, nil
		case key.Matches(msg, m.keys.Back):
			if b, ok := m.top().(backer); ok && b.Back(msg) {
				return m, nil
			}
			return m.pop()
		}
	}
	return m.updateTop(msg)
}

// updateTop sends msg to the top screen only (keys and mouse).
func (m rootModel) updateTop(msg tea.Msg) (tea.Model, tea.Cmd) {
	i := len(m.stack) - 1
	s, cmd := m.stack[i].s.Update(msg)
	m.setScreen(i, s)
	return m, cmd
}

// broadcast sends msg to every open screen, bottom first.
func (m rootModel) broadcast(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	stack := make([]stackEntry, len(m.stack))
	copy(stack, m.stack)
	m.stack = stack
	for i := range m.stack {
		s, cmd := m.stack[i].s.Update(msg)
		m.setScreen(i, s)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// setScreen replaces the screen at i (screens may return a new value from
// Update) and tells the close tracker about it.
func (m *rootModel) setScreen(i int, s screen) {
	if s == nil {
		return
	}
	m.stack[i].s = s
	m.open.set(m.stack[i].id, s)
}

// push opens s on top. A nil screen (a constructor that is still a placeholder)
// becomes a message instead of a crash.
func (m rootModel) push(s screen) (tea.Model, tea.Cmd) {
	if s == nil {
		m.flash = notBuiltText
		return m, nil
	}
	stack := make([]stackEntry, len(m.stack), len(m.stack)+1)
	copy(stack, m.stack)
	m.stack = stack
	i := len(m.stack) - 1
	under, c1 := m.stack[i].s.Update(activeMsg{Active: false})
	m.setScreen(i, under)
	id := m.open.add(s)
	m.stack = append(m.stack, stackEntry{id: id, s: s})
	var c2 tea.Cmd
	if m.width > 0 {
		// The new screen has not seen the window size yet.
		var s2 screen
		s2, c2 = s.Update(tea.WindowSizeMsg{Width: m.width, Height: m.height})
		m.setScreen(len(m.stack)-1, s2)
	}
	return m, tea.Batch(c1, m.top().Init(), c2)
}

// pop closes the top screen; popping the last one quits.
func (m rootModel) pop() (tea.Model, tea.Cmd) {
	if len(m.stack) == 1 {
		// The last screen is closed after the program ends (see run), so a
		// quit by key, by signal or by panic all take the same road.
		return m, tea.Quit
	}
	last := m.stack[len(m.stack)-1]
	m.stack = append([]stackEntry(nil), m.stack[:len(m.stack)-1]...)
	closeCmd := m.open.closeOne(last.id)
	i := len(m.stack) - 1
	s, cmd := m.stack[i].s.Update(activeMsg{Active: true})
	m.setScreen(i, s)
	return m, tea.Batch(closeCmd, cmd)
}

func (m rootModel) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("internal error drawing the %s screen: %v", m.top().Title(), r)
			m.open.setFatal(err)
			v = tea.NewView(err.Error() + " — press ctrl+c")
			v.AltScreen = true
		}
	}()
	v = tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "procbox"
	return v
}

// render draws the whole window as a string: header, body, help line.
func (m rootModel) render() string {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return ""
	}
	top := m.top()
	bodyH := h - headerHeight - footerHeight
	if bodyH < 0 {
		bodyH = 0
	}
	var body string
	if m.showHelp {
		body = m.fullHelp(w, bodyH)
	} else {
		body = top.View(w, bodyH)
	}
	parts := []string{m.header(w), fitBlock(body, w, bodyH)}
	if h > headerHeight {
		parts = append(parts, m.footer(w))
	}
	return fitBlock(strings.Join(parts, "\n"), w, h)
}

// header is the title bar: "procbox › Title" on the left, the status on the right.
func (m rootModel) header(w int) string {
	top := m.top()
	left := " procbox › " + top.Title()
	right := m.flash
	if right == "" {
		if st, ok := top.(statuser); ok {
			right = st.Status()
		}
	}
	if right != "" {
		right += " "
	}
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	var line string
	if gap < 1 {
		line = ansi.Truncate(left+" "+right, w, "…")
	} else {
		line = left + strings.Repeat(" ", gap) + right
	}
	line = padRight(line, w)
	return m.styles.Header.UnsetPadding().Render(line)
}

// globalBindings are the keys the root itself answers.
func (m rootModel) globalBindings() []key.Binding {
	return []key.Binding{m.keys.Help, m.keys.Back, m.keys.Quit}
}

// footer is the short help of the top screen plus the global keys.
func (m rootModel) footer(w int) string {
	if m.showHelp {
		return m.help.ShortHelpView([]key.Binding{
			key.NewBinding(key.WithKeys("?"), key.WithHelp("?/esc", "close help")),
			m.keys.Quit,
		})
	}
	b := append(append([]key.Binding{}, m.top().ShortHelp()...), m.globalBindings()...)
	return m.help.ShortHelpView(b)
}

// fullHelp is the ? overlay: every binding of the top screen, then the global keys.
func (m rootModel) fullHelp(w, h int) string {
	groups := append(append([][]key.Binding{}, m.top().FullHelp()...), m.globalBindings())
	title := m.styles.Title.Render("Keys — " + m.top().Title())
	hm := m.help
	hm.SetWidth(w - 2)
	var cols []string
	// Columns side by side while they fit, then a new band below.
	var bands []string
	width := 0
	for _, g := range groups {
		col := hm.FullHelpView([][]key.Binding{g})
		cw := lipgloss.Width(col) + 4
		if width+cw > w-2 && len(cols) > 0 {
			bands = append(bands, lipgloss.JoinHorizontal(lipgloss.Top, cols...))
			cols, width = nil, 0
		}
		cols = append(cols, lipgloss.NewStyle().PaddingRight(4).Render(col))
		width += cw
	}
	if len(cols) > 0 {
		bands = append(bands, lipgloss.JoinHorizontal(lipgloss.Top, cols...))
	}
	content := title + "\n\n" + strings.Join(bands, "\n\n")
	lines := strings.Split(content, "\n")
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return strings.Join(lines, "\n")
}

// shiftMouse moves a mouse event up by dy rows, so screens see coordinates
// relative to their own body.
func shiftMouse(msg tea.MouseMsg, dy int) tea.Msg {
	switch ev := msg.(type) {
	case tea.MouseClickMsg:
		ev.Y -= dy
		return ev
	case tea.MouseReleaseMsg:
		ev.Y -= dy
		return ev
	case tea.MouseWheelMsg:
		ev.Y -= dy
		return ev
	case tea.MouseMotionMsg:
		ev.Y -= dy
		return ev
	}
	return msg
}

// openScreens remembers every screen that may still need closing. It outlives
// the program so run can close what is left even after a panic or a signal.
type openScreens struct {
	mu      sync.Mutex
	fatal   error // the first panic caught in a screen
	next    int
	entries map[int]screen
	closing map[int]*pendingClose
}

// pendingClose is the command a popped screen's Close returned; it runs once,
// either from the program or from run's final sweep, whichever comes first.
type pendingClose struct {
	once sync.Once
	cmd  tea.Cmd
	msg  tea.Msg
}

func (p *pendingClose) run() tea.Msg {
	p.once.Do(func() {
		if p.cmd != nil {
			p.msg = p.cmd()
		}
	})
	return p.msg
}

func (o *openScreens) setFatal(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fatal == nil {
		o.fatal = err
	}
}

func (o *openScreens) fatalErr() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.fatal
}

func (o *openScreens) add(s screen) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.next++
	o.entries[o.next] = s
	return o.next
}

func (o *openScreens) set(id int, s screen) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.entries[id]; ok {
		o.entries[id] = s
	}
}

// closeOne calls Close on a popped screen and returns a command that runs
// what Close returned.
func (o *openScreens) closeOne(id int) tea.Cmd {
	o.mu.Lock()
	s, ok := o.entries[id]
	delete(o.entries, id)
	o.mu.Unlock()
	if !ok {
		return nil
	}
	c, ok := s.(closer)
	if !ok {
		return nil
	}
	cmd := c.Close()
	if cmd == nil {
		return nil
	}
	p := &pendingClose{cmd: cmd}
	o.mu.Lock()
	o.closing[id] = p
	o.mu.Unlock()
	return func() tea.Msg {
		msg := p.run()
		o.mu.Lock()
		delete(o.closing, id)
		o.mu.Unlock()
		return msg
	}
}

// closeAll closes, synchronously, every screen still open and finishes every
// close still under way. It is safe to call more than once.
func (o *openScreens) closeAll() {
	o.mu.Lock()
	ids := make([]int, 0, len(o.entries))
	for id := range o.entries {
		ids = append(ids, id)
	}
	pending := make([]*pendingClose, 0, len(o.closing))
	for _, p := range o.closing {
		pending = append(pending, p)
	}
	o.mu.Unlock()
	// Newest first: a screen opened on top of another may depend on it.
	slices.Sort(ids)
	for i := len(ids) - 1; i >= 0; i-- {
		if cmd := o.closeOne(ids[i]); cmd != nil {
			cmd()
		}
	}
	for _, p := range pending {
		p.run()
	}
}

// run starts the root model with s as its first screen and returns when the
// user quits. Whatever ends the program — q, Ctrl-C, SIGTERM, the context in
// Deps being cancelled (cmd/procbox cancels it on SIGHUP), a panic — every
// screen that is still open is closed before run returns.
func run(d Deps, s screen) error { return runWith(d, s) }

// runWith is run with extra program options (tests give it pipes instead of
// a terminal).
func runWith(d Deps, s screen, opts ...tea.ProgramOption) error {
	if s == nil {
		return errNotBuilt
	}
	m := newRoot(d, s)
	defer m.open.closeAll()
	ctx := d.Context
	if ctx == nil {
		ctx = context.Background()
	}
	opts = append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(renderFPS)}, opts...)
	p := tea.NewProgram(m, opts...)
	_, err := p.Run()
	if fatal := m.open.fatalErr(); fatal != nil {
		return fatal
	}
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted):
		return nil
	case ctx.Err() != nil:
		// Cancelled from outside (a hang-up): not a failure of procbox.
		return nil
	}
	return err
}
