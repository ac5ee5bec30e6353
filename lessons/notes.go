package lessons

import (
	"fmt"
	"strings"
)

// SpeakerNotes is what the presenter's second terminal shows for the place
// a presenter is at: step si of lesson id (si == len(Steps) is the quiz).
// It holds what must never reach the projector: the notes, the hint, the
// do-it-yourself lines, and on the quiz page the answers. An unknown
// lesson returns "".
func SpeakerNotes(id string, si int) string {
	l, ok := Find(id)
	if !ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %d min\n", l.Title, l.Minutes)
	if si < 0 || si >= len(l.Steps) {
		b.WriteString("\nQuiz, with the answers:\n")
		for i, q := range l.Quiz {
			fmt.Fprintf(&b, "\n%d. %s\n   %c) %s\n   %s\n", i+1, q.Prompt, 'a'+q.Answer, q.Choices[q.Answer], q.Explain)
		}
		return b.String()
	}
	s := l.Steps[si]
	fmt.Fprintf(&b, "Step %d/%d · %s\n\n", si+1, len(l.Steps), s.Title)
	fmt.Fprintf(&b, "Notes: %s\n\n", s.Notes)
	fmt.Fprintf(&b, "a: %s\n", s.Action.Label)
	fmt.Fprintf(&b, "Hint: %s\n", s.Hint)
	if s.DIY != nil {
		b.WriteString("\ns, do it yourself:\n")
		for _, c := range s.DIY.Commands {
			fmt.Fprintf(&b, "    %s\n", c)
		}
	}
	if si+1 < len(l.Steps) {
		fmt.Fprintf(&b, "\nNext: %s\n", l.Steps[si+1].Title)
	} else {
		b.WriteString("\nNext: the quiz\n")
	}
	return b.String()
}
