package learn

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/lessons"
	"procbox/ui/internal/common"
)

// keyMap are the lesson player's bindings; one value feeds Update and help.
type keyMap struct {
	Next, Prev, Enter, Act, DIY, Check, Hint, Notes, Reset, Panel, Up, Down, PageUp, PageDown key.Binding
	HalfUp, HalfDown, Top, Bottom                                                             key.Binding
	Answer                                                                                    key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		HalfUp:   common.DefaultKeyMap().HalfUp,
		HalfDown: common.DefaultKeyMap().HalfDown,
		Top:      common.DefaultKeyMap().Top,
		Bottom:   common.DefaultKeyMap().Bottom,
		Next:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next step")),
		Prev:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous step")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next, once passed")),
		Act:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "do the step's action")),
		DIY:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "do it yourself in a shell")),
		Check:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check")),
		Hint:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hint")),
		Notes:    key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "speaker notes")),
		Reset:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reset the demo child")),
		Panel:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "text / live panel")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space"), key.WithHelp("pgdn", "page down")),
		Answer:   key.NewBinding(key.WithKeys("a", "b", "c", "d"), key.WithHelp("a-d", "answer")),
	}
}

// Messages of the lesson player. Each carries the generation it was asked
// for: a step change bumps gen, so a late answer about an old step is dropped.
type (
	progressMsg struct {
		p   common.Progress
		err error
	}
	doctorMsg  struct{ report inspect.HostReport }
	startedMsg struct {
		gen   int
		child common.LabChild
		took  time.Duration
		err   error
	}
	liveMsg struct {
		gen   int
		state lessons.State
		err   error
	}
	actedMsg struct {
		gen    int
		res    ActionResult
		state  lessons.State
		chain  []string
		err    error
		before lessons.State
	}
	tickMsg  struct{ gen int }
	savedMsg struct{ err error }
	shellMsg struct {
		gen int
		err error
	}
	// The do-it-yourself path: the shell is ready, the learner left it, and
	// what procbox saw of it while it ran.
	diyReadyMsg struct {
		gen  int
		cmd  *exec.Cmd
		done func() isolate.ShellTrace
		err  error
	}
	diyExitedMsg struct {
		gen  int
		done func() isolate.ShellTrace
	}
	diyTraceMsg struct {
		gen   int
		trace isolate.ShellTrace
	}
)

// childBox holds the demo child where both the screen and its commands can
// reach it. Close may run while a start is still under way; whoever comes
// second stops the child, so it never outlives the screen.
type childBox struct {
	mu     sync.Mutex
	child  common.LabChild
	closed bool
}

// put stores c, or stops it at once when the screen is already closed.
func (b *childBox) put(c common.LabChild) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		_ = c.Stop()
		return false
	}
	b.child = c
	return true
}

// take closes the box and hands back the child to stop.
func (b *childBox) take() common.LabChild {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	c := b.child
	b.child = nil
	return c
}

// Model is the lesson player: text, live panel, action, check, quiz.
type Model struct {
	deps      common.Deps
	styles    common.Styles
	keys      keyMap
	presenter bool
	course    []lessons.Lesson

	li, si int // lesson and step; si == len(Steps) is the lesson's quiz
	qi     int // quiz question
	answer map[int]int

	progress    common.Progress
	loaded      bool
	wantLesson  string
	lessonStart time.Time

	box   *childBox
	child common.LabChild
	gen   int
	// toolsWarned is the gen of the step whose missing tools s last named:
	// the next s on that step opens the shell anyway.
	toolsWarned int
	busy        string // what a command is doing right now ("starting the demo child")
	startErr    error
	startDur    time.Duration
	doctor      inspect.HostReport

	live     lessons.State // refreshed once a second
	liveErr  error
	before   *lessons.State // state when the learner acted, nil until then
	acted    *actedMsg
	result   *lessons.Result
	showHint bool
	recap    bool                // past the last lesson: the recap screen
	done     bool                // past the lesson's last question: its score
	shell    *isolate.ShellTrace // what the learner's own shell did on this step (s)
	via      string              // the path that passed the step now on screen
	notes    bool
	noNotes  bool // N was pressed where there are no speaker notes (a quiz page)
	showLive bool // narrow layouts: the live panel instead of the text
	scroll   int
	saveErr  error
	width    int
	height   int

	textKey   string   // what textCache was rendered for
	textCache []string // the step's markdown, rendered
}

