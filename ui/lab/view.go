package lab

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"procbox/ui/internal/common"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The Lab's drawing. Every function here returns exactly the lines it was
// given room for, each exactly as wide as asked: the root pastes the body
// under its header without measuring it again.

// bigLayout is where all three areas fit at once.
func bigLayout(w, h int) bool { return w >= 110 && h >= 30 }

// fitLine cuts s to w cells (with an ellipsis) and pads it to exactly w.
func fitLine(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// block fits lines into a w×h block.
func block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fitLine(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return out
}

// sideBySide joins two blocks of the same height with a separator.
func sideBySide(left []string, sep string, right []string) []string {
	out := make([]string, len(left))
	for i := range left {
		r := ""
		if i < len(right) {
			r = right[i]
		}
		out[i] = left[i] + sep + r
	}
	return out
}

func (m *Model) View(width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	if m.drawn && width == m.drawnW && height == m.drawnH {
		return m.drawnText
	}
	m.drawnText = m.draw(width, height)
	m.drawn, m.drawnW, m.drawnH = true, width, height
	return m.drawnText
}

// draw renders the body from scratch.
func (m *Model) draw(width, height int) string {
	var lines []string
	switch {
	case m.d.Lab == nil:
		lines = m.viewNoEngine(width, height)
	case bigLayout(width, height):
		lines = m.viewBig(width, height)
	default:
		lines = m.viewSmall(width, height)
	}
	return strings.Join(block(lines, width, height), "\n")
}

// viewNoEngine explains why there is no Lab, instead of crashing.
func (m *Model) viewNoEngine(w, h int) []string {
	s := m.d.Styles
	reason := "this build of procbox has no isolate engine wired in"
	if m.reportKnown && !m.report.Root && !m.report.UserNSUnpriv.Available {
		reason = "not root, and unprivileged user namespaces are off (" + m.report.UserNSUnpriv.Why + ")"
	}
	lines := []string{
		"",
		s.Title.Render("The Lab needs the isolate engine: ") + s.Bad.Render(reason),
		"",
		s.Subtle.Render("The Lab starts a live child process and lets you switch its isolation on and off."),
		s.Subtle.Render("Learn and Inspect still work; `procbox doctor` says what this host supports."),
	}
	return wrapLines(lines, w)
}

// wrapLines soft-wraps each line to w cells.
func wrapLines(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		out = append(out, strings.Split(lipgloss.NewStyle().Width(w).Render(l), "\n")...)
	}
	return out
}

// header is the top line: the three areas as tabs, then what is going on.
func (m *Model) header(w int) string {
	s := m.d.Styles
	names := []string{"Switches", "Host | Child", "Log"}
	var tabs []string
	for i, n := range names {
		if focusArea(i) == m.focus {
			tabs = append(tabs, s.TabActive.Render(n))
		} else {
			tabs = append(tabs, s.TabIdle.Render(n))
		}
	}
	left := strings.Join(tabs, " ")
	var right string
	switch {
	case m.busy != "":
		right = m.spin.View() + " " + m.busyWhat
	case m.child != nil:
		right = fmt.Sprintf("child pid %d", m.childPID)
		if m.lastApply > 0 {
			right += fmt.Sprintf(" · last change %s", millis(m.lastApply))
		}
	case m.startErr != nil:
		right = s.Bad.Render("no child")
	}
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return fitLine(left+" "+right, w)
	}
	return left + strings.Repeat(" ", gap) + s.Subtle.Render(right)
}

// viewSmall is the 80×24 layout: switches and side-by-side, a 3-line log at
// the bottom; Tab on the log gives it the whole body.
func (m *Model) viewSmall(w, h int) []string {
	lines := []string{m.header(w)}
	body := h - 1
	if m.focus == focusLog {
		return append(lines, m.logPane(w, body, true)...)
	}
	foot := min(3, max(body-4, 0))
	mid := body - foot
	sw := 26
	if w < 60 {
		sw = w / 2
	}
	vw := w - sw - 1
	left := m.switchPane(sw, mid)
	right := m.viewsPane(vw, mid, true)
	lines = append(lines, sideBySide(left, m.d.Styles.Border.Render("│"), right)...)
	return append(lines, m.footer(w, foot)...)
}

