package learn

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"procbox/lessons"
	"procbox/ui/internal/common"
	"procbox/ui/markdown"
)

// wideLayout is the width from which text and live panel sit side by side;
// below it, tab switches between them.
const wideLayout = 100

// View draws the player in exactly w×h cells.
func (s *Model) View(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	st := s.styles
	top := s.headerLines(w)
	bottom := s.bottomLines(w)
	midH := h - len(top) - len(bottom)
	if midH < 1 {
		// A tiny window: keep the header and the action, drop the rest.
		bottom = bottom[:min(len(bottom), 2)]
		midH = max(h-len(top)-len(bottom), 0)
	}
	var mid []string
	if s.recap {
		mid = s.recapLines(w)
	} else if s.done {
		mid = s.doneLines(w)
	} else if _, ok := s.step(); !ok {
		mid = s.quizLines(w, midH)
	} else if w >= wideLayout {
		lw := w * 55 / 100
		rw := w - lw - 3
		left := s.textLines(lw, midH)
		right := s.panelLines(rw, midH)
		sep := st.Border.Render(" │ ")
		for i := 0; i < midH; i++ {
			mid = append(mid, common.Fit(lineAt(left, i), lw)+sep+common.Truncate(lineAt(right, i), rw))
		}
	} else if s.showLive {
		mid = s.panelLines(w, midH)
	} else {
		mid = s.textLines(w, midH)
	}
	out := append(append(top, padLines(mid, midH)...), bottom...)
	for i, l := range out {
		out[i] = common.Truncate(l, w)
	}
	if len(out) > h {
		out = out[:h]
	}
	return strings.Join(out, "\n")
}

