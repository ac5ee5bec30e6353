package markdown

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"procbox/ui/internal/common"
)

// Styles are the few styles the lesson renderer needs, derived from
// the UI's Styles so light, dark, no-colour and presenter all follow.
type Styles struct {
	Heading, Heading2, Text, Bold, Italic, Code, Bullet lipgloss.Style
	Presenter                                           bool
}

func NewStyles(s common.Styles) Styles {
	return Styles{
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

// maxDepth bounds list and quote nesting: deeper input is drawn flat
// rather than recursing without end (and the fuzz target tries).
const maxDepth = 16

// Render draws src as styled lines of at most width cells (width is
// raised to 10 if smaller).
func Render(src string, width int, st Styles) []string {
	if width < 10 {
		width = 10
	}
	blocks := parseBlocks(splitLines(src), 0)
	r := renderer{width: width, st: st}
	for _, b := range blocks {
		r.block(b, "", "")
	}
	// One blank line between blocks is enough; none at the end (the pane
	// adds its own spacing).
	out := r.lines[:0]
	for _, l := range r.lines {
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	// A last guard for pathological nesting: no line is wider than asked.
	for i, l := range out {
		if ansi.StringWidth(l) > width {
			out[i] = ansi.Truncate(l, width, "…")
		}
	}
	return out
}

// splitLines splits src into lines with tabs expanded and control characters
// dropped: the terminal would move the cursor for them, and the width
// arithmetic below would no longer hold.
func splitLines(src string) []string {
	// Invalid UTF-8 becomes U+FFFD first: a stray 0x9b byte is a C1 control
	// (CSI) to a terminal, and it would hide from the control filter below.
	src = strings.ToValidUTF8(strings.ReplaceAll(src, "\r\n", "\n"), "\uFFFD")
	lines := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	for i, l := range lines {
		if !strings.ContainsFunc(l, isControl) {
			continue
		}
		var b strings.Builder
		col := 0
		for _, r := range l {
			switch {
			case r == '\t':
				n := 4 - col%4
				b.WriteString(strings.Repeat(" ", n))
				col += n
			case isControl(r):
			default:
				b.WriteRune(r)
				col++
			}
		}
		lines[i] = b.String()
	}
	return lines
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// blockKind is the kind of a block.
type blockKind int

const (
	kindPara blockKind = iota
	kindHeading
	kindCode
	kindList
	kindQuote
	kindRule
)

// block is one block of the document.
type block struct {
	kind    blockKind
	level   int      // heading level
	text    string   // the inline source of a heading or paragraph
	lines   []string // the lines of a code block
	ordered bool     // list: numbered
	start   int      // list: the first number
	tight   bool     // list: no blank lines between items (paragraphs have no gap)
	items   [][]block
	kids    []block // quote
}

// indentOf is the width of the leading spaces of l.
func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

func isBlank(l string) bool { return strings.TrimSpace(l) == "" }

// unindent removes up to n leading spaces.
func unindent(l string, n int) string {
	i := 0
	for i < n && i < len(l) && l[i] == ' ' {
		i++
	}
	return l[i:]
}

// headingOf reads an ATX heading ("## Title ##").
func headingOf(l string) (level int, text string, ok bool) {
	if indentOf(l) > 3 {
		return 0, "", false
	}
	t := strings.TrimLeft(l, " ")
	for level < len(t) && t[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(t) && t[level] != ' ') {
		return 0, "", false
	}
	text = strings.TrimSpace(t[level:])
	// An optional closing run of #, after a space.
	if end := strings.TrimRight(text, "#"); end != text && (end == "" || strings.HasSuffix(end, " ")) {
		text = strings.TrimSpace(end)
	}
	return level, text, true
}

// fenceOf reads an opening code fence: its character, length and indent.
func fenceOf(l string) (ch byte, n, indent int, ok bool) {
	indent = indentOf(l)
	if indent > 3 {
		return 0, 0, 0, false
	}
	t := l[indent:]
	if len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return 0, 0, 0, false
	}
	ch = t[0]
	for n < len(t) && t[n] == ch {
		n++
	}
	if n < 3 || (ch == '`' && strings.Contains(t[n:], "`")) {
		return 0, 0, 0, false
	}
	return ch, n, indent, true
}

// closesFence reports whether l closes a fence of n ch characters.
func closesFence(l string, ch byte, n int) bool {
	if indentOf(l) > 3 {
		return false
	}
	t := strings.TrimSpace(l)
	return len(t) >= n && strings.Trim(t, string(ch)) == ""
}

// isRule reports a thematic break: three or more of -, * or _ alone.
func isRule(l string) bool {
	if indentOf(l) > 3 {
		return false
	}
	t := strings.ReplaceAll(strings.TrimSpace(l), " ", "")
	if len(t) < 3 {
		return false
	}
	return strings.Trim(t, t[:1]) == "" && strings.ContainsAny(t[:1], "-*_")
}

// listItem is a list item's opening line.
type listItem struct {
	ordered bool
	mark    byte // '-', '*', '+', or '.', ')' for numbers
	num     int
	content int    // the column where the item's text starts
	first   string // the rest of the opening line
}

// itemOf reads a list item's opening line.
func itemOf(l string) (it listItem, ok bool) {
	ind := indentOf(l)
	if ind > 3 {
		return it, false
	}
	t := l[ind:]
	w := 0
	switch {
	case t != "" && strings.ContainsRune("-*+", rune(t[0])):
		it.mark, w = t[0], 1
	default:
		for w < len(t) && w < 9 && t[w] >= '0' && t[w] <= '9' {
			w++
		}
		if w == 0 || w >= len(t) || (t[w] != '.' && t[w] != ')') {
			return it, false
		}
		it.ordered, it.mark = true, t[w]
		it.num, _ = strconv.Atoi(t[:w])
		w++
	}
	rest := t[w:]
	if rest != "" && rest[0] != ' ' {
		return it, false
	}
	sp := indentOf(rest)
	if sp > 4 || strings.TrimSpace(rest) == "" {
		// Indented code after the marker, or an empty item: one space counts.
		sp = min(sp, 1)
	}
	it.content = ind + w + sp
	it.first = rest[min(sp, len(rest)):]
	return it, true
}

// interrupts reports whether l starts a block that ends a paragraph.
func interrupts(l string) bool {
	if _, _, ok := headingOf(l); ok {
		return true
	}
	if _, _, _, ok := fenceOf(l); ok {
		return true
	}
	if isRule(l) {
		return true
	}
	if indentOf(l) <= 3 && strings.HasPrefix(strings.TrimLeft(l, " "), ">") {
		return true
	}
	if it, ok := itemOf(l); ok && strings.TrimSpace(it.first) != "" && (!it.ordered || it.num == 1) {
		return true
	}
	return false
}

// parseBlocks parses lines into blocks; depth counts the containers around.
func parseBlocks(lines []string, depth int) []block {
	var out []block
	for i := 0; i < len(lines); {
		l := lines[i]
		if isBlank(l) {
			i++
			continue
		}
		if level, text, ok := headingOf(l); ok {
			out = append(out, block{kind: kindHeading, level: level, text: text})
			i++
			continue
		}
		if ch, n, ind, ok := fenceOf(l); ok {
			b := block{kind: kindCode}
			closed := false
			for i++; i < len(lines) && !closed; i++ {
				if closed = closesFence(lines[i], ch, n); !closed {
					b.lines = append(b.lines, unindent(lines[i], ind))
				}
			}
			for len(b.lines) > 0 && !closed && isBlank(b.lines[len(b.lines)-1]) {
				b.lines = b.lines[:len(b.lines)-1] // an unclosed fence ends at the last text
			}
			out = append(out, b)
			continue
		}
		if isRule(l) {
			out = append(out, block{kind: kindRule})
			i++
			continue
		}
		if indentOf(l) >= 4 {
			// Indented code runs until a non-blank line that is not indented.
			b := block{kind: kindCode}
			for ; i < len(lines) && (isBlank(lines[i]) || indentOf(lines[i]) >= 4); i++ {
				b.lines = append(b.lines, unindent(lines[i], 4))
			}
			for len(b.lines) > 0 && isBlank(b.lines[len(b.lines)-1]) {
				b.lines = b.lines[:len(b.lines)-1]
			}
			out = append(out, b)
			continue
		}
		if t := strings.TrimLeft(l, " "); strings.HasPrefix(t, ">") {
			var inner []string
			for ; i < len(lines) && !isBlank(lines[i]); i++ {
				t := strings.TrimLeft(lines[i], " ")
				if !strings.HasPrefix(t, ">") {
					if interrupts(lines[i]) {
						break
					}
					inner = append(inner, t) // a lazy continuation line
					continue
				}
				t = strings.TrimPrefix(t[1:], " ")
				inner = append(inner, t)
			}
			b := block{kind: kindQuote}
			if depth < maxDepth {
				b.kids = parseBlocks(inner, depth+1)
			} else {
				b.kids = []block{{kind: kindPara, text: joinLines(inner)}}
			}
			out = append(out, b)
			continue
		}
		if it, ok := itemOf(l); ok {
			var b block
			b, i = parseList(lines, i, it, depth)
			out = append(out, b)
			continue
		}
		// A paragraph: lines up to a blank line or the start of another block.
		para := []string{l}
		for i++; i < len(lines) && !isBlank(lines[i]) && !interrupts(lines[i]); i++ {
			para = append(para, lines[i])
		}
		out = append(out, block{kind: kindPara, text: joinLines(para)})
	}
	return out
}

// joinLines makes one inline source of a paragraph's lines: a line break inside
// a paragraph is a space in the terminal, as on a web page.
func joinLines(lines []string) string {
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, " ")
}

// parseList reads the list that starts with item first at lines[i]. It
// returns the list and the index of the first line after it.
func parseList(lines []string, i int, first listItem, depth int) (block, int) {
	b := block{kind: kindList, ordered: first.ordered, start: first.num, tight: true}
	it := first
	for {
		// The item's lines, without its indentation.
		body := []string{it.first}
		blankBefore := false // a blank line inside the item (not at its end)
		lastBlank := false
		inFence := false
		var fch byte
		var fn int
		j := i + 1
		for ; j < len(lines); j++ {
			l := lines[j]
			if isBlank(l) {
				body = append(body, "")
				lastBlank = true
				continue
			}
			if indentOf(l) >= it.content {
				if lastBlank && !inFence {
					blankBefore = true
				}
				lastBlank = false
				u := unindent(l, it.content)
				if inFence {
					inFence = !closesFence(u, fch, fn)
				} else if ch, n, _, ok := fenceOf(u); ok {
					inFence, fch, fn = true, ch, n
				}
				body = append(body, u)
				continue
			}
			// Not indented enough: a lazy continuation of the item's
			// paragraph, or the end of the item.
			if _, item := itemOf(l); item || lastBlank || inFence || interrupts(l) {
				break
			}
			body = append(body, strings.TrimLeft(l, " "))
		}
		for len(body) > 0 && body[len(body)-1] == "" {
			body = body[:len(body)-1]
		}
		if blankBefore {
			b.tight = false
		}
		var kids []block
		if depth < maxDepth {
			kids = parseBlocks(body, depth+1)
		} else {
			kids = []block{{kind: kindPara, text: joinLines(body)}}
		}
		b.items = append(b.items, kids)
		i = j
		if i >= len(lines) {
			break
		}
		next, ok := itemOf(lines[i])
		if !ok || next.ordered != first.ordered || next.mark != first.mark || isRule(lines[i]) {
			break
		}
		if lastBlank {
			b.tight = false
		}
		it = next
	}
	return b, i
}

// renderer turns blocks into styled, wrapped lines.
type renderer struct {
	width int
	st    Styles
	lines []string
}

// gap puts one blank line between blocks.
func (r *renderer) gap() {
	if len(r.lines) > 0 && r.lines[len(r.lines)-1] != "" {
		r.lines = append(r.lines, "")
	}
}

// block renders one block; first prefixes its first line (a bullet), indent
// the following ones. Both have the same width.
func (r *renderer) block(b block, first, indent string) {
	if first == "" {
		first = indent
	}
	switch b.kind {
	case kindHeading:
		r.gap()
		plain := ansi.Strip(r.inline(b.text))
		style := r.st.Heading2
		if b.level == 1 {
			style = r.st.Heading
			if r.st.Presenter {
				plain = strings.ToUpper(plain)
			}
		}
		r.wrap(style.Render(plain), first, indent)
		if b.level == 1 {
			n := min(ansi.StringWidth(plain), r.width-ansi.StringWidth(indent))
			r.lines = append(r.lines, indent+r.st.Bullet.Render(strings.Repeat("─", max(n, 1))))
		}
		r.lines = append(r.lines, "")
	case kindPara:
		r.wrap(r.inline(b.text), first, indent)
		r.lines = append(r.lines, "")
	case kindList:
		for n, item := range b.items {
			mark := "• "
			if b.ordered {
				mark = strconv.Itoa(b.start+n) + ". "
			}
			sub := indent + strings.Repeat(" ", ansi.StringWidth(mark))
			if ansi.StringWidth(sub) > r.width/2 {
				sub = indent // too deep to indent further and still read
			}
			fp := indent + r.st.Bullet.Render(mark)
			if n == 0 {
				fp = first + r.st.Bullet.Render(mark)
			}
			for _, c := range item {
				if b.tight && c.kind == kindPara {
					// A tight list keeps its items on consecutive lines.
					r.wrap(r.inline(c.text), fp, sub)
				} else {
					r.block(c, fp, sub)
				}
				fp = sub
			}
			if len(item) == 0 {
				r.lines = append(r.lines, fp)
			}
			if b.tight {
				// No blank line inside a tight list, even after a nested one.
				for len(r.lines) > 0 && r.lines[len(r.lines)-1] == "" {
					r.lines = r.lines[:len(r.lines)-1]
				}
			}
		}
		r.lines = append(r.lines, "")
	case kindCode:
		w := max(r.width-ansi.StringWidth(indent)-2, 1)
		for i, l := range b.lines {
			p := indent
			if i == 0 {
				p = first
			}
			r.lines = append(r.lines, p+"  "+r.st.Code.Render(ansi.Truncate(l, w, "…")))
		}
		r.lines = append(r.lines, "")
	case kindRule:
		n := max(r.width-ansi.StringWidth(indent), 1)
		r.lines = append(r.lines, first+r.st.Bullet.Render(strings.Repeat("─", n)), "")
	case kindQuote:
		bar := r.st.Bullet.Render("│ ")
		fp := first + bar
		for _, c := range b.kids {
			r.block(c, fp, indent+bar)
			fp = indent + bar
		}
	}
}

// wrap word-wraps styled text to the width left after the prefixes.
func (r *renderer) wrap(s, first, indent string) {
	w := max(r.width-ansi.StringWidth(indent), 5)
	for i, l := range strings.Split(ansi.Wrap(s, w, ""), "\n") {
		p := indent
		if i == 0 {
			p = first
		}
		for _, f := range fitLines(l, w) {
			r.lines = append(r.lines, p+f)
			p = indent
		}
	}
}

// fitLines makes one wrapped line at most w cells wide. ansi.Wrap may leave a
// line one space too long, or keep a run of hyphens ("--") on a line that
// is then too long: the space is dropped, and the rest moves to lines of its
// own, broken at a space when there is one, so no text is lost.
func fitLines(l string, w int) []string {
	lw := ansi.StringWidth(l)
	if lw <= w {
		return []string{l}
	}
	plain := ansi.Strip(l)
	if strings.TrimRight(ansi.Cut(plain, w, lw), " ") == "" {
		return []string{ansi.Truncate(l, w, "")}
	}
	cut, col := 0, 0
	for _, r := range plain {
		if col >= w {
			break
		}
		if r == ' ' && col > 0 {
			cut = col
		}
		col += ansi.StringWidth(string(r))
	}
	skip := 1 // the space at the cut
	if cut == 0 {
		cut, skip = w, 0
	}
	return append([]string{ansi.Cut(l, 0, cut)}, fitLines(ansi.Cut(l, cut+skip, lw), w)...)
}

// inline renders inline markdown as one styled string.
func (r *renderer) inline(src string) string {
	var b strings.Builder
	var run strings.Builder
	var cur look
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(r.style(cur).Render(run.String()))
			run.Reset()
		}
	}
	// Adjacent text of the same look is styled once: fewer escape codes.
	var walk func(nodes []*inlineNode, look look)
	walk = func(nodes []*inlineNode, look look) {
		for _, n := range nodes {
			l := look
			switch n.kind {
			case kindText, kindDelim:
			case kindCodeSpan:
				l.code = true
			case kindEmph:
				l.emph = n.level
			case kindLink:
				l.link = true
			}
			if n.kind == kindEmph || n.kind == kindLink {
				walk(n.kids, l)
				continue
			}
			if l != cur {
				flush()
				cur = l
			}
			run.WriteString(n.text)
		}
	}
	walk(parseInline(src, 0), look{})
	flush()
	return b.String()
}

