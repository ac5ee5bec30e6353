package ui

import "github.com/charmbracelet/x/ansi"

// cellWidth is the width of s in terminal cells, escape codes ignored.
func cellWidth(s string) int { return ansi.StringWidth(s) }

// truncate cuts s to at most w cells, ending in … when it had to cut.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// fit pads or cuts s to exactly w cells, for table columns.
func fit(s string, w int) string { return padRight(truncate(s, w), w) }

// fitLeft is fit with the text aligned right (numbers).
func fitLeft(s string, w int) string {
	s = truncate(s, w)
	if d := w - ansi.StringWidth(s); d > 0 {
		return spaces(d) + s
	}
	return s
}

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}
