package lessons

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Print renders lesson id as a handout: markdown when markdown is true, plain
// text otherwise. An unknown id returns "".
func Print(id string, markdown bool) string {
	l, ok := Find(id)
	if !ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", l.Title)
	fmt.Fprintf(&b, "About %d minutes, %d steps.\n\n", l.Minutes, len(l.Steps))
	for i, s := range l.Steps {
		body, err := s.Body()
		if err != nil {
			body = "(text missing: " + err.Error() + ")"
		}
		// Step files start with their own "# Title"; demote it under the lesson.
		body = strings.TrimSpace(body)
		body = strings.TrimPrefix(body, "# ")
		if nl := strings.IndexByte(body, '\n'); nl >= 0 {
			body = strings.TrimSpace(body[nl+1:])
		}
		fmt.Fprintf(&b, "## %d. %s\n\n%s\n\n", i+1, s.Title, body)
		fmt.Fprintf(&b, "**In procbox:** press a to %s.", s.Action.Label)
		if s.DIY != nil {
			b.WriteString(" Or press s and type the commands above in a shell of your own: the check reads what they did.")
		}
		b.WriteString("\n\n")
		if s.Hint != "" {
			fmt.Fprintf(&b, "**Hint:** %s\n\n", s.Hint)
		}
	}
	if len(l.Quiz) > 0 {
		b.WriteString("## Quiz\n\n")
		for i, q := range l.Quiz {
			fmt.Fprintf(&b, "%d. %s\n", i+1, q.Prompt)
			for j, c := range q.Choices {
				fmt.Fprintf(&b, "   %c) %s\n", 'a'+j, c)
			}
			b.WriteString("\n")
		}
		b.WriteString("### Answers\n\n")
		for i, q := range l.Quiz {
			fmt.Fprintf(&b, "%d. %c) %s\n", i+1, 'a'+q.Answer, q.Explain)
		}
	}
	if markdown {
		return b.String()
	}
	return plainText(b.String())
}

// The handout patterns are compiled on first use: only `learn --print` needs
// them, and a package-level MustCompile would cost every procbox start, each
// isolated child included, ~0.09 ms.
var (
	mdEmphasis = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\*\*([^*]+)\*\*|\*([^*]+)\*|` + "`([^`]+)`")
	})
	mdLink = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\[([^\]]+)\]\(([^)]+)\)`) })
)

// plainText turns the small markdown subset of the lessons into plain text:
// headings become underlined lines, emphasis and code marks disappear.
func plainText(md string) string {
	var out []string
	fence := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
			continue
		}
		if fence {
			out = append(out, "    "+line)
			continue
		}
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level > 0 && level <= 6 && strings.HasPrefix(line[level:], " ") {
			title := inlinePlain(strings.TrimSpace(line[level:]))
			under := "-"
			if level == 1 {
				under = "="
			}
			out = append(out, title, strings.Repeat(under, len([]rune(title))))
			continue
		}
		out = append(out, inlinePlain(line))
	}
	return strings.Join(out, "\n")
}

func inlinePlain(s string) string {
	s = mdLink().ReplaceAllString(s, "$1 ($2)")
	return mdEmphasis().ReplaceAllStringFunc(s, func(m string) string {
		return strings.Trim(m, "*`")
	})
}