// at returns lines[i] or "".
func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// padLines cuts or pads lines to exactly n.
func padLines(lines []string, n int) []string {
	if len(lines) > n {
		return lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// spread puts left and right on one line of w cells, right-aligned.
func spread(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return common.Truncate(left, max(w-ansi.StringWidth(right)-1, 0)) + " " + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// headerLines: the lesson with its countdown, the step with the course progress bar.
func (s *Model) headerLines(w int) []string {
	st := s.styles
	l := s.lesson()
	left := st.Title.Render(fmt.Sprintf("Lesson %d/%d · %s", s.li+1, len(s.course), l.Title))
	line1 := spread(left, st.Warn.Render(s.countdown()), w)
	done, total := s.completedSteps(), lessons.TotalSteps()
	barW := 20
	if w < 90 {
		barW = 10
	}
	right := common.Bar(st, float64(done)/float64(max(total, 1)), barW) + st.Subtle.Render(fmt.Sprintf(" %d/%d", done, total))
	var stepText string
	if step, ok := s.step(); ok {
		// A long title is what gets cut, never the ✓ or the tab hint after it.
		var after string
		if s.progress.Completed[lessons.Key(l.ID, step.ID)] {
			after += " " + st.OK.Render("✓")
		}
		if w < wideLayout {
			if s.showLive {
				after += st.Subtle.Render("  [live · tab: text]")
			} else {
				after += st.Subtle.Render("  [text · tab: live]")
			}
		}
		head := fmt.Sprintf("Step %d/%d · ", s.si+1, len(l.Steps))
		room := w - ansi.StringWidth(right) - 1 - ansi.StringWidth(head) - ansi.StringWidth(after)
		stepText = st.Text.Render(head+common.Truncate(step.Title, max(room, 8))) + after
	} else if s.recap {
		stepText = st.Text.Render("Course done · the recap")
	} else if s.done {
		stepText = st.Text.Render("Lesson done · your score")
	} else {
		stepText = st.Text.Render(fmt.Sprintf("Quiz · question %d/%d", s.qi+1, len(l.Quiz)))
	}
	line2 := spread(stepText, right, w)
	rule := st.Border.Render(strings.Repeat("─", w))
	if s.presenter {
		return []string{line1, line2, rule, ""}
	}
	return []string{line1, line2, rule}
}

func (s *Model) isQuiz() bool { _, ok := s.step(); return !ok }

// completedSteps counts the course's steps whose check has passed.
func (s *Model) completedSteps() int {
	n := 0
	for _, l := range s.course {
		for _, st := range l.Steps {
			if s.progress.Completed[lessons.Key(l.ID, st.ID)] {
				n++
			}
		}
	}
	return n
}

// countdown is "⏱ 8 min left" for the lesson in progress.
func (s *Model) countdown() string {
	spent := s.deps.Clock.Now().Sub(s.lessonStart)
	left := time.Duration(s.lesson().Minutes)*time.Minute - spent
	if left < 0 {
		return "⏱ " + clockText(-left) + " over"
	}
	return "⏱ " + clockText(left) + " left"
}

// clockText is a duration as a countdown shows it: "11:42", "1:02:05".
func clockText(d time.Duration) string {
	d = d.Truncate(time.Second)
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

// textLines is the step's markdown, rendered and scrolled.
func (s *Model) textLines(w, h int) []string {
	step, _ := s.step()
	body, err := step.Body()
	if err != nil {
		return []string{s.styles.Bad.Render(err.Error())}
	}
	margin := ""
	if s.presenter {
		margin = "  "
	}
	key := fmt.Sprintf("%d/%d/%d/%v/%v", s.li, s.si, w, s.presenter, s.styles.NoColor)
	if s.textKey != key {
		// Parsing and wrapping once per step and width, not once per frame.
		s.textKey, s.textCache = key, markdown.Render(body, w-len(margin), markdown.NewStyles(s.styles))
		for i, l := range s.textCache {
			if l != "" {
				s.textCache[i] = margin + l
			}
		}
	}
	// A bubbles viewport windows the text; the keys move s.scroll (learn.go).
	lines, off, more := common.Scroll(s.textCache, w, h, s.scroll)
	s.scroll = off
	if more {
		lines[h-1] = s.styles.Subtle.Render(margin + "↓ more (j, pgdn)")
	}
	return lines
}

// bottomLines: the action, the check's verdict, the hint and the speaker notes.
func (s *Model) bottomLines(w int) []string {
	st := s.styles
	rule := st.Border.Render(strings.Repeat("─", w))
	if s.recap {
		return []string{rule, st.Subtle.Render("p back to the last quiz · q quit")}
	}
	if s.done {
		return []string{rule, st.Subtle.Render("n next lesson · p back to the quiz")}
	}
	if s.isQuiz() {
		out := []string{rule, st.Subtle.Render("a–d answer · n next · p back")}
		if s.noNotes {
			out = append(out, st.Warn.Render("N: the quiz has no speaker notes (each step has its own)"))
		}
		return out
	}
	step, _ := s.step()
	var out []string
	out = append(out, rule)
	action := st.Key.Render("▶ a") + " " + st.Text.Render(step.Action.Label)
	if step.Action.Kind == lessons.ActShell && step.Action.Command != "" {
		action += st.Subtle.Render(" — type ") + st.Code.Render(step.Action.Command)
	}
	if s.busy != "" {
		action = st.Warn.Render("… " + s.busy)
	}
	out = append(out, action)
	if d := step.DIY; d != nil && s.busy == "" {
		out = append(out, st.Key.Render("▶ s")+" "+st.Text.Render("do it yourself: ")+st.Code.Render(d.Commands[0])+
			st.Subtle.Render(" … (every line is in the text)"))
	}
	var verdict string
	switch {
	case s.result == nil:
		verdict = st.Subtle.Render("c: check · h: hint")
	case s.result.Passed:
		next := "enter: next step"
		if s.presenter {
			next = "n: next step"
		}
		how := "✓ passed"
		if s.via == lessons.PathShell {
			how = "✓ passed by hand, in your own shell"
		}
		verdict = st.OK.Render(how) + st.Subtle.Render(" — "+next)
	default:
		verdict = st.Bad.Render("✗ "+s.result.Missing) + st.Subtle.Render("  (h: hint)")
	}
	// A failure's reason wraps (up to three lines) rather than being cut:
	// it is the one line that says what is missing.
	out = append(out, wrapText(verdict, w, 3)...)
	if s.saveErr != nil {
		out = append(out, st.Warn.Render("progress not saved: "+s.saveErr.Error()))
	}
	if s.showHint {
		out = append(out, wrapText(st.Warn.Render("Hint: ")+st.Text.Render(step.Hint), w, 3)...)
	}
	if s.notes {
		out = append(out, wrapText(st.Title.Render("Notes: ")+st.Text.Render(step.Notes), w, 3)...)
	}
	return out
}

// wrapPrefixed wraps s to w cells, at most n lines.
func wrapText(s string, w, n int) []string {
	lines := strings.Split(ansi.Wrap(s, max(w, 10), ""), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = common.Truncate(lines[n-1], w-1) + "…"
	}
	return lines
}

// wrapHanging is wrapText for the panel's "  item: …" lines: the lines
// after the first are indented under the item's text, not at column 0.
func wrapHanging(s string, w, n int) []string {
	const indent = "    "
	lines := wrapText(s, w-len(indent), n)
	for i := 1; i < len(lines); i++ {
		lines[i] = indent + lines[i]
	}
	return lines
}

// quizScore counts the lesson's questions answered right, and answered at all.
func (s *Model) quizScore(l lessons.Lesson) (right, asked int) {
	for i := range l.Quiz {
		ok, was := s.progress.Completed[lessons.Key(l.ID, fmt.Sprintf("quiz%d", i+1))]
		if was {
			asked++
		}
		if ok {
			right++
		}
	}
	return right, asked
}

// recapLines is the end of the course: per lesson, the steps passed (and
// how many by hand) and the quiz score.
func (s *Model) recapLines(w int) []string {
	st := s.styles
	out := []string{st.Title.Render("The end of the course: a recap"), ""}
	steps, done, byHand, right, questions := 0, 0, 0, 0, 0
	for _, l := range s.course {
		d, h := 0, 0
		for _, step := range l.Steps {
			k := lessons.Key(l.ID, step.ID)
			if s.progress.Completed[k] {
				d++
				if s.progress.Via[k] == lessons.PathShell {
					h++
				}
			}
		}
		r, _ := s.quizScore(l)
		steps, done, byHand, right, questions = steps+len(l.Steps), done+d, byHand+h, right+r, questions+len(l.Quiz)
		mark := st.OK.Render("✓")
		if d < len(l.Steps) {
			mark = st.Warn.Render("·")
		}
		line := fmt.Sprintf("%s %-11s steps %2d/%-2d (%d by hand)  quiz %d/%d  %s", mark, l.ID, d, len(l.Steps), h, r, len(l.Quiz), l.Title)
		out = append(out, common.Truncate(st.Text.Render(line), w))
	}
	out = append(out, "", st.Title.Render(fmt.Sprintf("%d of %d steps passed, %d of them by hand; %d of %d quiz answers right.", done, steps, byHand, right, questions)))
	// The last lesson has no score page of its own: its time is here.
	if len(s.course) > 0 {
		l := s.course[len(s.course)-1]
		out = append(out, st.Text.Render(fmt.Sprintf("Time in the last lesson (%s): %s (planned: %d min)", l.ID, clockText(s.deps.Clock.Now().Sub(s.lessonStart)), l.Minutes)))
	}
	if done < steps {
		out = append(out, st.Subtle.Render("p goes back; every lesson stays open: procbox learn LESSON."))
	}
	return out
}

// choiceIndent is the width of a choice's "  a) ".
const choiceIndent = 5

// quizLines draws the current question, and its explanation once answered.
func (s *Model) quizLines(w, h int) []string {
	st := s.styles
	l := s.lesson()
	if len(l.Quiz) == 0 {
		return []string{st.Subtle.Render("This lesson has no quiz: press n for the next lesson.")}
	}
	q := l.Quiz[s.qi]
	right, asked := s.quizScore(l)
	out := []string{st.Subtle.Render(fmt.Sprintf("Score in this lesson: %d of %d right (%d questions; first answers count)", right, asked, len(l.Quiz))), ""}
	out = append(out, wrapText(st.Title.Render(q.Prompt), w, 4)...)
	out = append(out, "")
	chosen, answered := s.answer[s.qi]
	for i, c := range q.Choices {
		style := st.Text
		switch {
		case answered && i == q.Answer:
			c, style = c+"  ✓", st.OK
		case answered && i == chosen:
			c, style = c+"  ✗", st.Bad
		}
		// A choice that wraps goes on under its own text, not under "a)".
		for j, line := range wrapText(c, w-choiceIndent, 2) {
			lead := strings.Repeat(" ", choiceIndent)
			if j == 0 {
				lead = fmt.Sprintf("  %c) ", 'a'+i)
			}
			out = append(out, style.Render(lead+line))
		}
	}
	out = append(out, "")
	if answered {
		verdict := st.OK.Render("Right. ")
		if chosen != q.Answer {
			verdict = st.Bad.Render("Not quite. ")
		}
		out = append(out, wrapText(verdict+st.Text.Render(q.Explain), w, 4)...)
		next := "n: next question"
		if s.qi == len(l.Quiz)-1 {
			next = "n: next lesson"
		}
		out = append(out, "", st.Subtle.Render(next))
	} else {
		out = append(out, st.Subtle.Render("Answer with a, b, c or d."))
	}
	return out
}
