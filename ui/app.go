package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"procbox/ui/inspector"
	"procbox/ui/internal/common"
	"procbox/ui/picker"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// pushMsg asks the root to open a new screen on top of the current one.
type pushMsg struct{ s common.Screen }

// pushCmd returns a command that opens s.
func pushCmd(s common.Screen) tea.Cmd { return func() tea.Msg { return pushMsg{s: s} } }

// renderFPS caps how often the terminal is redrawn. The renderer wakes this
// many times a second even when nothing changed; on the 2-core VM tea's
// default of 60 alone cost ~0.6% of a core idle, 15 cost ~0.25%, 10 ~0.15%,
// 5 ~0.08%. 10 is the lowest rate at which a keypress reaches the screen
// within 100 ms, the Lab's promise for a toggle; 5 would halve the idle cost
// but let a key wait up to 200 ms, which people notice.
const renderFPS = 10

// stackEntry is one open screen with the id the close tracker knows it by.
type stackEntry struct {
	id int
	s  common.Screen
}

// rootModel owns the window, the header, the help line, the ? overlay and the
// stack of screens. Screens only draw the body they are given.
type rootModel struct {
	deps   common.Deps
	frame  common.Frame // header, help line, ? overlay, flash
	stack  []stackEntry
	width  int
	height int
	open   *openScreens
	// confirmQuit: q on the top screen asked whether to quit; q or y says
	// yes, any other key no (and goes no further).
	confirmQuit bool
}

// newRoot builds the root with s as the first screen.
func newRoot(d common.Deps, s common.Screen) rootModel {
	d = d.WithDefaults()
	m := rootModel{
		deps:  d,
		frame: common.NewFrame(d.Styles),
		open:  &openScreens{entries: map[int]common.Screen{}, closing: map[int]*pendingClose{}},
	}
	id := m.open.add(s)
	m.stack = []stackEntry{{id: id, s: s}}
	return m
}

func (m rootModel) top() common.Screen { return m.stack[len(m.stack)-1].s }

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
		m.frame.Help.SetWidth(msg.Width)
		return m.broadcast(msg)

	case tea.BackgroundColorMsg:
		if m.frame.Styles.NoColor {
			return m, nil
		}
		ns := common.NewStyles(msg.IsDark(), false)
		ns.Presenter = m.frame.Styles.Presenter
		m.frame.Styles = ns
		m.frame.Help.Styles = common.HelpStyles(ns)
		return m.broadcast(common.StylesMsg{Styles: ns})

	case tea.KeyPressMsg:
		return m.handleKey(msg)

	case tea.MouseMsg:
		if m.frame.ShowHelp {
			return m, nil
		}
		return m.updateTop(common.ShiftMouse(msg, common.HeaderHeight))

	case common.BackMsg:
		return m.pop()

	case pushMsg:
		return m.push(msg.s)

	// Screens never build each other: they ask, and the root opens.
	case picker.OpenMsg:
		return m.push(inspector.New(m.deps, msg.PID))

	case picker.CompareMsg:
		return m.push(inspector.NewCompare(m.deps, msg.A, msg.B))

	case common.FlashMsg:
		m.frame.Flash = msg.Text
		return m, nil
	}
	// Everything else (results of commands, ticks) goes to every screen: a
	// screen under the top may still be waiting for its own answer. Screens
	// tag their messages so they ignore the ones that are not theirs.
	return m.broadcast(msg)
}

// handleKey applies the global keys, then hands the key to the top screen.
func (m rootModel) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.frame.Keys.Quit) {
		return m, tea.Quit
	}
	confirming := m.confirmQuit
	m.confirmQuit = false
	m.frame.Flash = ""
	if confirming {
		// The answer to "quit?": q or y quits; any other key only cancels
		// and never reaches the screen (a stray key would toggle a switch
		// or start an experiment in the Lab).
		if s := msg.String(); s == "q" || s == "y" || s == "Y" {
			return m, tea.Quit
		}
		m.frame.Flash = "not quitting"
		return m, nil
	}
	if m.frame.ShowHelp {
		if key.Matches(msg, m.frame.Keys.Help, m.frame.Keys.Back) {
			m.frame.ShowHelp = false
		}
		return m, nil
	}
	if !m.top().Capturing() {
		switch {
		case key.Matches(msg, m.frame.Keys.Help):
			m.frame.ShowHelp = true
			return m, nil
		case key.Matches(msg, m.frame.Keys.Back):
			if b, ok := m.top().(common.Backer); ok && b.Back(msg) {
				return m, nil
			}
			if len(m.stack) > 1 {
				return m.pop()
			}
			// The top screen: Esc cancels or goes back, and there is no
			// back from here, so it never quits; q quits, and asks first
			// when quitting would lose something (the Lab's child).
			if msg.String() == "esc" {
				m.frame.Flash = "q quits procbox"
				return m, nil
			}
			if what := m.wouldLose(); what != "" {
				m.confirmQuit = true
				m.frame.Flash = "quit and remove " + what + "? q/y"
				return m, nil
			}
			return m, tea.Quit
		}
	}
	return m.updateTop(msg)
}

// wouldLose names what quitting now would destroy, or "" (see common.Keeper).
func (m rootModel) wouldLose() string {
	var what []string
	for _, e := range m.stack {
		if k, ok := e.s.(common.Keeper); ok {
			if w := k.WouldLose(); w != "" {
				what = append(what, w)
			}
		}
	}
	return strings.Join(what, " and ")
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
func (m *rootModel) setScreen(i int, s common.Screen) {
	if s == nil {
		return
	}
	m.stack[i].s = s
	m.open.set(m.stack[i].id, s)
}

// push opens s on top.
func (m rootModel) push(s common.Screen) (tea.Model, tea.Cmd) {
	stack := make([]stackEntry, len(m.stack), len(m.stack)+1)
	copy(stack, m.stack)
	m.stack = stack
	i := len(m.stack) - 1
	under, c1 := m.stack[i].s.Update(common.ActiveMsg{Active: false})
	m.setScreen(i, under)
	id := m.open.add(s)
	m.stack = append(m.stack, stackEntry{id: id, s: s})
	var c2 tea.Cmd
	if m.width > 0 {
		// The new screen has not seen the window size yet.
		var s2 common.Screen
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
	s, cmd := m.stack[i].s.Update(common.ActiveMsg{Active: true})
	m.setScreen(i, s)
	return m, tea.Batch(closeCmd, cmd)
}

// render draws the whole window as a string.
func (m rootModel) render() string {
	f := m.frame
	f.AtRoot = len(m.stack) == 1
	return f.Render(m.top(), m.width, m.height)
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

// openScreens remembers every screen that may still need closing. It outlives
// the program so run can close what is left even after a panic or a signal.
type openScreens struct {
	mu      sync.Mutex
	fatal   error // the first panic caught in a common.Screen
	next    int
	entries map[int]common.Screen
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

func (o *openScreens) add(s common.Screen) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.next++
	o.entries[o.next] = s
	return o.next
}

func (o *openScreens) set(id int, s common.Screen) {
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
	c, ok := s.(common.Closer)
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
func run(d common.Deps, s common.Screen) error { return runWith(d, s) }

// runWith is run with extra program options (tests give it pipes instead of
// a terminal).
func runWith(d common.Deps, s common.Screen, opts ...tea.ProgramOption) error {
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
