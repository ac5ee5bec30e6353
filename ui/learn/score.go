package learn

import (
	"fmt"

	"procbox/lessons"
)

// doneLines is the page after a lesson's last question: the lesson's score
// (steps passed, how many by hand, quiz answers right), the time it took
// against the time planned, what is still open, and the lesson that follows.
func (s *Model) doneLines(w int) []string {
	st := s.styles
	l := s.lesson()
	out := []string{st.Title.Render(fmt.Sprintf("Lesson %d/%d done: %s", s.li+1, len(s.course), l.Title)), ""}
	passed, byHand := 0, 0
	var open []string
	for i, step := range l.Steps {
		k := lessons.Key(l.ID, step.ID)
		if !s.progress.Completed[k] {
			open = append(open, fmt.Sprintf("step %d · %s", i+1, step.Title))
			continue
		}
		passed++
		if s.progress.Via[k] == lessons.PathShell {
			byHand++
		}
	}
	right, _ := s.quizScore(l)
	mark := st.OK.Render("✓ ")
	if passed < len(l.Steps) {
		mark = st.Warn.Render("· ")
	}
	out = append(out,
		mark+st.Text.Render(fmt.Sprintf("steps  %d of %d passed, %d of them by hand, in your own shell", passed, len(l.Steps), byHand)),
		"  "+st.Text.Render(fmt.Sprintf("quiz   %d of %d answered right", right, len(l.Quiz))),
		"  "+st.Text.Render(fmt.Sprintf("time   %s (planned: %d min)", clockText(s.deps.Clock.Now().Sub(s.lessonStart)), l.Minutes)))
	if len(open) > 0 {
		out = append(out, "", st.Warn.Render("Not passed yet (p goes back to them):"))
		for _, o := range open {
			out = append(out, wrapText(st.Text.Render("  "+o), w, 1)...)
		}
	}
	if s.li+1 < len(s.course) {
		n := s.course[s.li+1]
		out = append(out, "")
		out = append(out, wrapText(st.Subtle.Render(fmt.Sprintf("Next: lesson %d · %s (%d min). Press n.", s.li+2, n.Title, n.Minutes)), w, 2)...)
	}
	return out
}