// New opens the player on lesson (the saved one when empty).
func New(d common.Deps, lesson string, presenter bool) *Model {
	if d.Clock == nil {
		d.Clock = common.SystemClock{}
	}
	if presenter {
		// A projector: high contrast, no colour, and no secret ever shown.
		d.ShowSecrets = false
	}
	s := &Model{
		deps:       d,
		keys:       newKeyMap(),
		presenter:  presenter,
		course:     lessons.Catalog(),
		answer:     map[int]int{},
		box:        &childBox{},
		wantLesson: lesson,
		progress:   common.Progress{Completed: map[string]bool{}},
	}
	s.styles = s.styleFor(d.Styles)
	if i := s.lessonIndex(lesson); i >= 0 {
		s.li = i
	}
	s.lessonStart = d.Clock.Now()
	return s
}

// styleFor is the root's styles, or the monochrome set in presenter mode.
func (s *Model) styleFor(st common.Styles) common.Styles {
	if s.presenter {
		st = common.PresenterStyles()
	}
	return st
}

func (s *Model) lessonIndex(id string) int {
	for i, l := range s.course {
		if l.ID == id {
			return i
		}
	}
	return -1
}

func (s *Model) lesson() lessons.Lesson { return s.course[s.li] }

// step returns the current step; ok is false on the quiz page.
func (s *Model) step() (lessons.Step, bool) {
	l := s.lesson()
	if s.si < len(l.Steps) {
		return l.Steps[s.si], true
	}
	return lessons.Step{}, false
}

func (s *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{}
	if s.deps.Progress != nil {
		store := s.deps.Progress
		cmds = append(cmds, func() tea.Msg {
			p, err := store.Load()
			return progressMsg{p: p, err: err}
		})
	} else {
		s.loaded = true
		cmds = append(cmds, s.enterStep())
	}
	if s.deps.Inspector != nil {
		in := s.deps.Inspector
		cmds = append(cmds, func() tea.Msg { return doctorMsg{report: in.Doctor()} })
	}
	return tea.Batch(append(cmds, s.clockCmd())...)
}

// clockMsg redraws the lesson's countdown; one chain for the screen's life,
// child or no child.
type clockMsg struct{ to *Model }

// clockCmd arms the next second of the countdown.
func (s *Model) clockCmd() tea.Cmd {
	return common.TickCmd(s.deps.Clock, time.Second, func(time.Time) tea.Msg { return clockMsg{to: s} })
}

// Close stops the demo child. The root calls it when the screen goes away.
func (s *Model) Close() tea.Cmd {
	c := s.box.take()
	s.child = nil
	if c == nil {
		return nil
	}
	return func() tea.Msg {
		_ = c.Stop()
		return nil
	}
}

func (s *Model) Title() string {
	t := "Learn"
	if s.presenter {
		t += " (presenter)"
	}
	return t
}

func (s *Model) Capturing() bool { return false }

// Status is shown at the right of the header.
func (s *Model) Status() string {
	switch {
	case s.deps.Lab == nil:
		return "no live child"
	case s.busy != "":
		return s.busy
	case s.child != nil:
		return fmt.Sprintf("child %d", s.child.PID())
	}
	return ""
}

func (s *Model) ShortHelp() []key.Binding {
	if s.done || s.recap {
		return []key.Binding{s.keys.Next, s.keys.Prev}
	}
	if _, ok := s.step(); !ok {
		return []key.Binding{s.keys.Answer, s.keys.Next, s.keys.Prev}
	}
	b := []key.Binding{s.keys.Act}
	if st, _ := s.step(); st.DIY != nil {
		b = append(b, s.keys.DIY)
	}
	b = append(b, s.keys.Check, s.keys.Hint, s.keys.Next, s.keys.Prev)
	if s.width > 0 && s.width < wideLayout {
		b = append(b, s.keys.Panel)
	}
	return b
}

func (s *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{s.keys.Act, s.keys.DIY, s.keys.Check, s.keys.Hint, s.keys.Enter, s.keys.Next, s.keys.Prev},
		{s.keys.Answer, s.keys.Panel, s.keys.Up, s.keys.Down, s.keys.PageUp, s.keys.PageDown, s.keys.HalfUp, s.keys.HalfDown, s.keys.Top, s.keys.Bottom},
		{s.keys.Notes, s.keys.Reset},
	}
}

