package inspector

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// search is the inspector's / n N: a query typed once and looked for in
// whichever tab is shown, the way less and vim search a buffer.
type search struct {
	typing bool   // the query is being typed (the screen captures keys)
	input  string // what is typed so far
	query  string // the last query confirmed with enter
	note   string // "3 of 12", "no match": the footer's answer
	// line and tab are where the last match was: n and N go on from there
	// (the view may show it lower down when the tab ends on screen).
	line, tab int
}

// searchKey edits the query while it is typed; enter runs it, esc drops it.
func (s *Model) searchKey(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "esc":
		s.find.typing, s.find.input = false, ""
	case "enter":
		s.find.typing = false
		s.find.query = s.find.input
		s.jump(0)
	case "backspace":
		if r := []rune(s.find.input); len(r) > 0 {
			s.find.input = string(r[:len(r)-1])
		}
	default:
		if msg.Text != "" && msg.Mod&^tea.ModShift == 0 {
			s.find.input += msg.Text
		}
	}
}

// searchable is the current tab as plain lines, and the line the search
// starts from (the Env tab's cursor row, or the first line shown).
func (s *Model) searchable() (lines []string, at int) {
	if s.snap == nil {
		return nil, 0
	}
	if s.tab == tabEnv && s.whole == "" {
		for _, n := range s.envNames() {
			lines = append(lines, n+"="+s.snap.Env[n])
		}
		return lines, s.envCursor
	}
	for _, l := range s.tabLines(max(s.width, 40)) {
		lines = append(lines, ansi.Strip(l))
	}
	return lines, s.offsets[s.tab]
}

// jump moves to the next line holding the query: dir 0 is the first match
// at or after the start, 1 the next one after it, -1 the one before; the
// search wraps around the end of the tab.
func (s *Model) jump(dir int) {
	q := strings.ToLower(s.find.query)
	if q == "" {
		s.find.note = ""
		return
	}
	lines, at := s.searchable()
	if dir != 0 && s.find.tab == s.tab && s.find.line >= 0 {
		at = s.find.line
	}
	var hits []int
	for i, l := range lines {
		if strings.Contains(strings.ToLower(l), q) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 0 {
		s.find.note, s.find.line = "no match in this tab", -1
		return
	}
	k := -1
	switch dir {
	case 0, 1:
		for i, h := range hits {
			if h > at || (dir == 0 && h == at) {
				k = i
				break
			}
		}
		if k < 0 {
			k = 0 // wrap to the top
		}
	default:
		for i := len(hits) - 1; i >= 0; i-- {
			if hits[i] < at {
				k = i
				break
			}
		}
		if k < 0 {
			k = len(hits) - 1 // wrap to the bottom
		}
	}
	s.find.note = strconv.Itoa(k+1) + " of " + strconv.Itoa(len(hits))
	s.find.line, s.find.tab = hits[k], s.tab
	if s.tab == tabEnv && s.whole == "" {
		s.move(hits[k] - s.envCursor)
		return
	}
	s.offsets[s.tab] = hits[k]
}

// searchLine is the footer while searching: the query being typed, or the
// last one and where its match is.
func (s *Model) searchLine() string {
	st := s.styles
	if s.find.typing {
		return st.Text.Render("/"+s.find.input+"▏") + st.Subtle.Render("  enter: find · esc: cancel")
	}
	if s.find.query == "" {
		return ""
	}
	return st.Subtle.Render("/"+s.find.query+": "+s.find.note) + st.Subtle.Render(" · n next · N previous")
}