// viewBig shows all three areas: switches | side-by-side, then steps | log.
func (m *Model) viewBig(w, h int) []string {
	lines := []string{m.header(w)}
	body := h - 1
	bottom := max(body/4, 8)
	if m.focus == focusLog {
		bottom = body / 2
	}
	mid := body - bottom
	sw := 34
	vw := w - sw - 1
	sep := m.d.Styles.Border.Render("│")
	lines = append(lines, sideBySide(m.switchPane(sw, mid), sep, m.viewsPane(vw, mid, false))...)
	lines = append(lines, m.d.Styles.Border.Render(strings.Repeat("─", w)))
	bh := bottom - 1
	if m.editing || m.expMenu {
		lines = append(lines, m.footer(w, 2)...)
		bh -= 2
	}
	lw := w / 2
	lines = append(lines, sideBySide(m.stepsPane(lw, bh), sep, m.eventsPane(w-lw-1, bh))...)
	return lines
}

// footer is the bottom of the small layout: the edit field, the x menu, or the
// newest log lines.
func (m *Model) footer(w, h int) []string {
	if h <= 0 {
		return nil
	}
	s := m.d.Styles
	switch {
	case m.editing:
		label := ""
		for _, sw := range m.switches {
			if sw.kind == m.editKind {
				label = sw.label
			}
		}
		lines := []string{s.Title.Render(label+": ") + m.input.View()}
		if m.editErr != "" {
			lines = append(lines, s.Bad.Render("✗ "+m.editErr))
		} else {
			lines = append(lines, s.Subtle.Render(editHint(m.editKind)))
		}
		return block(lines, w, h)
	case m.expMenu:
		var parts []string
		for _, e := range privMenu {
			parts = append(parts, s.Key.Render(e.key)+" "+expLabels[e.name])
		}
		lines := []string{s.Title.Render("Privileged action in the child (esc: cancel):")}
		lines = append(lines, wrapLines([]string{strings.Join(parts, "  ")}, w)...)
		return block(lines, w, h)
	}
	return m.logLines(w, h)
}

// editHint says what an edit field accepts.
func editHint(k switchKind) string {
	switch k {
	case swHostname:
		return "letters, digits, '-' and '.'; empty clears it"
	case swMem:
		return "a size like 64M or 1G; none removes the limit"
	case swPids:
		return "a process count like 20; none removes the limit"
	case swCPU:
		return "a share of one CPU: 0.5 or 50%; none removes the limit"
	case swRootfs:
		return "an absolute path to a root filesystem; empty keeps the host's /"
	case swTimeOffset:
		return "a duration like 1h or 48h, added to the child's clocks"
	}
	return ""
}

// switchHints says in a few words what each switch does to the child.
// Each fits two lines of the narrow column (2×25 cells).
var switchHints = map[string]string{
	"pid":         "own pid numbers: the child is pid 1",
	"net":         "own network: just a loopback, down",
	"mnt":         "own mount table: mounts stay inside",
	"uts":         "own hostname",
	"ipc":         "own System V queues, semaphores, shm",
	"cgroup":      "the child sees its cgroup as /",
	"time":        "own monotonic and boot clocks",
	"hostname":    "the name inside the uts namespace",
	"memory":      "most memory the cgroup may use",
	"pids":        "most processes the cgroup may hold",
	"cpu":         "share of one CPU for the cgroup",
	"drop caps":   "capabilities taken from the child",
	"seccomp":     "syscalls the kernel fails with EPERM",
	"rootfs":      "a directory the child sees as /",
	"veth":        "a cable from the host into the child",
	"time offset": "how far the child's clocks are shifted",
}

// hint is what a switch does to the child, said for this host and this user:
// the user namespace's mapping depends on who runs procbox.
func (m *Model) hint(sw switchDef) string {
	you := "your uid"
	uid := "<your uid>"
	if m.reportKnown {
		uid = strconv.Itoa(m.report.UID)
		you = "uid " + uid
		if m.report.UID == 0 {
			you = "root"
		}
	}
	switch sw.label {
	case "user":
		if m.st.mapRoot {
			return "own uids: map 0 " + uid + " 1, uid 0 inside is " + you + " outside"
		}
		// Without map root the child stays who it was (isolate maps the
		// caller's own id: unshare --user --map-user=$(id -u)).
		return "own uids: map " + uid + " " + uid + " 1, you stay " + you + " inside; caps count only there"
	case "map root":
		return "writes 0 " + uid + " 1 to uid_map: uid 0 inside is " + you + " outside"
	}
	return switchHints[sw.label]
}