func (s *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.width, s.height = msg.Width, msg.Height
	case common.StylesMsg:
		s.styles = s.styleFor(msg.Styles)
		s.textKey = "" // colours changed: render the text again
	case doctorMsg:
		s.doctor = msg.report
	case progressMsg:
		return s, s.onProgress(msg)
	case savedMsg:
		s.saveErr = msg.err
	case startedMsg:
		return s, s.onStarted(msg)
	case liveMsg:
		if msg.gen == s.gen {
			s.live, s.liveErr = msg.state, msg.err
			s.live.StartDuration = s.startDur
		}
	case clockMsg:
		if msg.to != s {
			return s, nil
		}
		return s, s.clockCmd()
	case tickMsg:
		if msg.gen != s.gen || s.child == nil {
			return s, nil
		}
		cmds := []tea.Cmd{s.tickCmd()}
		if s.busy == "" {
			cmds = append(cmds, s.liveCmd())
		}
		return s, tea.Batch(cmds...)
	case actedMsg:
		return s, s.onActed(msg)
	case shellMsg:
		if msg.gen == s.gen {
			s.busy = ""
			return s, s.actCmd()
		}
	case diyReadyMsg:
		return s, s.onDIYReady(msg)
	case diyExitedMsg:
		// Stopping the watch takes a last sample: not in Update.
		return s, func() tea.Msg { return diyTraceMsg{gen: msg.gen, trace: msg.done()} }
	case diyTraceMsg:
		return s, s.onDIYTrace(msg)
	case tea.KeyPressMsg:
		return s, s.onKey(msg)
	}
	return s, nil
}

// onProgress resumes where the learner left off, unless a lesson was asked for.
func (s *Model) onProgress(msg progressMsg) tea.Cmd {
	s.loaded = true
	s.saveErr = msg.err
	if msg.err == nil {
		s.progress = msg.p
		if s.progress.Completed == nil {
			s.progress.Completed = map[string]bool{}
		}
	}
	resume := s.wantLesson == "" || s.wantLesson == s.progress.Lesson
	if resume {
		if i := s.lessonIndex(s.progress.Lesson); i >= 0 {
			s.li = i
			s.si = min(max(s.progress.Step, 0), len(s.lesson().Steps))
		}
	}
	return s.enterStep()
}

// enterStep bumps the generation and gets the demo child into the step's
// starting spec: started the first time, changed in place (or re-created by
// the engine) afterwards.
func (s *Model) enterStep() tea.Cmd {
	s.gen++
	s.before, s.acted, s.result, s.showHint = nil, nil, nil, false
	s.shell, s.via = nil, ""
	s.scroll = 0
	s.showLive = false
	s.qi = 0
	save := s.saveCmd()
	st, ok := s.step()
	if !ok || s.deps.Lab == nil {
		return save
	}
	spec := st.StartSpec()
	gen, lab, clock, box, child := s.gen, s.deps.Lab, s.deps.Clock, s.box, s.child
	if child != nil && sameSpec(child.Spec(), spec) {
		return tea.Batch(save, s.liveCmd(), s.tickCmd())
	}
	s.busy = "starting the demo child…"
	return tea.Batch(save, func() tea.Msg {
		t0 := clock.Now()
		if child != nil {
			if _, err := child.Apply(spec); err != nil {
				return startedMsg{gen: gen, child: child, err: err}
			}
			return startedMsg{gen: gen, child: child, took: clock.Now().Sub(t0)}
		}
		c, err := lab.Start(spec)
		if err != nil {
			return startedMsg{gen: gen, err: err}
		}
		took := clock.Now().Sub(t0)
		if !box.put(c) {
			return nil // the screen closed while the child started; put stopped it
		}
		return startedMsg{gen: gen, child: c, took: took}
	})
}

func (s *Model) onStarted(msg startedMsg) tea.Cmd {
	if msg.child != nil {
		s.child = msg.child
	}
	if msg.gen != s.gen {
		return nil
	}
	s.busy = ""
	s.startErr = msg.err
	if msg.err != nil {
		if s.child == nil {
			return nil
		}
		// The old child still runs: keep its panel live while saying why the
		// step's own spec could not be applied.
		return tea.Batch(s.liveCmd(), s.tickCmd())
	}
	s.startDur = msg.took
	return tea.Batch(s.liveCmd(), s.tickCmd())
}

