package markdown

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"procbox/lessons"
	"procbox/ui/internal/common"
)

// goldmark is the oracle for our own renderer: a CommonMark library reads
// every lesson, and the text it finds must be the text we draw, in the same
// order, at every width. Our renderer exists only to keep goldmark's package
// init out of every procbox process (see doc.go); this test-only import costs
// the binary nothing.

// oracleText is the visible text goldmark finds in src, as Render draws it:
// text, code spans, link texts, autolinks, code lines, and the number in
// front of an ordered list's item. Whitespace is dropped, so the comparison
// is blind to wrapping (and to a word split across lines) and to nothing else.
func oracleText(t *testing.T, src string) string {
	t.Helper()
	source := []byte(src)
	doc := goldmark.New().Parser().Parse(text.NewReader(source))
	var b strings.Builder
	lines := func(n ast.Node) {
		for i := range n.Lines().Len() {
			seg := n.Lines().At(i)
			b.Write(seg.Value(source))
		}
	}
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			b.Write(n.Segment.Value(source))
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.URL(source))
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
			lines(n)
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			for i := range n.Segments.Len() {
				seg := n.Segments.At(i)
				b.Write(seg.Value(source))
			}
			return ast.WalkSkipChildren, nil
		case *ast.ListItem:
			if l, ok := n.Parent().(*ast.List); ok && l.IsOrdered() {
				i := 0
				for c := l.FirstChild(); c != nil && c != ast.Node(n); c = c.NextSibling() {
					i++
				}
				b.WriteString(strconv.Itoa(l.Start+i) + ".")
			}
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return squeeze(b.String())
}

// drawnText is the text Render drew, without the decorations it adds: the
// bullets, the quote bars, the rules and the line under a title.
func drawnText(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		for _, f := range strings.Fields(ansi.Strip(l)) {
			if f == "•" || f == "│" || strings.Trim(f, "─") == "" {
				continue
			}
			b.WriteString(f)
		}
	}
	return b.String()
}

// squeeze drops every whitespace character.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// fencedCode matches a fenced code block (the lessons fence with ```).
var fencedCode = regexp.MustCompile("(?ms)^[ \t]*```.*?^[ \t]*```[ \t]*$")

// oracleCode is every line of every code block goldmark finds in src.
func oracleCode(t *testing.T, src string) []string {
	t.Helper()
	source := []byte(src)
	doc := goldmark.New().Parser().Parse(text.NewReader(source))
	var out []string
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if entering {
				for i := range n.Lines().Len() {
					seg := n.Lines().At(i)
					out = append(out, strings.TrimRight(string(seg.Value(source)), "\n"))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRenderAgreesWithGoldmark: over every lesson step, at every width, our
// renderer draws exactly the text goldmark finds, in its order (compared on
// the step without its code blocks), and every code line goldmark finds is
// drawn in order on a line of its own, whole or, when it is wider than the
// pane, cut with … by design.
func TestRenderAgreesWithGoldmark(t *testing.T) {
	st := NewStyles(common.NewStyles(true, true))
	steps, codeLines := 0, 0
	for _, l := range lessons.Catalog() {
		for _, s := range l.Steps {
			body, err := s.Body()
			if err != nil {
				t.Fatal(err)
			}
			steps++
			noCode := fencedCode.ReplaceAllString(body, "")
			code := oracleCode(t, body)
			codeLines += len(code)
			for _, width := range []int{24, 40, 66, 100, 120} {
				want := oracleText(t, noCode)
				got := drawnText(Render(noCode, width, st))
				if got != want {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Errorf("%s/%s at width %d differs from goldmark at byte %d:\n ours: …%s\n gold: …%s",
						l.ID, s.ID, width, i, clip(got[i:]), clip(want[i:]))
				}
				drawn := Render(body, width, st)
				next := 0
				for _, c := range code {
					found := false
					for ; next < len(drawn) && !found; next++ {
						found = sameCodeLine(ansi.Strip(drawn[next]), c)
					}
					if !found {
						t.Errorf("%s/%s at width %d: code line %q not drawn (in order)", l.ID, s.ID, width, c)
						break
					}
				}
			}
		}
	}
	if steps < 30 || codeLines == 0 {
		t.Fatalf("%d lesson steps, %d code lines found: the oracle did not see the course", steps, codeLines)
	}
}

// sameCodeLine reports whether a drawn line shows code line c: the same text
// after the indent, or its beginning cut with ….
func sameCodeLine(drawn, c string) bool {
	d := strings.TrimSpace(drawn)
	c = strings.TrimSpace(c)
	if d == c {
		return true
	}
	cut, ok := strings.CutSuffix(d, "…")
	return ok && cut != "" && strings.HasPrefix(c, strings.TrimSpace(cut))
}

// TestOracleSeesMarkup: the oracle itself tells markup from text, so a
// renderer that leaked ** or dropped a word would fail the test above.
func TestOracleSeesMarkup(t *testing.T) {
	src := "# Title ##\n\nSome **bold**, *em* and `code` [link](http://x).\n\n3. three\n4. four\n\n- a\n\n```\nls -l\n```\n"
	want := "TitleSomebold,emandcodelink.3.three4.foura" + "ls-l"
	if got := oracleText(t, src); got != want {
		t.Fatalf("oracle = %q, want %q", got, want)
	}
	if got := drawnText(Render(src, 30, NewStyles(common.NewStyles(true, true)))); got != want {
		t.Fatalf("drawn = %q, want %q", got, want)
	}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}
