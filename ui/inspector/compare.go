package inspector

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/internal/units"
	"procbox/isolate"
	"procbox/ui/internal/common"
)

// pairMsg is one read of both processes.
type pairMsg struct {
	to         *Compare
	gen        int
	a, b       inspect.Snapshot
	errA, errB error
}

// compareTickMsg asks the comparison to read both processes again.
type compareTickMsg struct {
	to  *Compare
	gen int
}

// compareRow is one line of the comparison: a field and its two values.
type compareRow struct {
	field string
	a, b  string
	// unknown: one side could not be read, so the row says so and is
	// neither "same" nor "differs" (never claim what was not read).
	unknown bool
}

// Compare shows two processes' isolation side by side, with the rows
// where they differ highlighted.
type Compare struct {
	deps   common.Deps
	styles common.Styles
	keys   common.KeyMap
	pidA   int
	pidB   int

	a, b       *inspect.Snapshot
	errA, errB error
	goneA      bool
	goneB      bool

	offset     int
	onlyDiff   bool
	active     bool
	gen        int
	height     int
	keyOnlyDif key.Binding
}

func NewCompare(d common.Deps, a, b int) *Compare {
	return &Compare{
		deps: d, styles: d.Styles, keys: common.DefaultKeyMap(), pidA: a, pidB: b, active: true,
		keyOnlyDif: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "only differences")),
	}
}

// pairCmd reads both processes off the event loop.
func pairCmd(to *Compare, gen int, in common.Inspector, a, b int) tea.Cmd {
	return func() tea.Msg {
		if in == nil {
			return pairMsg{to: to, gen: gen, errA: common.ErrNoInspector, errB: common.ErrNoInspector}
		}
		sa, ea := in.Snapshot(a)
		sb, eb := in.Snapshot(b)
		return pairMsg{to: to, gen: gen, a: sa, b: sb, errA: ea, errB: eb}
	}
}

func (c *Compare) Init() tea.Cmd { return pairCmd(c, c.gen, c.deps.Inspector, c.pidA, c.pidB) }

func (c *Compare) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.StylesMsg:
		c.styles = msg.Styles
	case tea.WindowSizeMsg:
		c.height = max(common.BodyHeight(msg.Height)-3, 1)
	case common.ActiveMsg:
		c.active = msg.Active
		if msg.Active {
			c.gen++
			return c, pairCmd(c, c.gen, c.deps.Inspector, c.pidA, c.pidB)
		}
	case pairMsg:
		if msg.to != c {
			return c, nil
		}
		c.store(&c.a, &c.errA, &c.goneA, msg.a, msg.errA)
		c.store(&c.b, &c.errB, &c.goneB, msg.b, msg.errB)
		if msg.gen != c.gen || !c.active || (c.goneA && c.goneB) {
			return c, nil
		}
		gen := c.gen
		read := pairCmd(c, gen, c.deps.Inspector, c.pidA, c.pidB)
		return c, common.TickCmd(c.deps.Clock, common.RefreshEvery, func(time.Time) tea.Msg { return read() })
	case compareTickMsg:
		if msg.to == c && msg.gen == c.gen && c.active {
			return c, pairCmd(c, c.gen, c.deps.Inspector, c.pidA, c.pidB)
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, c.keys.Up):
			c.offset--
		case key.Matches(msg, c.keys.Down):
			c.offset++
		case key.Matches(msg, c.keys.PageUp):
			c.offset -= max(c.height-1, 1)
		case key.Matches(msg, c.keys.PageDown):
			c.offset += max(c.height-1, 1)
		case key.Matches(msg, c.keys.HalfUp):
			c.offset -= max(c.height/2, 1)
		case key.Matches(msg, c.keys.HalfDown):
			c.offset += max(c.height/2, 1)
		case key.Matches(msg, c.keys.Top):
			c.offset = 0
		case key.Matches(msg, c.keys.Bottom):
			c.offset = 1 << 20
		case key.Matches(msg, c.keyOnlyDif):
			c.onlyDiff = !c.onlyDiff
			c.offset = 0
		}
		c.offset = max(c.offset, 0)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			c.offset = max(c.offset-3, 0)
		case tea.MouseWheelDown:
			c.offset += 3
		}
	}
	return c, nil
}

// store keeps a read; a process that exits keeps its last snapshot.
func (c *Compare) store(dst **inspect.Snapshot, dstErr *error, gone *bool, s inspect.Snapshot, err error) {
	switch {
	case err == nil:
		*dst, *dstErr = &s, nil
	case errors.Is(err, inspect.ErrGone):
		*gone = true
	default:
		*dstErr = err
	}
}

