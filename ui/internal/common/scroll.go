package common

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/viewport"
	"github.com/charmbracelet/x/ansi"
)

// Scroll shows lines through a bubbles viewport of w×h cells scrolled to
// offset, for a pane whose screen keeps the offset itself (its keys move it).
// It returns the rows on screen, the offset kept in range and whether the
// text goes on below them. The rows are the lines as they were, none below
// the last: the viewport pads every row to its width and height, and the
// caller lays the pane out (a golden view has no trailing blanks).
func Scroll(lines []string, w, h, offset int) (rows []string, off int, more bool) {
	if w <= 0 || h <= 0 || len(lines) == 0 {
		return nil, 0, false
	}
	vp := viewport.New(viewport.WithWidth(w), viewport.WithHeight(h))
	vp.SetContentLines(slices.Clone(lines)) // it may rewrite lines in place
	vp.SetYOffset(offset)
	off = vp.YOffset()
	rows = strings.Split(vp.View(), "\n")[:min(h, len(lines)-off)]
	for i, r := range rows {
		rows[i] = ansi.Truncate(r, ansi.StringWidth(lines[off+i]), "")
	}
	return rows, off, !vp.AtBottom()
}
