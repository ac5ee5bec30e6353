package markdown

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"procbox/lessons"
	"procbox/ui/internal/common"
)

// The renderer is checked on the visible text (ansi.Strip) at a given width;
// the styles are checked separately where they carry meaning.
func TestRenderCases(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		width int
		want  string
	}{
		{"heading closing hashes", "## Try it ##\n", 40, "Try it"},
		{"heading needs a space", "#hashtag\n", 40, "#hashtag"},
		{"h1 underlined", "# Hi\n", 40, "Hi\n──"},
		{"paragraph lines join", "one\ntwo\n\nthree\n", 40, "one two\n\nthree"},
		{"tight bullets", "- a\n- b\n* c\n", 40, "• a\n• b\n\n• c"},
		{"loose bullets", "- a\n\n- b\n", 40, "• a\n\n• b"},
		{"ordered from 3", "3. x\n4. y\n", 40, "3. x\n4. y"},
		{"nested list", "- a\n  - b\n- c\n", 40, "• a\n  • b\n• c"},
		{"list lazy continuation", "- one\ntwo\n- three\n", 40, "• one two\n• three"},
		{"list item wraps under its text", "- aaa bbb ccc ddd\n", 10, "• aaa bbb\n  ccc ddd"},
		{"paragraph not broken by 2.", "It costs\n2. Then more.\n", 40, "It costs 2. Then more."},
		{"fence", "```sh\nls -l\n```\nafter\n", 40, "  ls -l\n\nafter"},
		{"tilde fence keeps backticks", "~~~\na ``` b\n~~~\n", 40, "  a ``` b"},
		{"unclosed fence runs to the end", "```\nx\n\ny\n\n", 40, "  x\n\n  y"},
		{"indented code", "    code here\n", 40, "  code here"},
		{"code line truncated", "```\n0123456789abcdef\n```\n", 10, "  0123456…"},
		{"code in list", "- run:\n\n  ```\n  ls\n  ```\n", 40, "• run:\n\n    ls"},
		{"rule", "a\n\n---\n\nb\n", 12, "a\n\n────────────\n\nb"},
		{"quote", "> wise\nwords\n", 40, "│ wise words"},
		{"strong and em", "**b** and *e* and __u__ and _v_", 40, "b and e and u and v"},
		{"snake_case is text", "a snake_case_name here", 40, "a snake_case_name here"},
		{"lone stars are text", "2 * 3 * 4 and a*", 40, "2 * 3 * 4 and a*"},
		{"unmatched strong", "**open but never closed", 40, "**open but never closed"},
		{"triple", "***both*** end", 40, "both end"},
		{"code span", "run `ls -l` now", 40, "run ls -l now"},
		{"code span with a backtick", "``a ` b``", 40, "a ` b"},
		{"code span keeps stars", "`*x*`", 40, "*x*"},
		{"lone backtick", "a ` b", 40, "a ` b"},
		{"escapes", `\*not em\* and \_no\_`, 40, "*not em* and _no_"},
		{"backslash before a letter stays", `a\b`, 40, `a\b`},
		{"link", "see [the man page](https://man7.org) now", 40, "see the man page now"},
		{"link text styled", "[**x**](u)", 40, "x"},
		{"not a link", "[x] and [y] (z)", 40, "[x] and [y] (z)"},
		{"autolink", "<https://example.org>", 40, "https://example.org"},
		{"placeholder stays", "/proc/<PID>/status", 40, "/proc/<PID>/status"},
		{"hyphens do not overflow", "By hand: capsh --drop=cap_chown -- -c x", 33, "By hand: capsh --drop=cap_chown\n--\n-c x"},
		{"tabs and controls", "a\tb\x1b[31mc\x07", 40, "a   b[31mc"},
		{"crlf", "a\r\nb\r\n", 40, "a b"},
		{"blank runs collapse", "- a\n\n- b\n\n\n\npara\n", 40, "• a\n\n• b\n\npara"},
		{"empty", "", 40, ""},
		{"empty item", "-\n- b\n", 40, "•\n• b"},
		{"width under 10 is 10", "aaaa bbbb cccc", 3, "aaaa bbbb\ncccc"},
	}
	st := NewStyles(common.NewStyles(true, true))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := Render(c.src, c.width, st)
			got := ansi.Strip(strings.Join(lines, "\n"))
			// Trailing spaces are invisible; the table does not spell them.
			got = trimLines(got)
			if got != c.want {
				t.Errorf("Render(%q, %d)\ngot\n%s\nwant\n%s", c.src, c.width, got, c.want)
			}
			checkMarkdownWidth(t, lines, c.width)
		})
	}
}

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

func checkMarkdownWidth(t *testing.T, lines []string, width int) {
	t.Helper()
	for _, l := range lines {
		if ansi.StringWidth(l) > max(width, 10) {
			t.Errorf("line wider than %d: %q", max(width, 10), l)
		}
	}
}

// The styles carry meaning: strong is bold, emphasis italic, code the code
// style; the innermost emphasis wins, as before.
func TestRenderStyles(t *testing.T) {
	st := NewStyles(common.NewStyles(true, true))
	got := strings.Join(Render("**b** *i* `c` ***bi***", 40, st), "\n")
	for _, want := range []string{st.Bold.Render("b"), st.Italic.Render("i"), st.Code.Render("c")} {
		if !strings.Contains(got, want) {
			t.Errorf("%q does not contain %q", got, want)
		}
	}
	// Adjacent text of one style is one run: one escape sequence, not one per word.
	got = strings.Join(Render("*two words*", 40, st), "\n")
	if want := st.Italic.Render("two words"); !strings.Contains(got, want) {
		t.Errorf("%q does not contain %q", got, want)
	}
}

// Every lesson step renders within every width, in every style.
func TestRenderLessonsFit(t *testing.T) {
	for _, nc := range []bool{false, true} {
		st := NewStyles(common.NewStyles(true, nc))
		for _, l := range lessons.Catalog() {
			for _, s := range l.Steps {
				body, err := s.Body()
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range []int{10, 20, 33, 40, 55, 66, 80, 120} {
					lines := Render(body, w, st)
					if len(lines) == 0 {
						t.Errorf("%s at %d: nothing drawn", s.Text, w)
					}
					checkMarkdownWidth(t, lines, w)
					// Markup never leaks into the visible text.
					plain := ansi.Strip(strings.Join(lines, "\n"))
					if strings.Contains(plain, "**") || strings.Contains(plain, "```") {
						t.Errorf("%s at %d: markup left in the text:\n%s", s.Text, w, plain)
					}
				}
			}
		}
	}
}

// FuzzRender: any input, any width — no panic, no line wider than asked.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# T\n\npara **b** *e* `c`\n\n- a\n  - b\n\n1. x\n\n```\ncode\n```\n",
		"> q\n> - a\n>   ```\n>   x\n", "***a**b*c_d_", "[a](b) <http://x> \\* `` ` ``",
		strings.Repeat("- ", 40) + "deep", strings.Repeat("> ", 40) + "deep",
		"x\t\ty\x1b[2J", "日本語のテキスト **太字** とても長い行がここにあります",
	} {
		f.Add(s, uint8(20))
	}
	st := NewStyles(common.NewStyles(true, false))
	f.Fuzz(func(t *testing.T, src string, width uint8) {
		lines := Render(src, int(width), st)
		checkMarkdownWidth(t, lines, int(width))
	})
}