// switchPane draws the switch column (or the open tick list).
func (m *Model) switchPane(w, h int) []string {
	s := m.d.Styles
	if m.subOpen {
		return m.subPane(w, h)
	}
	title := s.Title.Render("Switches")
	if m.focus != focusSwitches {
		title = s.Subtle.Render("Switches")
	}
	lines := []string{title}
	hintLines := 2
	if h < 12 {
		hintLines = 0
	}
	rowsH := max(h-1-hintLines, 1)
	top := 0
	if m.cursor >= rowsH {
		top = m.cursor - rowsH + 1
	}
	for i := top; i < len(m.switches) && i < top+rowsH; i++ {
		lines = append(lines, m.switchLine(i, w))
	}
	for len(lines) < 1+rowsH {
		lines = append(lines, "")
	}
	if hintLines > 0 {
		sw := m.switches[m.cursor]
		a := m.available(sw)
		var hint string
		if !a.ok {
			hint = s.Bad.Render("✗ " + a.why)
		} else {
			hint = s.Subtle.Render(m.hint(sw))
		}
		wrapped := wrapLines([]string{hint}, w)
		lines = append(lines, block(wrapped, w, hintLines)...)
	}
	return block(lines, w, h)
}

// switchLine is one row of the switch column.
func (m *Model) switchLine(i, w int) string {
	s := m.d.Styles
	sw := m.switches[i]
	a := m.available(sw)
	cur := " "
	if i == m.cursor && m.focus == focusSwitches {
		cur = "›"
	}
	var box string
	switch {
	case !isToggle(sw.kind):
		box = "   "
	case !a.ok && !m.toggleState(sw):
		box = "[-]"
	case m.toggleState(sw):
		box = "[x]"
	default:
		box = "[ ]"
	}
	val := ""
	if !isToggle(sw.kind) {
		val = switchValue(sw, m.st)
		for _, need := range needsAll(sw.kind) {
			if !m.st.ns[need] && m.switchOn(sw) {
				val += " (no " + need + ")"
			}
		}
	}
	if !a.ok {
		val = "n/a"
	}
	text := fmt.Sprintf("%s%s %-11s %s", cur, box, sw.label, val)
	line := fitLine(text, w)
	switch {
	case i == m.cursor && m.focus == focusSwitches:
		return s.Selected.Render(line)
	case !a.ok:
		return s.Subtle.Render(line)
	case m.isOn(sw):
		return s.OK.Render(line)
	}
	return s.Text.Render(line)
}

// isOn reports whether a switch changes the child at all (drawn as "on").
func (m *Model) isOn(sw switchDef) bool {
	switch sw.kind {
	case swNS, swMapRoot, swVeth:
		return m.toggleState(sw)
	case swMem:
		return m.st.memMax > 0
	case swPids:
		return m.st.pidsMax > 0
	case swCPU:
		return m.st.cpuMax > 0
	case swCaps:
		return len(m.st.dropCaps) > 0
	case swSeccomp:
		return len(m.st.seccomp) > 0
	}
	return m.switchOn(sw)
}

// subPane is the tick list of capabilities or syscalls.
func (m *Model) subPane(w, h int) []string {
	s := m.d.Styles
	title := "Drop capabilities"
	if m.subKind == swSeccomp {
		title = "Deny syscalls"
	}
	lines := []string{s.Title.Render(title), s.Subtle.Render("space: tick · enter/esc: done")}
	labels, ticked := m.subItems()
	rowsH := max(h-2, 1)
	top := 0
	if m.subCursor >= rowsH {
		top = m.subCursor - rowsH + 1
	}
	for i := top; i < len(labels) && i < top+rowsH; i++ {
		box := "[ ]"
		if ticked[i] {
			box = "[x]"
		}
		cur := " "
		if i == m.subCursor {
			cur = "›"
		}
		line := fitLine(cur+box+" "+labels[i], w)
		if i == m.subCursor {
			line = s.Selected.Render(line)
		}
		lines = append(lines, line)
	}
	return block(lines, w, h)
}