// compareRows lists the isolation-relevant fields of two snapshots.
func compareRows(a, b *inspect.Snapshot) []compareRow {
	var rows []compareRow
	// addFrom adds a row read from section errKey of each snapshot: a side
	// whose section could not be read shows "unknown (why)".
	addFrom := func(field, errKey string, f func(*inspect.Snapshot) string) {
		r := compareRow{field: field}
		side := func(s *inspect.Snapshot) string {
			if why, ok := s.Errors[errKey]; ok && errKey != "" {
				r.unknown = true
				return unknownText(why)
			}
			return f(s)
		}
		r.a, r.b = side(a), side(b)
		rows = append(rows, r)
	}
	add := func(field string, f func(*inspect.Snapshot) string) { addFrom(field, "", f) }
	add("command", func(s *inspect.Snapshot) string { return s.Comm })
	add("user", func(s *inspect.Snapshot) string { return s.User })
	addFrom("container", "namespaces", func(s *inspect.Snapshot) string {
		if kernelThread(s) {
			return "kernel thread"
		}
		if s.Container.Runtime == "" && len(s.Container.IsolatedNamespaces) == 0 {
			return "plain host process"
		}
		if s.Container.Runtime == "" {
			// Own namespaces but no runtime's mark: a sandbox (unshare,
			// a procbox child), named by what it isolates.
			return "isolated: " + strings.Join(s.Container.IsolatedNamespaces, ",")
		}
		return strings.TrimSpace(s.Container.Runtime + " " + shortID(s.Container.ID))
	})
	kinds := map[string]bool{}
	if _, ok := a.Errors["namespaces"]; ok {
		for _, k := range isolate.AllNamespaces {
			kinds[k] = true // unread is not absent: each kind shows unknown
		}
	}
	if _, ok := b.Errors["namespaces"]; ok {
		for _, k := range isolate.AllNamespaces {
			kinds[k] = true
		}
	}
	for k := range a.Namespaces {
		kinds[k] = true
	}
	for k := range b.Namespaces {
		kinds[k] = true
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(x, y string) int { return nsRank(x) - nsRank(y) })
	for _, k := range ks {
		addFrom("ns "+k, "namespaces", func(s *inspect.Snapshot) string {
			ns, ok := s.Namespaces[k]
			if !ok {
				return "—"
			}
			return strconv.FormatUint(ns.Inode, 10)
		})
	}
	addFrom("uid map", "uid_map", func(s *inspect.Snapshot) string { return mapShort(s.UIDMap) })
	addFrom("gid map", "gid_map", func(s *inspect.Snapshot) string { return mapShort(s.GIDMap) })
	addFrom("cgroups", "cgroups", func(s *inspect.Snapshot) string {
		var p []string
		for _, c := range s.Cgroups {
			if len(c.Controllers) == 0 || slices.Contains(c.Controllers, "memory") || slices.Contains(c.Controllers, "pids") {
				p = append(p, c.Path)
			}
		}
		slices.Sort(p)
		return strings.Join(slices.Compact(p), " ")
	})
	addFrom("memory max", "limits", func(s *inspect.Snapshot) string { return maxText(s.Limits.MemoryMax, units.Short) })
	addFrom("pids max", "limits", func(s *inspect.Snapshot) string {
		return maxText(s.Limits.PidsMax, func(n int64) string { return strconv.FormatInt(n, 10) })
	})
	addFrom("cpu max", "limits", func(s *inspect.Snapshot) string { return common.OrDash(s.Limits.CPUMax) })
	addFrom("caps effective", "capabilities", func(s *inspect.Snapshot) string { return capsText(s.Caps.Effective) })
	addFrom("caps bounding", "capabilities", func(s *inspect.Snapshot) string { return capsText(s.Caps.Bounding) })
	addFrom("seccomp", "seccomp", func(s *inspect.Snapshot) string {
		if s.Seccomp.Mode == 2 {
			return fmt.Sprintf("filter (%d)", s.Seccomp.Filters)
		}
		return common.OrDash(s.Seccomp.Name)
	})
	add("no_new_privs", func(s *inspect.Snapshot) string { return strconv.FormatBool(s.NoNewPrivs) })
	addFrom("lsm", "lsm", func(s *inspect.Snapshot) string { return common.OrDash(s.LSM) })
	return rows
}

// mapShort is an id map on one short line: "0→0 ×4294967295; …".
func mapShort(m []inspect.IDMapping) string {
	if len(m) == 0 {
		return "—"
	}
	var out []string
	for _, l := range m {
		out = append(out, fmt.Sprintf("%d→%d ×%d", l.Inside, l.Outside, l.Count))
	}
	return strings.Join(out, "; ")
}

