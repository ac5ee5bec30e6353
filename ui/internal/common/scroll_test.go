package common

import (
	"fmt"
	"slices"
	"testing"
)

func TestScroll(t *testing.T) {
	var lines []string
	for i := range 10 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	for _, c := range []struct {
		h, offset, wantOff int
		want               []string
		more               bool
	}{
		{h: 4, offset: 0, wantOff: 0, want: lines[:4], more: true},
		{h: 4, offset: 3, wantOff: 3, want: lines[3:7], more: true},
		{h: 4, offset: 99, wantOff: 6, want: lines[6:], more: false}, // kept in range
		{h: 4, offset: -5, wantOff: 0, want: lines[:4], more: true},  // never above the top
		{h: 20, offset: 4, wantOff: 0, want: lines, more: false},     // all of it fits
		{h: 0, offset: 4, wantOff: 0, want: nil, more: false},        // no room
	} {
		rows, off, more := Scroll(lines, 30, c.h, c.offset)
		if off != c.wantOff || more != c.more || !slices.Equal(rows, c.want) {
			t.Errorf("h %d offset %d: rows %q off %d more %v; want %q off %d more %v", c.h, c.offset, rows, off, more, c.want, c.wantOff, c.more)
		}
	}
	// The lines are not changed, and the rows carry no padding.
	styled := []string{"\x1b[1mbold\x1b[m", "a line with a space at the end ", ""}
	keep := slices.Clone(styled)
	rows, _, _ := Scroll(styled, 40, 5, 0)
	if !slices.Equal(styled, keep) || len(rows) != 3 || CellWidth(rows[0]) != 4 || CellWidth(rows[1]) != 31 || rows[2] != "" {
		t.Errorf("rows %q from %q", rows, styled)
	}
}