// tickCmd refreshes the live panel once a second.
func (s *Model) tickCmd() tea.Cmd {
	gen := s.gen
	return common.TickCmd(s.deps.Clock, common.RefreshEvery, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// liveCmd reads the state for the live panel.
func (s *Model) liveCmd() tea.Cmd {
	if s.child == nil {
		return nil
	}
	gen, in, child, doctor := s.gen, s.deps.Inspector, s.child, s.doctor
	return func() tea.Msg {
		st, err := GatherState(in, child, doctor)
		return liveMsg{gen: gen, state: st, err: err}
	}
}

// actCmd performs the step's action, then gathers the state the check reads.
func (s *Model) actCmd() tea.Cmd {
	st, ok := s.step()
	if !ok || s.child == nil {
		return nil
	}
	before := s.live
	before.StartDuration = s.startDur
	gen, in, child, doctor, clock := s.gen, s.deps.Inspector, s.child, s.doctor, s.deps.Clock
	wantChain := s.lesson().ID == "process" && st.ID == "pid"
	s.busy = st.Action.Label + "…"
	return func() tea.Msg {
		res, err := PerformAction(st, child, clock)
		if err != nil {
			return actedMsg{gen: gen, res: res, err: err, before: before}
		}
		state, gerr := GatherState(in, child, doctor)
		msg := actedMsg{gen: gen, res: res, state: state, err: gerr, before: before}
		if wantChain && in != nil {
			msg.chain = parentChain(in, child.PID())
		}
		return msg
	}
}

// parentChain follows PPIDs from pid up to PID 1 ("4242 sleep", "4100 procbox", …).
func parentChain(in common.Inspector, pid int) []string {
	var chain []string
	for i := 0; pid > 0 && i < 16; i++ {
		sn, err := in.Snapshot(pid)
		if err != nil {
			chain = append(chain, fmt.Sprintf("%d ?", pid))
			break
		}
		chain = append(chain, fmt.Sprintf("%d %s", sn.PID, sn.Comm))
		pid = sn.PPID
	}
	return chain
}

func (s *Model) onActed(msg actedMsg) tea.Cmd {
	if msg.gen != s.gen {
		return nil
	}
	s.busy = ""
	m := msg
	s.acted = &m
	if msg.res.Took > 0 && msg.res.Change != nil && msg.res.Change.Recreate {
		s.startDur = msg.res.Took
	}
	if msg.err != nil && msg.state.Child.PID == 0 {
		r := lessons.Result{Missing: msg.err.Error()}
		s.result = &r
		return nil
	}
	s.live, s.liveErr = msg.state, msg.err
	s.live.StartDuration = s.startDur
	b := msg.before
	s.before = &b
	if !s.presenter && s.width > 0 && s.width < wideLayout {
		s.showLive = true // show the effect; presenter mode moves nothing on its own
	}
	return s.runCheck()
}

// checkState is the live state plus what the learner's action produced.
func (s *Model) checkState() lessons.State {
	st := s.live
	st.Doctor = s.doctor
	st.StartDuration = s.startDur
	st.Before = s.before
	st.Shell = s.shell
	if s.acted != nil {
		if o := s.acted.res.Outcome; o != nil {
			st.Outcomes = append(st.Outcomes, *o)
		}
		st.Registers = s.acted.res.Registers
	}
	return st
}

// runCheck evaluates the step and saves progress when it passed.
func (s *Model) runCheck() tea.Cmd {
	st, ok := s.step()
	if !ok {
		return nil
	}
	r := st.Evaluate(s.checkState())
	s.result = &r
	if r.Passed {
		s.passed(st, lessons.PathShow)
		return s.saveCmd()
	}
	return nil
}

// check is c: it checks again the path the learner took on this step. A
// by-hand-only step has no demo of its own, and a step passed in the
// learner's shell was not passed by the demo: both re-read what the shell
// did, and say to press s when there is nothing yet.
func (s *Model) check() tea.Cmd {
	st, ok := s.step()
	if !ok {
		return nil
	}
	if !st.ByHandOnly && s.via != lessons.PathShell {
		return s.runCheck()
	}
	return s.checkShell(st)
}

// checkShell evaluates the do-it-yourself check on what the learner's shell
// did on this step, and records a pass as done by hand.
func (s *Model) checkShell(st lessons.Step) tea.Cmd {
	r := st.EvaluateDIY(s.checkState())
	if st.ByHandOnly && s.shell == nil {
		r = lessons.Result{Missing: "this step is done by hand: press s for your shell and type the commands in the text", Hint: r.Hint}
	}
	s.result = &r
	if !r.Passed {
		s.via = ""
		return nil
	}
	s.passed(st, lessons.PathShell)
	return s.saveCmd()
}

// passed records step as done, and by which path.
func (s *Model) passed(st lessons.Step, path string) {
	k := lessons.Key(s.lesson().ID, st.ID)
	s.progress.Completed[k] = true
	if s.progress.Via == nil {
		s.progress.Via = map[string]string{}
	}
	s.progress.Via[k] = path
	s.via = path
}

// diy starts the do-it-yourself path: a plain shell of the learner's own,
// watched while it runs.
func (s *Model) diy() tea.Cmd {
	st, ok := s.step()
	if !ok || s.busy != "" {
		return nil
	}
	if st.DIY == nil {
		r := lessons.Result{Missing: "this step has no do-it-yourself path: press a"}
		s.result = &r
		return nil
	}
	if s.deps.Shells == nil {
		r := lessons.Result{Missing: "no shell of your own here (procbox needs Linux to watch one); press a for the demo"}
		s.result = &r
		return nil
	}
	if miss := s.missingTools(st); miss != "" && s.toolsWarned != s.gen {
		s.toolsWarned = s.gen
		r := lessons.Result{Missing: miss}
		s.result = &r
		return nil
	}
	skip := 0
	if s.child != nil {
		skip = s.child.PID()
	}
	gen, shells := s.gen, s.deps.Shells
	intro := "Your own shell for \"" + st.Title + "\". Type:\n"
	for _, c := range st.DIY.Commands {
		intro += "    " + c + "\n"
	}
	intro += "The last exit brings you back to procbox, which checks what your commands did."
	s.busy = "opening your shell…"
	return func() tea.Msg {
		cmd, done, err := shells.Shell(skip, intro)
		return diyReadyMsg{gen: gen, cmd: cmd, done: done, err: err}
	}
}

// missingTools is the one line that names the programs st's commands run
// and this host lacks, with the Debian packages to install; "" when none.
// It is short (a narrow result area cuts the end of the line) and says what
// matters first: which program, which package, then that s opens anyway.
func (s *Model) missingTools(st lessons.Step) string {
	if s.deps.HaveTool == nil {
		return ""
	}
	var names, pkgs []string
	for _, t := range st.Tools() {
		if s.deps.HaveTool(t.Name) {
			continue
		}
		names = append(names, t.Name)
		if t.Package != "" && !slices.Contains(pkgs, t.Package) {
			pkgs = append(pkgs, t.Package)
		}
	}
	if len(names) == 0 {
		return ""
	}
	line := "no " + orList(names) + " here"
	if len(pkgs) > 0 {
		line += " (Debian: apt install " + strings.Join(pkgs, " ") + ")"
	}
	return line + "; s again opens the shell anyway"
}

// orList joins "a", "a or b", "a, b or c".
func orList(w []string) string {
	if len(w) < 2 {
		return strings.Join(w, "")
	}
	return strings.Join(w[:len(w)-1], ", ") + " or " + w[len(w)-1]
}

func (s *Model) onDIYReady(msg diyReadyMsg) tea.Cmd {
	if msg.err != nil {
		s.busy = ""
		r := lessons.Result{Missing: "your shell could not start: " + msg.err.Error()}
		s.result = &r
		return nil
	}
	if msg.gen != s.gen {
		return func() tea.Msg { msg.done(); return nil } // the step changed meanwhile: stop watching
	}
	s.busy = "in your shell: type the commands, then exit"
	gen, done := msg.gen, msg.done
	return tea.ExecProcess(msg.cmd, func(error) tea.Msg { return diyExitedMsg{gen: gen, done: done} })
}

// onDIYTrace checks what the learner's shell did.
func (s *Model) onDIYTrace(msg diyTraceMsg) tea.Cmd {
	if msg.gen != s.gen {
		return nil
	}
	s.busy = ""
	st, ok := s.step()
	if !ok {
		return nil
	}
	tr := msg.trace
	s.shell = &tr
	state := s.checkState()
	state.Shell = s.shell
	r := st.EvaluateDIY(state)
	s.result = &r
	if !r.Passed {
		s.via = ""
		return s.liveCmd()
	}
	s.passed(st, lessons.PathShell)
	return tea.Batch(s.saveCmd(), s.liveCmd())
}

// saveCmd records the current place (and completions) through d.Progress.
func (s *Model) saveCmd() tea.Cmd {
	if s.deps.Progress == nil || !s.loaded {
		return nil
	}
	s.progress.Lesson, s.progress.Step = s.lesson().ID, s.si
	p := common.Progress{Lesson: s.progress.Lesson, Step: s.progress.Step, Completed: make(map[string]bool, len(s.progress.Completed)),
		Via: make(map[string]string, len(s.progress.Via))}
	for k, v := range s.progress.Completed {
		p.Completed[k] = v
	}
	for k, v := range s.progress.Via {
		p.Via[k] = v
	}
	store := s.deps.Progress
	return func() tea.Msg { return savedMsg{err: store.Save(p)} }
}

// resetCmd stops the demo child and starts a clean one with the step's spec.
func (s *Model) resetCmd() tea.Cmd {
	st, ok := s.step()
	if !ok || s.deps.Lab == nil || s.busy != "" {
		return nil
	}
	old := s.box.take()
	s.box = &childBox{}
	s.child = nil
	s.gen++
	s.before, s.acted, s.result = nil, nil, nil
	s.busy = "resetting the demo child…"
	gen, lab, clock, box, spec := s.gen, s.deps.Lab, s.deps.Clock, s.box, st.StartSpec()
	return func() tea.Msg {
		if old != nil {
			_ = old.Stop()
		}
		t0 := clock.Now()
		c, err := lab.Start(spec)
		if err != nil {
			return startedMsg{gen: gen, err: err}
		}
		took := clock.Now().Sub(t0)
		if !box.put(c) {
			return nil
		}
		return startedMsg{gen: gen, child: c, took: took}
	}
}

// go moves to lesson li, step si (clamped to the course).
func (s *Model) goTo(li, si int) tea.Cmd {
	if li < 0 {
		return nil
	}
	if li >= len(s.course) {
		s.recap = true // the end of the course: the recap screen
		return nil
	}
	s.done = false
	if li != s.li {
		s.lessonStart = s.deps.Clock.Now()
		s.answer = map[int]int{}
	}
	s.li, s.si = li, si
	return s.enterStep()
}

func (s *Model) next() tea.Cmd {
	s.noNotes = false
	if _, ok := s.step(); !ok {
		// On the quiz: next question, then the lesson's score, then the
		// next lesson. The last lesson's score is in the recap that follows.
		if s.qi < len(s.lesson().Quiz)-1 {
			s.qi++
			return nil
		}
		if !s.done && s.li < len(s.course)-1 {
			s.done = true
			return nil
		}
		return s.goTo(s.li+1, 0)
	}
	return s.goTo(s.li, s.si+1)
}

func (s *Model) prev() tea.Cmd {
	s.noNotes = false
	if s.recap {
		s.recap = false // back to the last quiz
		return nil
	}
	if s.done {
		s.done = false // back to the last question
		return nil
	}
	if _, ok := s.step(); !ok && s.qi > 0 {
		s.qi--
		return nil
	}
	if s.si > 0 {
		return s.goTo(s.li, s.si-1)
	}
	if s.li > 0 {
		return s.goTo(s.li-1, len(s.course[s.li-1].Steps))
	}
	return nil
}

func (s *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	if s.recap {
		if key.Matches(msg, k.Prev) {
			return s.prev()
		}
		return nil
	}
	if s.done {
		// The lesson's score: on to the next lesson, or back to the quiz.
		switch {
		case key.Matches(msg, k.Next), key.Matches(msg, k.Enter):
			return s.next()
		case key.Matches(msg, k.Prev):
			return s.prev()
		}
		return nil
	}
	if _, ok := s.step(); !ok {
		// The quiz page: a-d answer the question on screen.
		switch msg.String() {
		case "a", "b", "c", "d":
			q := s.lesson().Quiz[s.qi]
			if i := int(msg.String()[0] - 'a'); i < len(q.Choices) {
				if _, done := s.answer[s.qi]; !done {
					s.answer[s.qi] = i
					// The first answer counts: a question answered on an
					// earlier visit keeps its score (the page says so).
					k := lessons.Key(s.lesson().ID, fmt.Sprintf("quiz%d", s.qi+1))
					if _, before := s.progress.Completed[k]; before {
						return nil
					}
					s.progress.Completed[k] = i == q.Answer
					return s.saveCmd()
				}
			}
			return nil
		}
	}
	switch {
	case key.Matches(msg, k.Next):
		return s.next()
	case key.Matches(msg, k.Prev):
		return s.prev()
	case key.Matches(msg, k.Enter):
		if s.presenter {
			return nil // only n advances on a projector: no accidental skips
		}
		if _, ok := s.step(); !ok {
			if _, answered := s.answer[s.qi]; answered {
				return s.next()
			}
			return nil
		}
		if s.result != nil && s.result.Passed {
			return s.next()
		}
	case key.Matches(msg, k.DIY):
		return s.diy()
	case key.Matches(msg, k.Act):
		return s.act()
	case key.Matches(msg, k.Check):
		if s.busy == "" {
			return s.check()
		}
	case key.Matches(msg, k.Hint):
		s.showHint = !s.showHint
	case key.Matches(msg, k.Notes):
		if _, ok := s.step(); !ok {
			// Notes belong to steps: a quiz page says so rather than
			// flipping a toggle the next step would show reversed.
			s.noNotes = true
			return nil
		}
		s.notes = !s.notes
	case key.Matches(msg, k.Reset):
		return s.resetCmd()
	case key.Matches(msg, k.Panel):
		s.showLive = !s.showLive
	case key.Matches(msg, k.Up):
		s.scroll = max(s.scroll-1, 0)
	case key.Matches(msg, k.Down):
		s.scroll++
	case key.Matches(msg, k.PageUp):
		s.scroll = max(s.scroll-10, 0)
	case key.Matches(msg, k.PageDown):
		s.scroll += 10
	case key.Matches(msg, k.HalfUp):
		s.scroll = max(s.scroll-5, 0)
	case key.Matches(msg, k.HalfDown):
		s.scroll += 5
	case key.Matches(msg, k.Top):
		s.scroll = 0
	case key.Matches(msg, k.Bottom):
		s.scroll = 1 << 20 // the view keeps it in range
	}
	return nil
}

// act performs the step's action, unless something is already running.
func (s *Model) act() tea.Cmd {
	st, ok := s.step()
	if !ok || s.busy != "" {
		return nil
	}
	if st.ByHandOnly {
		// Nothing to show on a demo: a checks again what the shell built.
		return s.checkShell(st)
	}
	if s.child == nil {
		r := lessons.Result{Missing: "there is no live demo child: " + s.noChildReason()}
		s.result = &r
		return nil
	}
	if st.Action.Kind == lessons.ActShell {
		cmd := s.child.ShellCmd()
		if cmd == nil {
			return nil
		}
		gen := s.gen
		s.busy = "in the child's shell"
		return tea.ExecProcess(cmd, func(err error) tea.Msg { return shellMsg{gen: gen, err: err} })
	}
	return s.actCmd()
}

// noChildReason says why the live panel is empty.
func (s *Model) noChildReason() string {
	switch {
	case s.deps.Lab == nil:
		return "this procbox has no Lab engine (it needs Linux, root and the isolate package); run procbox doctor to see what this host supports"
	case s.startErr != nil:
		return "the demo child could not start: " + s.startErr.Error()
	case s.busy != "":
		return s.busy
	}
	return "the demo child is not running; press R to start a clean one"
}

// sameSpec compares two specs field by field: Spec holds slices, so == is
// out, and a nil list means the same as an empty one.
func sameSpec(a, b isolate.Spec) bool {
	return slices.Equal(a.Namespaces, b.Namespaces) && slices.Equal(a.DropCaps, b.DropCaps) &&
		slices.Equal(a.Seccomp, b.Seccomp) && a.Hostname == b.Hostname && a.MapRoot == b.MapRoot && a.MapRootTo == b.MapRootTo &&
		a.MemoryMax == b.MemoryMax && a.PidsMax == b.PidsMax && a.CPUMax == b.CPUMax &&
		a.Rootfs == b.Rootfs && a.Veth == b.Veth && a.TimeOffset == b.TimeOffset
}
