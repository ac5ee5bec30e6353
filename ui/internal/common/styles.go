package common

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is every style the UI uses, built once from the terminal's background
// and NO_COLOR. Screens take it by value; nothing else defines colours.
type Styles struct {
	NoColor bool

	App       lipgloss.Style // outer frame
	Header    lipgloss.Style // top bar
	Title     lipgloss.Style // screen and section titles
	Subtle    lipgloss.Style // secondary text, hints
	Text      lipgloss.Style // body text
	Key       lipgloss.Style // key names in help
	Selected  lipgloss.Style // the cursor row
	Marked    lipgloss.Style // rows marked for compare
	Diff      lipgloss.Style // a row/cell that differs between host and child, or two PIDs
	Same      lipgloss.Style // a row/cell that is the same
	OK        lipgloss.Style // allowed, available, shared
	Warn      lipgloss.Style // caution, masked secrets
	Bad       lipgloss.Style // denied, unavailable, errors
	Border    lipgloss.Style // pane borders
	TabActive lipgloss.Style
	TabIdle   lipgloss.Style
	BarFull   lipgloss.Style // filled part of a usage bar
	BarEmpty  lipgloss.Style // empty part of a usage bar
	Code      lipgloss.Style // shell commands
	Status    lipgloss.Style // bottom status line
	Presenter bool           // large, high-contrast, low-colour layout
}

// NewStyles builds the styles for a dark or light background. With noColor the
// UI is monochrome and relies on reverse video and bold alone.
func NewStyles(isDark, noColor bool) Styles {
	if noColor {
		plain := lipgloss.NewStyle()
		return Styles{
			NoColor:   true,
			App:       plain,
			Header:    plain.Bold(true).Reverse(true),
			Title:     plain.Bold(true),
			Subtle:    plain.Faint(true),
			Text:      plain,
			Key:       plain.Bold(true),
			Selected:  plain.Reverse(true),
			Marked:    plain.Bold(true).Underline(true),
			Diff:      plain.Bold(true),
			Same:      plain,
			OK:        plain,
			Warn:      plain.Bold(true),
			Bad:       plain.Bold(true).Underline(true),
			Border:    plain,
			TabActive: plain.Reverse(true).Bold(true).Padding(0, 1),
			TabIdle:   plain.Padding(0, 1),
			BarFull:   plain.Reverse(true),
			BarEmpty:  plain.Faint(true),
			Code:      plain,
			Status:    plain.Reverse(true),
		}
	}
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	accent := c("#5A3FC0", "#A48BFF")
	fg := c("#1A1A1A", "#E6E6E6")
	subtle := c("#6B6B6B", "#8A8A8A")
	green := c("#1B7F3B", "#5FD787")
	yellow := c("#8A6100", "#FFD75F")
	red := c("#B00020", "#FF6B6B")
	selBg := c("#D8D0FF", "#3B2F7A")
	diffBg := c("#FFF1C2", "#4A3A00")
	s := lipgloss.NewStyle()
	return Styles{
		App:       s.Foreground(fg),
		Header:    s.Bold(true).Foreground(c("#FFFFFF", "#FFFFFF")).Background(accent).Padding(0, 1),
		Title:     s.Bold(true).Foreground(accent),
		Subtle:    s.Foreground(subtle),
		Text:      s.Foreground(fg),
		Key:       s.Bold(true).Foreground(accent),
		Selected:  s.Background(selBg).Bold(true),
		Marked:    s.Foreground(yellow).Bold(true),
		Diff:      s.Background(diffBg).Bold(true),
		Same:      s.Foreground(fg),
		OK:        s.Foreground(green),
		Warn:      s.Foreground(yellow),
		Bad:       s.Foreground(red).Bold(true),
		Border:    s.Foreground(subtle),
		TabActive: s.Bold(true).Foreground(c("#FFFFFF", "#1A1A1A")).Background(accent).Padding(0, 1),
		TabIdle:   s.Foreground(subtle).Padding(0, 1),
		BarFull:   s.Foreground(accent),
		BarEmpty:  s.Foreground(subtle),
		Code:      s.Foreground(c("#005F87", "#87D7FF")),
		Status:    s.Foreground(subtle),
	}
}

// PresenterStyles are for a projector: high contrast and low colour, and
// nothing grey or dim (faint text vanishes on a projected wall); what is
// secondary stays plain, what matters is bold.
func PresenterStyles() Styles {
	plain := lipgloss.NewStyle()
	st := NewStyles(true, true)
	st.Subtle = plain
	st.BarEmpty = plain
	st.Title = plain.Bold(true).Underline(true)
	st.Text = plain
	st.Presenter = true
	return st
}
