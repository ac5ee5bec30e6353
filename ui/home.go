package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/lessons"
	"procbox/ui/internal/common"
	"procbox/ui/lab"
	"procbox/ui/learn"
	"procbox/ui/picker"
)

// RunHome opens the TUI on the home screen.
func RunHome(d common.Deps) error {
	d = d.WithDefaults()
	return run(d, newHomeScreen(d))
}

// homeItem is one entry of the home menu.
type homeItem struct {
	name string
	what string
}

var homeItems = [...]homeItem{
	{"Learn", "a guided course: every idea shown on a live process"},
	{"Lab", "switch namespaces, cgroups, caps and seccomp on a live child"},
	{"Inspect", "any process: who it is, what it holds, how isolated it is"},
	{"Quit", "leave procbox"},
}

// doctorMsg carries the host report, read in a command.
type doctorMsg struct{ report inspect.HostReport }

// progressMsg carries the saved lesson progress.
type progressMsg struct {
	progress common.Progress
	err      error
}

// homeScreen is the menu: Learn, Lab, Inspect, Quit, the lesson to resume and
// what this host supports.
type homeScreen struct {
	deps     common.Deps
	styles   common.Styles
	keys     common.KeyMap
	cursor   int
	report   *inspect.HostReport
	progress common.Progress
	progErr  error
}

func newHomeScreen(d common.Deps) *homeScreen {
	return &homeScreen{deps: d, styles: d.Styles, keys: common.DefaultKeyMap()}
}

// doctorCmd reads what the host supports.
func doctorCmd(in common.Inspector) tea.Cmd {
	return func() tea.Msg { return doctorMsg{report: in.Doctor()} }
}

// progressCmd loads the saved lesson progress.
func progressCmd(store common.ProgressStore) tea.Cmd {
	return func() tea.Msg {
		p, err := store.Load()
		return progressMsg{progress: p, err: err}
	}
}

func (h *homeScreen) Init() tea.Cmd {
	var cmds []tea.Cmd
	if h.deps.Inspector != nil {
		cmds = append(cmds, doctorCmd(h.deps.Inspector))
	}
	if h.deps.Progress != nil {
		cmds = append(cmds, progressCmd(h.deps.Progress))
	}
	return tea.Batch(cmds...)
}

func (h *homeScreen) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StylesMsg:
		h.styles = msg.Styles
	case doctorMsg:
		r := msg.report
		h.report = &r
	case progressMsg:
		h.progress, h.progErr = msg.progress, msg.err
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, h.keys.Up):
			h.cursor = (h.cursor + len(homeItems) - 1) % len(homeItems)
		case key.Matches(msg, h.keys.Down), msg.String() == "tab":
			h.cursor = (h.cursor + 1) % len(homeItems)
		case key.Matches(msg, h.keys.Top):
			h.cursor = 0
		case key.Matches(msg, h.keys.Bottom):
			h.cursor = len(homeItems) - 1
		case key.Matches(msg, h.keys.Enter):
			return h, h.open()
		default:
			// The first letter opens an item directly: l, L, i.
			switch msg.String() {
			case "l":
				h.cursor = 0
				return h, h.open()
			case "L":
				h.cursor = 1
				return h, h.open()
			case "i":
				h.cursor = 2
				return h, h.open()
			}
		}
	case tea.MouseClickMsg:
		if i := msg.Y - h.menuTop(); i >= 0 && i < len(homeItems) {
			h.cursor = i
			return h, h.open()
		}
	}
	return h, nil
}

// menuTop is the body row of the first menu item (see View).
func (h *homeScreen) menuTop() int { return 4 }

// open opens the item under the cursor.
func (h *homeScreen) open() tea.Cmd {
	switch homeItems[h.cursor].name {
	case "Learn":
		return pushCmd(learn.New(h.deps, h.progress.Lesson, false))
	case "Lab":
		return pushCmd(lab.New(h.deps, isolate.Spec{}))
	case "Inspect":
		return pushCmd(picker.New(h.deps))
	}
	return tea.Quit
}