// look is how a piece of inline text is drawn.
type look struct {
	emph int // 0 plain, 1 emphasis, 2 strong (the innermost wins)
	link bool
	code bool
}

func (r *renderer) style(l look) lipgloss.Style {
	if l.code {
		return r.st.Code
	}
	s := r.st.Text
	switch l.emph {
	case 1:
		s = r.st.Italic
	case 2:
		s = r.st.Bold
	}
	if l.link {
		s = s.Underline(true)
	}
	return s
}

// inlineKind is the kind of an inline node.
type inlineKind int

const (
	kindText inlineKind = iota
	kindCodeSpan
	kindEmph
	kindLink
	kindDelim // a run of * or _ not (yet) matched
)

// inlineNode is one inline node.
type inlineNode struct {
	kind  inlineKind
	text  string
	level int // emphasis: 1 or 2
	kids  []*inlineNode
	// A delimiter run: its character, how many are left, and whether it may
	// open or close emphasis (CommonMark's flanking rules).
	ch              byte
	n               int
	canOpen, canEnd bool
}

// parseInline parses one paragraph's inline markdown.
func parseInline(s string, depth int) []*inlineNode {
	var nodes []*inlineNode
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &inlineNode{kind: kindText, text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			text.WriteByte(s[i+1])
			i += 2
			continue
		case c == '`':
			n := runLen(s, i, '`')
			if end := findTicks(s, i+n, n); end >= 0 {
				flush()
				code := s[i+n : end]
				if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
					code = code[1 : len(code)-1]
				}
				nodes = append(nodes, &inlineNode{kind: kindCodeSpan, text: code})
				i = end + n
				continue
			}
			text.WriteString(s[i : i+n]) // no closing run: literal backticks
			i += n
			continue
		case c == '*' || c == '_':
			n := runLen(s, i, c)
			flush()
			before, after := runeBefore(s, i), runeAfter(s, i+n)
			left := !isSpace(after) && (!isPunctRune(after) || isSpace(before) || isPunctRune(before))
			right := !isSpace(before) && (!isPunctRune(before) || isSpace(after) || isPunctRune(after))
			d := &inlineNode{kind: kindDelim, ch: c, n: n, canOpen: left, canEnd: right}
			if c == '_' {
				// Underscores inside a word (snake_case) are not emphasis.
				d.canOpen = left && (!right || isPunctRune(before))
				d.canEnd = right && (!left || isPunctRune(after))
			}
			nodes = append(nodes, d)
			i += n
			continue
		case c == '[' && depth < maxDepth:
			if textEnd, urlEnd, ok := linkAt(s, i); ok {
				flush()
				nodes = append(nodes, &inlineNode{kind: kindLink, kids: parseInline(s[i+1:textEnd], depth+1)})
				i = urlEnd + 1
				continue
			}
		case c == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 && isAutolink(s[i+1:i+end]) {
				flush()
				nodes = append(nodes, &inlineNode{kind: kindLink, kids: []*inlineNode{{kind: kindText, text: s[i+1 : i+end]}}})
				i += end + 1
				continue
			}
		}
		text.WriteByte(c)
		i++
	}
	flush()
	return resolveEmphasis(nodes)
}

