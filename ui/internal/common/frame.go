package common

import (
	tea "charm.land/bubbletea/v2"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// HeaderHeight and FooterHeight are the rows the frame keeps for itself.
const (
	HeaderHeight = 1
	FooterHeight = 1
)

// BodyHeight is the rows a screen gets in a window h rows high.
func BodyHeight(h int) int { return max(h-HeaderHeight-FooterHeight, 0) }

// Frame draws the window around the top screen: the header, the body, the
// help line and the ? overlay. It holds no state of its own: the root owns
// the values and draws with them, and screen tests draw with the same Frame,
// so a golden taken in a screen's package is what the user sees.
type Frame struct {
	Styles   Styles
	Keys     KeyMap
	Help     help.Model
	Flash    string // a one-off message in the header, in place of the status
	ShowHelp bool   // the ? overlay is open
	// AtRoot: the screen is the bottom of the stack, where q quits (and
	// Esc, with nothing to go back to, does nothing).
	AtRoot bool
}

// NewFrame is a Frame with the default keys and the help styled from st.
func NewFrame(st Styles) Frame {
	f := Frame{Styles: st, Keys: DefaultKeyMap(), Help: help.New()}
	f.Help.Styles = HelpStyles(st)
	return f
}

// HelpStyles maps our Styles onto the bubbles help widget.
func HelpStyles(s Styles) help.Styles {
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

// MinWidth and MinHeight are the smallest window a screen is drawn in, unless
// it says otherwise (Sizer): below that, cells would be cut to "2.3…" and
// bars to a few blocks, which reads as data but is not.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Sizer is implemented by screens that need more room than MinWidth×MinHeight.
type Sizer interface {
	MinSize() (w, h int)
}

// tooSmall is the notice drawn instead of a screen that does not fit.
func (f Frame) tooSmall(w, h, needW, needH int) string {
	lines := []string{
		f.Styles.Warn.Render("terminal too small"),
		fmt.Sprintf("%d×%d, need %d×%d", w, h, needW, needH),
		f.Styles.Subtle.Render("enlarge it, or q to go back"),
	}
	return FitBlock(strings.Join(lines, "\n"), w, h)
}

// Render draws the whole window w×h as a string: header, body, help line.
func (f Frame) Render(top Screen, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	needW, needH := MinWidth, MinHeight
	if s, ok := top.(Sizer); ok {
		needW, needH = s.MinSize()
	}
	if w < needW || h < needH {
		return f.tooSmall(w, h, needW, needH)
	}
	bodyH := BodyHeight(h)
	var body string
	if f.ShowHelp {
		body = f.fullHelp(top, w, bodyH)
	} else {
		body = top.View(w, bodyH)
	}
	parts := []string{f.header(top, w), FitBlock(body, w, bodyH)}
	if h > HeaderHeight {
		parts = append(parts, f.footer(top, w))
	}
	return FitBlock(strings.Join(parts, "\n"), w, h)
}

// header is the title bar: "procbox › Title" on the left, the status on the right.
func (f Frame) header(top Screen, w int) string {
	left := " procbox › " + top.Title()
	right := f.Flash
	if right == "" {
		if st, ok := top.(Statuser); ok {
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
	line = PadRight(line, w)
	return f.Styles.Header.UnsetPadding().Render(line)
}

// GlobalBindings are the keys the root itself answers.
func (f Frame) GlobalBindings() []key.Binding {
	if f.AtRoot {
		return []key.Binding{f.Keys.Help, key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")), f.Keys.Quit}
	}
	return []key.Binding{f.Keys.Help, f.Keys.Back, f.Keys.Quit}
}

// footer is the short help of the top screen plus the global keys.
func (f Frame) footer(top Screen, w int) string {
	hm := f.Help
	hm.SetWidth(w)
	if f.ShowHelp {
		return hm.ShortHelpView([]key.Binding{
			key.NewBinding(key.WithKeys("?"), key.WithHelp("?/esc", "close help")),
			f.Keys.Quit,
		})
	}
	// The screen's keys go first and the root's last; when they do not all
	// fit, the screen's last keys give way, so "? help" (which lists every
	// key) is never the one cut off.
	own := top.ShortHelp()
	for {
		b := append(append([]key.Binding{}, own...), f.GlobalBindings()...)
		hm.SetWidth(0)
		v := hm.ShortHelpView(b)
		if ansi.StringWidth(v) <= w || len(own) == 0 {
			hm.SetWidth(w)
			return hm.ShortHelpView(b)
		}
		own = own[:len(own)-1]
	}
}

// fullHelp is the ? overlay: every binding of the top screen, then the global keys.
func (f Frame) fullHelp(top Screen, w, h int) string {
	groups := append(append([][]key.Binding{}, top.FullHelp()...), f.GlobalBindings())
	title := f.Styles.Title.Render("Keys — " + top.Title())
	hm := f.Help
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

// ShiftMouse moves a mouse event up by dy rows, so screens see coordinates
// relative to their own body.
func ShiftMouse(msg tea.MouseMsg, dy int) tea.Msg {
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