func (h *homeScreen) View(w, height int) string {
	st := h.styles
	var b strings.Builder
	b.WriteString("\n")
	b.WriteString("  " + st.Title.Render("procbox") + st.Subtle.Render(" — from a normal process to a container, live") + "\n")
	b.WriteString("\n")
	b.WriteString("  " + st.Subtle.Render("Open:") + "\n")
	for i, it := range homeItems {
		line := fmt.Sprintf("%-8s %s", it.name, it.what)
		if i == h.cursor {
			b.WriteString("  " + st.Selected.Render("▸ "+common.Truncate(line, w-6)) + "\n")
		} else {
			b.WriteString("    " + st.Text.Render(common.Truncate(line, w-6)) + "\n")
		}
	}
	b.WriteString("\n")
	b.WriteString("  " + h.resumeLine() + "\n")
	b.WriteString("\n")
	b.WriteString("  " + st.Title.Render("This host") + "\n")
	for _, l := range h.hostLines(w - 4) {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

// resumeLine says which lesson a learner left off at.
func (h *homeScreen) resumeLine() string {
	st := h.styles
	switch {
	case h.deps.Progress == nil:
		return st.Subtle.Render("Progress is not saved in this build.")
	case h.progErr != nil:
		return st.Warn.Render("Could not read your progress: " + h.progErr.Error())
	case h.progress.Lesson == "":
		return st.Subtle.Render("No lesson started yet: Learn begins at the first one.")
	}
	return st.OK.Render(resumeText(h.progress))
}

// resumeText names the lesson and step a learner left off at, never a step
// past the lesson's last (progress saved after the last step points there).
func resumeText(p common.Progress) string {
	for i, l := range lessons.Catalog() {
		if l.ID != p.Lesson {
			continue
		}
		n := len(l.Steps)
		switch {
		case p.Step < n:
			return fmt.Sprintf("Resume: %s step %d of %d", l.ID, p.Step+1, n)
		case i+1 < len(lessons.Catalog()):
			return fmt.Sprintf("Resume: %s is done; next is %s", l.ID, lessons.Catalog()[i+1].ID)
		}
		return "Resume: " + l.ID + " is done, and with it the course"
	}
	return fmt.Sprintf("Resume: %s step %d", p.Lesson, p.Step+1)
}

// hostLines is the status from procbox doctor: what will work here.
func (h *homeScreen) hostLines(w int) []string {
	st := h.styles
	if h.report == nil {
		return []string{st.Subtle.Render("checking…")}
	}
	r := h.report
	mark := func(ok bool, text string) string {
		if ok {
			return st.OK.Render("✓ " + text)
		}
		return st.Bad.Render("✗ " + text)
	}
	// info is a fact about the host, neither good nor bad for procbox.
	info := func(text string) string { return st.Subtle.Render("· " + text) }
	userNS := "user namespaces"
	if !r.UserNSUnpriv.Available {
		userNS = "user namespaces (root only)"
	}
	cg := "cgroup " + r.CgroupMode
	if r.CgroupMode == "" {
		cg = "cgroup unknown"
	}
	lsm := "LSM " + r.LSM
	if r.LSM == "" {
		lsm = "LSM none"
	}
	root := "root"
	if !r.Root {
		root = fmt.Sprintf("not root (uid %d)", r.UID)
	}
	items := []string{
		mark(r.Root, root),
		mark(r.CgroupMode != "" && r.CgroupMode != "none", cg),
		mark(r.UserNSUnpriv.Available || r.Root, userNS),
		mark(r.Seccomp.Available, "seccomp"),
		info(lsm),
	}
	if r.HidePID.Available {
		items = append(items, info("/proc hidepid"))
	}
	lines := packItems(items, "   ", w)
	notes := r.Notes
	if !r.Root {
		notes = append([]string{"Without root: Inspect works for your own processes; the Lab needs root."}, notes...)
	}
	for _, n := range notes {
		// A note is a sentence to read whole: wrapped at word boundaries,
		// never cut with an ellipsis.
		for _, l := range strings.Split(ansi.Wrap(n, w, ""), "\n") {
			lines = append(lines, st.Subtle.Render(common.Truncate(l, w)))
		}
	}
	return lines
}

// packItems lays items out left to right, starting a new line when the next
// one would not fit in w cells.
func packItems(items []string, sep string, w int) []string {
	var lines []string
	cur := ""
	for _, it := range items {
		switch {
		case cur == "":
			cur = it
		case common.CellWidth(cur)+common.CellWidth(sep)+common.CellWidth(it) <= w:
			cur += sep + it
		default:
			lines = append(lines, cur)
			cur = it
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func (h *homeScreen) ShortHelp() []key.Binding {
	return []key.Binding{h.keys.Up, h.keys.Down, h.keys.Enter}
}

func (h *homeScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{h.keys.Up, h.keys.Down, h.keys.Top, h.keys.Bottom, h.keys.Enter},
		{
			key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "Learn")),
			key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "Lab")),
			key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "Inspect")),
		},
	}
}

func (h *homeScreen) Title() string   { return "Home" }
func (h *homeScreen) Capturing() bool { return false }