func maxText(n int64, f func(int64) string) string {
	if n < 0 {
		return "no limit"
	}
	return f(n)
}

// capsText is a count, and the names when few enough to read.
func capsText(c []string) string {
	switch {
	case len(c) == 0:
		return "none"
	case len(c) >= len(capOrder):
		return fmt.Sprintf("all %d", len(c))
	case len(c) <= 4:
		var n []string
		for _, x := range c {
			n = append(n, strings.TrimPrefix(capKey(x), "cap_"))
		}
		return strings.Join(n, ",")
	}
	return fmt.Sprintf("%d of %d", len(c), len(capOrder))
}

func (c *Compare) View(w, h int) string {
	st := c.styles
	c.height = max(h-3, 1)
	fieldW := 15
	if w >= 72 {
		fieldW = 20 // room for "ns time_for_children"; the columns keep 24+ cells
	}
	colW := max((w-fieldW-4)/2, 8) // "≠ " prefix and two gaps
	head := common.Fit("", fieldW) + " " + common.Fit(c.label(c.pidA, c.a, c.goneA), colW) + " " + common.Fit(c.label(c.pidB, c.b, c.goneB), colW)
	out := []string{st.Title.Render(common.Truncate(head, w))}
	switch {
	case c.a == nil || c.b == nil:
		for _, e := range []struct {
			pid  int
			err  error
			gone bool
		}{{c.pidA, c.errA, c.goneA}, {c.pidB, c.errB, c.goneB}} {
			switch {
			case e.gone:
				out = append(out, st.Bad.Render(fmt.Sprintf("Process %d does not exist.", e.pid)))
			case e.err != nil:
				out = append(out, st.Bad.Render(fmt.Sprintf("Cannot read process %d: %v", e.pid, e.err)))
			}
		}
		if len(out) == 1 {
			out = append(out, st.Subtle.Render("reading both processes…"))
		}
	default:
		rows := compareRows(c.a, c.b)
		var lines []string
		diffs, unknown := 0, 0
		for _, r := range rows {
			differ := r.a != r.b && !r.unknown
			if differ {
				diffs++
			}
			if r.unknown {
				unknown++
			}
			if c.onlyDiff && !differ && !r.unknown {
				continue
			}
			line := common.Fit(r.field, fieldW) + " " + common.Fit(r.a, colW) + " " + common.Fit(r.b, colW)
			switch {
			case r.unknown:
				line = st.Warn.Render(common.Truncate("? "+line, w))
			case differ:
				line = st.Diff.Render(common.Truncate("≠ "+line, w))
			default:
				line = st.Same.Render(common.Truncate("  "+line, w))
			}
			lines = append(lines, line)
		}
		// A bubbles viewport windows the rows; the keys above move c.offset.
		var shown []string
		shown, c.offset, _ = common.Scroll(lines, w, c.height, c.offset)
		out[0] = st.Title.Render(common.Truncate("  "+head, w))
		out = append(out, shown...)
		for len(out) < c.height+1 {
			out = append(out, "")
		}
		summary := fmt.Sprintf("%d of %d rows differ (≠, highlighted) · d shows only them", diffs, len(rows))
		if unknown > 0 {
			summary = fmt.Sprintf("%d of %d rows differ (≠), %d unknown (?: not readable) · d shows only them", diffs, len(rows), unknown)
		}
		out = append(out, "", st.Subtle.Render(common.Truncate(summary, w)))
	}
	return strings.Join(out, "\n")
}

// label is the column title of one process.
func (c *Compare) label(pid int, s *inspect.Snapshot, gone bool) string {
	l := "PID " + strconv.Itoa(pid)
	if s != nil {
		l += " " + s.Comm
	}
	if gone {
		l += " (exited)"
	}
	return l
}

func (c *Compare) ShortHelp() []key.Binding {
	return []key.Binding{c.keys.Down, c.keys.Up, c.keyOnlyDif}
}

func (c *Compare) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{c.keys.Up, c.keys.Down, c.keys.PageUp, c.keys.PageDown, c.keys.HalfUp, c.keys.HalfDown, c.keys.Top, c.keys.Bottom},
		{c.keyOnlyDif},
	}
}

func (c *Compare) Title() string {
	return "Compare " + strconv.Itoa(c.pidA) + " ↔ " + strconv.Itoa(c.pidB)
}
func (c *Compare) Capturing() bool { return false }