// viewsPane is the side-by-side: the same questions asked from host and child.
func (m *Model) viewsPane(w, h int, compact bool) []string {
	s := m.d.Styles
	if !m.haveViews {
		msg := "waiting for the first look at the child…"
		if m.startErr != nil {
			msg = "no child: " + m.startErr.Error()
		}
		return block(wrapLines([]string{s.Subtle.Render(msg)}, w), w, h)
	}
	lw := 11
	if compact {
		lw = 10
	}
	cw := (w - lw - 2) / 2
	cw2 := w - lw - 2 - cw
	barW := 10
	if compact {
		barW = 5
	}
	headH := fitLine("HOST", cw)
	headC := fitLine("CHILD", cw2)
	lines := []string{s.Title.Render(fitLine("", lw) + " " + headH + " " + headC)}
	rows := hostProc(viewRows(m.host, m.cview, compact, m.cpuShare), m.applied)
	var errs []string
	if m.hostErr != "" {
		errs = append(errs, "host view: "+m.hostErr)
	}
	if m.childErr != "" {
		errs = append(errs, "child view: "+m.childErr)
	}
	avail := max(h-1-len(errs), 1)
	top := min(m.viewsTop, max(len(rows)-avail, 0))
	for i := top; i < len(rows) && i < top+avail; i++ {
		r := rows[i]
		mark := " "
		if r.differ {
			mark = "≠"
		}
		lab := fitLine(mark+r.label, lw)
		hc := viewCell(r.host, r.hostBar, cw, barW, s)
		cc := viewCell(r.child, r.childBar, cw2, barW, s)
		line := lab + " " + hc + " " + cc
		if r.differ {
			line = s.Diff.Render(line)
		} else {
			line = s.Same.Render(line)
		}
		lines = append(lines, line)
	}
	for len(lines) < 1+avail {
		lines = append(lines, "")
	}
	for _, e := range errs {
		lines = append(lines, s.Bad.Render(e))
	}
	return block(lines, w, h)
}

// viewCell is one value, with a usage bar when bar >= 0.
func viewCell(text string, bar float64, w, barW int, s common.Styles) string {
	if bar < 0 || w < barW+4 {
		return fitLine(text, w)
	}
	tw := w - barW - 1
	return fitLine(text, tw) + " " + cellBar(bar, barW, s)
}

// cellBar draws a fraction as a bar of w cells.
func cellBar(f float64, w int, s common.Styles) string {
	f = min(max(f, 0), 1)
	full := int(f*float64(w) + 0.5)
	return s.BarFull.Render(strings.Repeat("█", full)) + s.BarEmpty.Render(strings.Repeat("░", w-full))
}

// logLines are the newest log entries, newest last, scrolled back by logBack.
// Long entries wrap under their time stamp: the end of a line ("at 64
// processes") is often the point of it.
func (m *Model) logLines(w, h int) []string {
	s := m.d.Styles
	if h <= 0 {
		return nil
	}
	end := max(len(m.log)-m.logBack, 0)
	var lines []string
	for i := end - 1; i >= 0 && len(lines) < h; i-- {
		e := m.log[i]
		const stamp = 9 // "15:04:05 "
		tw := max(w-stamp, 10)
		wrapped := strings.Split(lipgloss.NewStyle().Width(tw).Render(e.text), "\n")
		entry := make([]string, 0, len(wrapped))
		for j, part := range wrapped {
			prefix := strings.Repeat(" ", stamp)
			if j == 0 {
				prefix = e.at.Format("15:04:05") + " "
			}
			line := fitLine(prefix+strings.TrimRight(part, " "), w)
			if e.bad {
				line = s.Bad.Render(line)
			} else {
				line = s.Text.Render(line)
			}
			entry = append(entry, line)
		}
		lines = append(entry, lines...)
	}
	if len(lines) > h {
		lines = lines[len(lines)-h:]
	}
	if len(lines) == 0 {
		lines = append(lines, s.Subtle.Render("nothing happened yet: space toggles a switch, f m u x run experiments"))
	}
	return block(lines, w, h)
}

// stepsPane lists the equivalent shell commands of the current configuration.
func (m *Model) stepsPane(w, h int) []string {
	s := m.d.Styles
	lines := []string{s.Title.Render("What procbox did, by hand")}
	if len(m.steps) == 0 {
		lines = append(lines, s.Subtle.Render("nothing: a plain process, no isolation"))
	}
	for _, st := range m.steps {
		lines = append(lines, s.Subtle.Render("# "+st.What), s.Code.Render("$ "+st.Command))
	}
	if h <= 1 {
		return block(lines, w, h)
	}
	if len(lines) > h {
		// Keep the title; the newest steps matter most.
		lines = append(lines[:1], lines[len(lines)-(h-1):]...)
	}
	return block(lines, w, h)
}

// eventsPane is the event log with its title.
func (m *Model) eventsPane(w, h int) []string {
	if h <= 1 {
		return block(nil, w, h)
	}
	lines := []string{m.d.Styles.Title.Render("Events")}
	lines = append(lines, m.logLines(w, h-1)...)
	return block(lines, w, h)
}

// logPane is the log focused in the small layout: steps above, events below.
func (m *Model) logPane(w, h int, _ bool) []string {
	sh := h / 2
	lines := m.stepsPane(w, sh)
	lines = append(lines, m.eventsPane(w, h-sh)...)
	return lines
}

// millis prints a duration in milliseconds.
func millis(d time.Duration) string {
	return fmt.Sprintf("%d ms", d.Milliseconds())
}