// resolveEmphasis pairs delimiter runs into emphasis, closest opener first, as
// CommonMark does; runs left over become literal text.
func resolveEmphasis(nodes []*inlineNode) []*inlineNode {
	for c := 0; c < len(nodes); c++ {
		closer := nodes[c]
		if closer.kind != kindDelim || !closer.canEnd {
			continue
		}
		for closer.n > 0 {
			o := -1
			for j := c - 1; j >= 0; j-- {
				op := nodes[j]
				if op.kind != kindDelim || op.ch != closer.ch || !op.canOpen || op.n == 0 {
					continue
				}
				// The "rule of three": a run that can both open and close
				// does not pair when the lengths add up to a multiple of 3.
				if (op.canEnd || closer.canOpen) && (op.n+closer.n)%3 == 0 && (op.n%3 != 0 || closer.n%3 != 0) {
					continue
				}
				o = j
				break
			}
			if o < 0 {
				break
			}
			op := nodes[o]
			use := 1
			if op.n >= 2 && closer.n >= 2 {
				use = 2
			}
			op.n -= use
			closer.n -= use
			kids := literals(append([]*inlineNode(nil), nodes[o+1:c]...))
			em := &inlineNode{kind: kindEmph, level: use, kids: kids}
			rest := append([]*inlineNode{em}, nodes[c:]...)
			nodes = append(nodes[:o+1], rest...)
			c = o + 2
			if op.n == 0 {
				nodes = append(nodes[:o], nodes[o+1:]...)
				c--
			}
		}
		if closer.n == 0 {
			nodes = append(nodes[:c], nodes[c+1:]...)
			c--
		}
	}
	return literals(nodes)
}

