package main

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Colours of the picture: the screen's own background and text.
const (
	background = "#1e1e2e"
	foreground = "#e6e6e6"
	cellW      = 8.4 // pixels per cell at a 14 px monospaced font
	cellH      = 18.0
	pad        = 12.0
)

// pen is the state SGR sequences change.
type pen struct {
	fg, bg                         string // "" is the default
	bold, faint, underline, revers bool
}

// cell is one drawn run of text in one pen.
type run struct {
	x, y int
	text string
	p    pen
	w    int
	open bool // the line ended in this run with its pen still set
	bgw  int  // cells its background covers (to the edge, for an open run)
}

func main() {
	b, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ansisvg:", err)
		os.Exit(1)
	}
	runs, cols, rows := parse(string(b))
	if len(os.Args) == 2 {
		// The screen's width: a line that ends with a background still
		// set (a header, a selected row) had it to the right edge, but the
		// capture drops trailing blanks.
		if w, err := strconv.Atoi(os.Args[1]); err == nil && w > cols {
			cols = w
		}
	}
	runs = fillToEdge(runs, cols)
	w := bufio.NewWriter(os.Stdout)
	writeSVG(w, runs, cols, rows)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "ansisvg:", err)
		os.Exit(1)
	}
}

// parse splits the screen into runs of text that share a pen.
func parse(s string) (runs []run, cols, rows int) {
	var p pen
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for y, line := range lines {
		x := 0
		var cur strings.Builder
		start, curW := 0, 0
		flush := func() {
			if cur.Len() > 0 {
				runs = append(runs, run{x: start, y: y, text: cur.String(), p: p, w: curW})
			}
			cur.Reset()
			start, curW = x, 0
		}
		for i := 0; i < len(line); {
			if line[i] == 0x1b {
				end := i + 1
				if end < len(line) && line[end] == '[' {
					end++
					for end < len(line) && (line[end] < 0x40 || line[end] > 0x7e) {
						end++
					}
					if end < len(line) && line[end] == 'm' {
						flush()
						p = sgr(p, line[i+2:end])
					}
					i = end + 1
					continue
				}
				if end < len(line) && line[end] == ']' {
					// OSC (a hyperlink, a title): up to BEL or ESC \.
					stop := strings.IndexAny(line[end:], "\a\x1b")
					if stop < 0 {
						break
					}
					i = end + stop + 1
					if line[end+stop] == 0x1b {
						i++
					}
					continue
				}
				i = end + 1 // some other escape: skipped
				continue
			}
			g, width := ansi.FirstGraphemeCluster(line[i:], ansi.GraphemeWidth)
			if g == "" {
				break
			}
			if cur.Len() == 0 {
				start = x
			}
			cur.WriteString(g)
			curW += width
			x += width
			i += len(g)
		}
		flush()
		if n := len(runs); n > 0 && runs[n-1].y == y && p.bg != "" {
			runs[n-1].open = true
		}
		cols = max(cols, x)
	}
	return runs, cols, len(lines)
}

// fillToEdge extends the background of a line's only run to the edge when
// the line ended with that background still set: a full-width bar (the
// header, a selected table row) whose trailing blanks the capture dropped.
func fillToEdge(runs []run, cols int) []run {
	for i := range runs {
		last := i == len(runs)-1 || runs[i+1].y != runs[i].y
		first := i == 0 || runs[i-1].y != runs[i].y
		if last && first && runs[i].x == 0 && runs[i].p.bg != "" && runs[i].open {
			runs[i].bgw = cols - runs[i].x
		}
	}
	return runs
}

// sgr applies the parameters of one "ESC [ … m".
func sgr(p pen, params string) pen {
	if params == "" {
		return pen{}
	}
	f := strings.Split(params, ";")
	for i := 0; i < len(f); i++ {
		n, _ := strconv.Atoi(f[i])
		switch {
		case n == 0:
			p = pen{}
		case n == 1:
			p.bold = true
		case n == 2:
			p.faint = true
		case n == 4:
			p.underline = true
		case n == 7:
			p.revers = true
		case n == 22:
			p.bold, p.faint = false, false
		case n == 24:
			p.underline = false
		case n == 27:
			p.revers = false
		case n >= 30 && n <= 37:
			p.fg = palette(n - 30)
		case n >= 90 && n <= 97:
			p.fg = palette(n - 90 + 8)
		case n >= 40 && n <= 47:
			p.bg = palette(n - 40)
		case n >= 100 && n <= 107:
			p.bg = palette(n - 100 + 8)
		case n == 39:
			p.fg = ""
		case n == 49:
			p.bg = ""
		case n == 38 || n == 48:
			var c string
			c, i = extended(f, i)
			if n == 38 {
				p.fg = c
			} else {
				p.bg = c
			}
		}
	}
	return p
}

// extended reads "5;N" or "2;R;G;B" after a 38 or 48 at f[i].
func extended(f []string, i int) (string, int) {
	if i+2 < len(f) && f[i+1] == "5" {
		n, _ := strconv.Atoi(f[i+2])
		return palette(n), i + 2
	}
	if i+4 < len(f) && f[i+1] == "2" {
		r, _ := strconv.Atoi(f[i+2])
		g, _ := strconv.Atoi(f[i+3])
		b, _ := strconv.Atoi(f[i+4])
		return fmt.Sprintf("#%02x%02x%02x", r, g, b), i + 4
	}
	return "", len(f)
}

// palette is xterm's 256 colours.
func palette(n int) string {
	base := []string{"#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
		"#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"}
	switch {
	case n < 0 || n > 255:
		return ""
	case n < 16:
		return base[n]
	case n < 232:
		n -= 16
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		return fmt.Sprintf("#%02x%02x%02x", level(n/36), level(n/6%6), level(n%6))
	}
	g := 8 + 10*(n-232)
	return fmt.Sprintf("#%02x%02x%02x", g, g, g)
}

// writeSVG draws the runs: backgrounds first, then the text over them.
func writeSVG(w io.Writer, runs []run, cols, rows int) {
	width, height := pad*2+float64(cols)*cellW, pad*2+float64(rows)*cellH
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`+"\n", width, height, width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="%s"/>`+"\n", background)
	fmt.Fprintln(w, `<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14" xml:space="preserve">`)
	for _, r := range runs {
		fg, bg := r.p.fg, r.p.bg
		if r.p.revers {
			fg, bg = bg, fg
			if fg == "" {
				fg = background
			}
			if bg == "" {
				bg = foreground
			}
		}
		if bg != "" {
			fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n",
				pad+float64(r.x)*cellW, pad+float64(r.y)*cellH, float64(max(r.w, r.bgw))*cellW, cellH, bg)
		}
	}
	for _, r := range runs {
		if strings.TrimSpace(r.text) == "" {
			continue
		}
		fg := r.p.fg
		if r.p.revers {
			fg = r.p.bg
			if fg == "" {
				fg = background
			}
		}
		if fg == "" {
			fg = foreground
		}
		attrs := fmt.Sprintf(`x="%.1f" y="%.1f" fill="%s" textLength="%.1f"`, pad+float64(r.x)*cellW, pad+float64(r.y)*cellH+cellH*0.75, fg, float64(r.w)*cellW)
		if r.p.bold {
			attrs += ` font-weight="bold"`
		}
		if r.p.faint {
			attrs += ` opacity="0.6"`
		}
		if r.p.underline {
			attrs += ` text-decoration="underline"`
		}
		fmt.Fprintf(w, "<text %s>%s</text>\n", attrs, html.EscapeString(r.text))
	}
	fmt.Fprintln(w, "</g></svg>")
}
