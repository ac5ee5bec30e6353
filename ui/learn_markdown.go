package ui

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// markdownStyles are the few styles the lesson renderer needs, derived from
// the UI's Styles so light, dark, no-colour and presenter all follow.
type markdownStyles struct {
	Heading, Heading2, Text, Bold, Italic, Code, Bullet lipgloss.Style
	Presenter                                           bool
}

func newMarkdownStyles(s Styles) markdownStyles {
	return markdownStyles{
		Heading:   s.Title.Bold(true),
		Heading2:  s.Title,
		Text:      s.Text,
		Bold:      s.Text.Bold(true),
		Italic:    s.Text.Italic(true),
		Code:      s.Code,
		Bullet:    s.Subtle,
		Presenter: s.Presenter,
	}
}

// renderMarkdown draws the lesson subset of markdown (headings, paragraphs,
// lists, code spans and blocks, emphasis, links) as styled lines of at most
// width cells. goldmark parses; lipgloss styles; nothing else is needed, so the
// child re-exec never pays for a syntax highlighter's start-up.
func renderMarkdown(src string, width int, st markdownStyles) []string {
	if width < 10 {
		width = 10
	}
	source := []byte(src)
	doc := goldmark.New().Parser().Parse(text.NewReader(source))
	r := mdRenderer{src: source, width: width, st: st}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		r.block(n, "", "")
	}
	// No trailing blank line: the pane adds its own spacing.
	for len(r.lines) > 0 && r.lines[len(r.lines)-1] == "" {
		r.lines = r.lines[:len(r.lines)-1]
	}
	return r.lines
}

type mdRenderer struct {
	src   []byte
	width int
	st    markdownStyles
	lines []string
}

// gap puts one blank line between blocks.
func (r *mdRenderer) gap() {
	if len(r.lines) > 0 && r.lines[len(r.lines)-1] != "" {
		r.lines = append(r.lines, "")
	}
}

// block renders one block node; first prefixes its first line (a bullet),
// indent the following ones.
func (r *mdRenderer) block(n ast.Node, first, indent string) {
	switch n := n.(type) {
	case *ast.Heading:
		r.gap()
		t := r.inline(n, r.st.Text)
		plain := ansi.Strip(t)
		style := r.st.Heading2
		if n.Level == 1 {
			style = r.st.Heading
			if r.st.Presenter {
				plain = strings.ToUpper(plain)
			}
		}
		r.wrap(style.Render(plain), first, indent)
		if n.Level == 1 {
			r.lines = append(r.lines, indent+r.st.Bullet.Render(strings.Repeat("─", min(ansi.StringWidth(plain), r.width-len(indent)))))
		}
		r.lines = append(r.lines, "")
	case *ast.Paragraph, *ast.TextBlock:
		r.wrap(r.inline(n, r.st.Text), first, indent)
		if _, tight := n.(*ast.TextBlock); !tight {
			r.lines = append(r.lines, "")
		}
	case *ast.List:
		i := 1
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			mark := "• "
			if n.IsOrdered() {
				mark = strconv.Itoa(i) + ". "
			}
			i++
			sub := indent + "  "
			fp := indent + r.st.Bullet.Render(mark)
			if n.IsOrdered() {
				sub = indent + strings.Repeat(" ", len(mark))
			}
			for c := item.FirstChild(); c != nil; c = c.NextSibling() {
				r.block(c, fp, sub)
				fp = sub
			}
		}
		r.lines = append(r.lines, "")
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			l := strings.TrimRight(string(seg.Value(r.src)), "\n")
			l = ansi.Truncate(l, r.width-len(indent)-2, "…")
			r.lines = append(r.lines, indent+"  "+r.st.Code.Render(l))
		}
		r.lines = append(r.lines, "")
	case *ast.ThematicBreak:
		r.lines = append(r.lines, indent+r.st.Bullet.Render(strings.Repeat("─", r.width-len(indent))), "")
	default:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			r.block(c, first, indent)
		}
	}
}

// wrap word-wraps styled text to the width left after the prefixes.
func (r *mdRenderer) wrap(s, first, indent string) {
	w := r.width - ansi.StringWidth(indent)
	if w < 5 {
		w = 5
	}
	for i, l := range strings.Split(ansi.Wrap(s, w, ""), "\n") {
		p := indent
		if i == 0 && first != "" {
			p = first
		}
		r.lines = append(r.lines, p+l)
	}
}

// inline renders the inline children of n as one styled string.
func (r *mdRenderer) inline(n ast.Node, base lipgloss.Style) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.WriteString(base.Render(string(c.Value(r.src))))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteString(" ")
			}
		case *ast.String:
			b.WriteString(base.Render(string(c.Value)))
		case *ast.CodeSpan:
			var code strings.Builder
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if tx, ok := t.(*ast.Text); ok {
					code.Write(tx.Value(r.src))
				}
			}
			b.WriteString(r.st.Code.Render(code.String()))
		case *ast.Emphasis:
			style := r.st.Italic
			if c.Level >= 2 {
				style = r.st.Bold
			}
			b.WriteString(r.inline(c, style))
		case *ast.Link:
			b.WriteString(r.inline(c, base.Underline(true)))
		case *ast.AutoLink:
			b.WriteString(base.Underline(true).Render(string(c.URL(r.src))))
		default:
			b.WriteString(r.inline(c, base))
		}
	}
	return b.String()
}