// literals turns the delimiter runs left in nodes into text.
func literals(nodes []*inlineNode) []*inlineNode {
	out := nodes[:0]
	for _, n := range nodes {
		if n.kind == kindDelim {
			if n.n == 0 {
				continue
			}
			n = &inlineNode{kind: kindText, text: strings.Repeat(string(n.ch), n.n)}
		}
		out = append(out, n)
	}
	return out
}

// runLen is the length of the run of c starting at s[i].
func runLen(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// findTicks finds the next run of exactly n backticks from i, or -1.
func findTicks(s string, i, n int) int {
	for i < len(s) {
		k := strings.IndexByte(s[i:], '`')
		if k < 0 {
			return -1
		}
		i += k
		m := runLen(s, i, '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// linkAt reads "[text](url)" at s[i]: the index of "]" and of ")".
func linkAt(s string, i int) (textEnd, urlEnd int, ok bool) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '`':
			n := runLen(s, j, '`')
			if end := findTicks(s, j+n, n); end >= 0 {
				j = end + n - 1
			} else {
				j += n - 1
			}
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				if j+1 >= len(s) || s[j+1] != '(' {
					return 0, 0, false
				}
				end := strings.IndexByte(s[j+2:], ')')
				if end < 0 {
					return 0, 0, false
				}
				return j, j + 2 + end, true
			}
		}
	}
	return 0, 0, false
}

// isAutolink reports whether s (between < and >) is a URL or an e-mail address.
func isAutolink(s string) bool {
	if s == "" || strings.ContainsAny(s, " <>") {
		return false
	}
	if k := strings.IndexByte(s, ':'); k >= 2 && k <= 32 {
		for _, r := range s[:k] {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '.' || r == '-') {
				return false
			}
		}
		return true
	}
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.Contains(s[at+1:], "@")
}

func isPunct(c byte) bool {
	return c < 0x80 && unicode.IsPunct(rune(c)) || strings.IndexByte("$+<=>^`|~", c) >= 0
}

func isPunctRune(r rune) bool {
	if r < 0x80 {
		return r > 0 && isPunct(byte(r))
	}
	return unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// isSpace is true for whitespace and for the start or end of the text (0).
func isSpace(r rune) bool { return r == 0 || unicode.IsSpace(r) }

func runeBefore(s string, i int) rune {
	if i == 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func runeAfter(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}
