package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// CellWidth is the width of s in terminal cells, escape codes ignored.
func CellWidth(s string) int { return ansi.StringWidth(s) }

// Truncate cuts s to at most w cells, ending in … when it had to cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Fit pads or cuts s to exactly w cells, for table columns.
func Fit(s string, w int) string { return PadRight(Truncate(s, w), w) }

// FitLeft is Fit with the text aligned right (numbers).
func FitLeft(s string, w int) string {
	s = Truncate(s, w)
	if d := w - ansi.StringWidth(s); d > 0 {
		return Spaces(d) + s
	}
	return s
}

// Spaces is n blanks ("" for n <= 0).
func Spaces(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}

// PadRight pads s with spaces to w cells (it never cuts).
func PadRight(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// FitBlock makes s exactly w cells wide at most and exactly h lines: long
// lines are cut with …, missing lines are blank. The root applies it to every
// screen's body, so no screen can make the window wrap or scroll.
func FitBlock(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// OrDash is s, or "—" when s is empty: a cell that has nothing to say.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
