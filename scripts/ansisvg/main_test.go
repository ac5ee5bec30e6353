package main

import (
	"strings"
	"testing"
)

// The colours, attributes and cell positions of a captured screen survive.
func TestParseColoursAndCells(t *testing.T) {
	in := "\x1b[1m\x1b[38;2;255;255;255m\x1b[48;2;164;139;255m procbox › Home\n" +
		"\x1b[0m  \x1b[38;5;196mred\x1b[39m plain \x1b[7mrev\x1b[0m\x1b]8;;x\x07\n"
	runs, cols, rows := parse(in)
	runs = fillToEdge(runs, 40)
	if rows != 2 || cols != 15 {
		t.Fatalf("rows %d cols %d", rows, cols)
	}
	head := runs[0]
	if head.text != " procbox › Home" || head.p.fg != "#ffffff" || head.p.bg != "#a48bff" || !head.p.bold || head.bgw != 40 {
		t.Fatalf("header run %+v", head)
	}
	var red, rev run
	for _, r := range runs[1:] {
		switch r.text {
		case "red":
			red = r
		case "rev":
			rev = r
		}
	}
	if red.x != 2 || red.p.fg != "#ff0000" || red.p.bold {
		t.Errorf("256-colour run %+v", red)
	}
	if !rev.p.revers || rev.x != 12 {
		t.Errorf("reverse run %+v", rev)
	}
	var b strings.Builder
	writeSVG(&b, runs, 40, rows)
	if svg := b.String(); !strings.Contains(svg, `fill="#a48bff"`) || !strings.Contains(svg, "procbox › Home") || strings.Contains(svg, "\x1b") {
		t.Fatalf("svg:\n%s", svg)
	}
}
