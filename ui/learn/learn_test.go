package learn

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"procbox/isolate"
	"procbox/lessons"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
	"procbox/ui/markdown"
)

func (f *fixture) view(w, h int) string { return ansi.Strip(f.m.View(w, h)) }

// TestLearnEveryStepPasses walks the whole course on the fakes: on every step
// the check fails before the action and passes after it, through the same
// commands the real screen runs.
func TestLearnEveryStepPasses(t *testing.T) {
	f := newFixture(t, "", false, common.Progress{})
	for _, l := range lessons.Catalog() {
		for si, st := range l.Steps {
			t.Run(l.ID+"/"+st.ID, func(t *testing.T) {
				f.t = t
				f.goTo(l.ID, si)
				f.press("c")
				if r := f.m.result; r == nil || r.Passed {
					t.Fatalf("check passed before the action: %+v", r)
				}
				if st.ByHandOnly {
					// Done by hand only: the way through is the learner's shell.
					f.byHand(byHandTrace(st.ID))
				} else {
					f.press("a")
				}
				if r := f.m.result; r == nil || !r.Passed {
					t.Fatalf("check after the action: %+v (acted %+v)", r, f.m.acted)
				}
				if !f.store.p.Completed[lessons.Key(l.ID, st.ID)] {
					t.Errorf("completion not saved")
				}
			})
		}
	}
	if got, want := f.m.completedSteps(), lessons.TotalSteps(); got != want {
		t.Errorf("completed %d of %d steps", got, want)
	}
}

// TestLearnFirstNamespaceStep is the learner's path on the first namespace step.
func TestLearnFirstNamespaceStep(t *testing.T) {
	f := newFixture(t, "namespaces", false, common.Progress{})
	v := f.view(120, 38)
	if !strings.Contains(v, "pid: its own process numbers") || !strings.Contains(v, "switch on the pid namespace") {
		t.Fatalf("first namespace step not shown:\n%s", v)
	}
	f.press("a")
	v = f.view(120, 38)
	if !strings.Contains(v, "✓ passed") {
		t.Fatalf("no ✓ after the action:\n%s", v)
	}
	if !strings.Contains(v, "re-created") {
		t.Errorf("the panel does not say the child was re-created for the new pid namespace:\n%s", v)
	}
	f.press("enter")
	if st, _ := f.m.step(); st.ID != "net" {
		t.Errorf("enter after a pass went to %q, want net", st.ID)
	}
	if f.store.p.Lesson != "namespaces" || f.store.p.Step != 1 {
		t.Errorf("saved place %s/%d, want namespaces/1", f.store.p.Lesson, f.store.p.Step)
	}
}

func TestLearnHintAndMissing(t *testing.T) {
	f := newFixture(t, "cgroups", false, common.Progress{})
	f.goTo("cgroups", 1) // memory
	f.press("c", "h")
	v := f.view(120, 38)
	if !strings.Contains(v, "✗ the memhog experiment has not run yet") {
		t.Errorf("missing line not shown:\n%s", v)
	}
	if !strings.Contains(v, "Hint: Press a: the allocation grows") {
		t.Errorf("hint not shown:\n%s", v)
	}
}

func TestLearnResumeFromProgress(t *testing.T) {
	f := newFixture(t, "", false, common.Progress{Lesson: "security", Step: 4, Completed: map[string]bool{"process/pid": true}})
	if l, st := f.m.lesson(), f.m.si; l.ID != "security" || st != 4 {
		t.Errorf("resumed at %s/%d, want security/4", l.ID, st)
	}
	if f.m.completedSteps() != 1 {
		t.Errorf("completed steps not loaded")
	}
	// Asking for another lesson starts that one.
	g := newFixture(t, "cgroups", false, common.Progress{Lesson: "security", Step: 4})
	if g.m.lesson().ID != "cgroups" || g.m.si != 0 {
		t.Errorf("asked for cgroups, got %s/%d", g.m.lesson().ID, g.m.si)
	}
}

func TestLearnQuiz(t *testing.T) {
	f := newFixture(t, "process", false, common.Progress{})
	l := f.m.lesson()
	f.goTo("process", len(l.Steps))
	q := l.Quiz[0]
	wrong := (q.Answer + 1) % len(q.Choices)
	f.press(string(rune('a' + wrong)))
	v := f.view(120, 38)
	if !strings.Contains(v, "Not quite.") || !strings.Contains(v, q.Explain[:30]) {
		t.Errorf("wrong answer not explained:\n%s", v)
	}
	f.press(string(rune('a' + q.Answer))) // a second answer is ignored
	if f.m.answer[0] != wrong {
		t.Errorf("answer changed after the first one")
	}
	for range l.Quiz {
		f.press("n")
	}
	if !f.m.done {
		t.Fatalf("after the last question n did not show the lesson's score")
	}
	f.press("n")
	if f.m.lesson().ID != "limits" || f.m.si != 0 {
		t.Errorf("after the quiz and its score: %s/%d, want limits/0", f.m.lesson().ID, f.m.si)
	}
}

// TestLearnLessonScore: after a lesson's last question, n shows the lesson's
// score (steps passed and by which path, quiz answers right, time against
// plan, the steps still open) at 80×24, then goes on; p goes back to the quiz.
func TestLearnLessonScore(t *testing.T) {
	p := common.Progress{Completed: map[string]bool{
		"limits/sees-all": true, "limits/shared": true, "limits/fork": true, "limits/memory": true,
	}, Via: map[string]string{"limits/fork": lessons.PathShell}}
	f := newFixture(t, "limits", false, p)
	l := f.m.lesson()
	f.goTo("limits", len(l.Steps))
	f.press(string(rune('a' + l.Quiz[0].Answer)))
	f.press("n")
	f.press(string(rune('a' + (l.Quiz[1].Answer+1)%4)))
	f.clock.Advance(7*time.Minute + 5*time.Second)
	f.press("n")
	v := f.view(80, 24)
	for _, want := range []string{"Lesson done · your score", fmt.Sprintf("Lesson 2/%d done: The limits of a plain process", len(lessons.Catalog())),
		"steps  4 of 5 passed, 1 of them by hand", "quiz   1 of 2 answered right", "time   " + clockText(f.clock.Now().Sub(f.m.lessonStart)) + " (planned: 8 min)",
		"Not passed yet", "step 5 · It runs with all of root's power", "Next: lesson 3 · Namespaces", "n next lesson · p back to the quiz"} {
		if !strings.Contains(v, want) {
			t.Errorf("the lesson's score lacks %q:\n%s", want, v)
		}
	}
	f.press("p")
	if f.m.done || !f.m.isQuiz() || f.m.qi != 1 {
		t.Errorf("p from the score did not go back to the last question")
	}
	f.press("n")
	f.press("n")
	if f.m.lesson().ID != "namespaces" || f.m.done {
		t.Errorf("n from the score: %s (done %v), want the namespaces lesson", f.m.lesson().ID, f.m.done)
	}
}

// TestLearnCheckByHandOnly: on a step done by hand only, c and a do not
// check a demo that never ran: before the shell they say to press s, after
// it they check again what the shell did, and a pass counts as by hand.
func TestLearnCheckByHandOnly(t *testing.T) {
	f := newFixture(t, "byhand", false, common.Progress{})
	f.goTo("byhand", stepIndex(t, "byhand", "cgroup"))
	for _, k := range []string{"c", "a"} {
		f.press(k)
		if r := f.m.result; r == nil || r.Passed || !strings.Contains(r.Missing, "done by hand: press s") {
			t.Errorf("%s before the shell: %+v", k, r)
		}
	}
	f.byHand(byHandTrace("cgroup"))
	for _, k := range []string{"c", "a"} {
		f.m.result = nil
		f.press(k)
		if r := f.m.result; r == nil || !r.Passed {
			t.Errorf("%s after the shell: %+v", k, r)
		}
		if via := f.store.p.Via["byhand/cgroup"]; via != lessons.PathShell {
			t.Errorf("%s after the shell recorded the path %q", k, via)
		}
	}
	if v := f.view(80, 24); !strings.Contains(v, "passed by hand") {
		t.Errorf("the pass does not say by hand:\n%s", v)
	}
}

func TestLearnCountdown(t *testing.T) {
	f := newFixture(t, "namespaces", false, common.Progress{})
	start := f.m.countdown()
	if v := f.view(120, 38); !strings.Contains(v, start) || !strings.HasSuffix(start, " left") {
		t.Errorf("no countdown (%q):\n%s", start, v)
	}
	// It counts down by the second, and a clock tick redraws it (the chain
	// runs with or without a child).
	f.clock.Advance(time.Second)
	if f.m.countdown() == start {
		t.Errorf("countdown did not move in a second: %q", start)
	}
	held := uitest.NewHeldClock(testT0)
	m := New(common.Deps{Clock: held, Styles: common.NewStyles(true, true)}, "namespaces", false)
	dr := uitest.New(t, func(msg tea.Msg) tea.Cmd { _, c := m.Update(msg); return c }, nil)
	dr.Run(m.Init())
	dr.Run(held.Fire())
	if held.Pending() != 1 {
		t.Errorf("the countdown's clock does not go on: %d armed", held.Pending())
	}
	l, _ := lessons.Find("namespaces")
	f.clock.Advance(time.Duration(l.Minutes)*time.Minute - 7*time.Minute - 51*time.Second) // 7:50 left
	if v := f.view(120, 38); !strings.Contains(v, "⏱ 7:") {
		t.Errorf("countdown did not move (%q):\n%s", f.m.countdown(), v)
	}
	f.clock.Advance(10 * time.Minute)
	if v := f.view(120, 38); !strings.Contains(v, "⏱ 2:1") || !strings.Contains(v, " over") {
		t.Errorf("overtime not shown:\n%s", v)
	}
	if got := clockText(time.Hour + 2*time.Minute + 5*time.Second); got != "1:02:05" {
		t.Errorf("clockText = %q", got)
	}
}

func TestLearnNoLab(t *testing.T) {
	d := uitest.LabDeps(nil, uitest.NewClock(testT0))
	m := New(d, "namespaces", false)
	f := &fixture{t: t, m: m, eng: &uitest.LabEngine{}, store: &memStore{}}
	f.run(m.Init())
	v := f.view(120, 30)
	if !strings.Contains(v, "no Lab engine") {
		t.Errorf("the panel does not say why it is empty:\n%s", v)
	}
	f.press("a")
	if m.result == nil || m.result.Passed || !strings.Contains(m.result.Missing, "no live demo child") {
		t.Errorf("action without a child: %+v", m.result)
	}
}

func TestLearnStartFailure(t *testing.T) {
	eng := &uitest.LabEngine{}
	eng.FailStart(errors.New("clone: operation not permitted"))
	d := uitest.LabDeps(eng, uitest.NewClock(testT0))
	m := New(d, "process", false)
	f := &fixture{t: t, m: m, eng: eng}
	f.run(m.Init())
	if v := f.view(120, 30); !strings.Contains(v, "could not start: clone") {
		t.Errorf("start failure not explained:\n%s", v)
	}
}

func TestLearnPresenter(t *testing.T) {
	f := newFixture(t, "namespaces", true, common.Progress{})
	f.press("a")
	f.press("enter")
	if f.m.si != 0 {
		t.Errorf("enter advanced in presenter mode")
	}
	f.press("N")
	if v := f.view(120, 38); !strings.Contains(v, "Notes: The pid namespace comes with") {
		t.Errorf("speaker notes not shown:\n%s", v)
	}
	old := f.m.child.(*uitest.LabChild)
	f.press("R")
	if !old.Stopped() || f.m.child == nil || f.m.child == common.LabChild(old) {
		t.Errorf("R did not replace the demo child with a clean one")
	}
	if f.m.child.Spec().Has("pid") {
		t.Errorf("the clean child should start from the step's starting spec")
	}
	if f.m.result != nil {
		t.Errorf("reset kept an old verdict")
	}
	if !f.m.styles.NoColor || !f.m.styles.Presenter {
		t.Errorf("presenter mode must be monochrome")
	}
	if f.m.deps.ShowSecrets {
		t.Errorf("presenter mode must mask secrets")
	}
	f.press("n")
	if f.m.si != 1 {
		t.Errorf("n did not advance in presenter mode")
	}
}

func TestLearnCloseStopsChild(t *testing.T) {
	f := newFixture(t, "process", false, common.Progress{})
	if f.eng.Running() != 1 {
		t.Fatalf("%d children running, want 1", f.eng.Running())
	}
	if c := f.m.Close(); c != nil {
		c()
	}
	if f.eng.Running() != 0 {
		t.Errorf("Close left the child running")
	}
	// A child that finishes starting after Close is stopped at once.
	b := &childBox{}
	b.take()
	late, _ := (&uitest.LabEngine{}).Start(isolate.Spec{})
	if b.put(late) || !late.(*uitest.LabChild).Stopped() {
		t.Errorf("a child started after Close was kept")
	}
}

// TestLearnNoOverflow: every step, the quiz and presenter mode fit 80×24.
func TestLearnNoOverflow(t *testing.T) {
	for _, presenter := range []bool{false, true} {
		f := newFixture(t, "", presenter, common.Progress{})
		for li, l := range lessons.Catalog() {
			for si := 0; si <= len(l.Steps); si++ {
				f.run(f.m.goTo(li, si))
				for _, keys := range [][]string{nil, {"a", "h", "N"}, {"tab"}} {
					f.press(keys...)
					for _, sz := range [][2]int{{80, 22}, {120, 38}} {
						v := f.m.View(sz[0], sz[1])
						lines := strings.Split(v, "\n")
						if len(lines) != sz[1] {
							t.Errorf("%s/%d presenter=%v %v: %d lines", l.ID, si, presenter, sz, len(lines))
						}
						for i, line := range lines {
							if w := ansi.StringWidth(line); w > sz[0] {
								t.Errorf("%s/%d presenter=%v %v: line %d is %d wide: %q", l.ID, si, presenter, sz, i, w, ansi.Strip(line))
							}
						}
					}
				}
				f.m.notes, f.m.showHint = false, false
			}
		}
	}
}

func TestRenderMarkdown(t *testing.T) {
	st := markdown.NewStyles(common.NewStyles(true, true))
	lines := markdown.Render("# Title\n\nSome **bold** and `code`.\n\n- one\n- two words that wrap around\n\n```\nls -l\n```\n", 20, st)
	got := ansi.Strip(strings.Join(lines, "\n"))
	want := "Title\n─────\n\nSome bold and code.\n\n• one\n• two words that\n  wrap around\n\n  ls -l"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 20 {
			t.Errorf("line wider than 20: %q", l)
		}
	}
}

// Golden views of a lesson step: the body the root would draw in a window of
// 80×24 and 120×40. Rewrite with `make golden` after a deliberate change.
func goldenView(t *testing.T, presenter bool) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			f := newFixture(t, "namespaces", presenter, common.Progress{})
			f.m.Update(teaSize(sz[0], sz[1]-common.HeaderHeight-common.FooterHeight))
			f.press("a")
			golden.RequireEqual(t, []byte(f.view(sz[0], sz[1]-common.HeaderHeight-common.FooterHeight)+"\n"))
		})
	}
}

func TestGoldenLearnStep(t *testing.T)      { goldenView(t, false) }
func TestGoldenLearnPresenter(t *testing.T) { goldenView(t, true) }

func TestGoldenLearnQuiz(t *testing.T) {
	f := newFixture(t, "container", false, common.Progress{})
	f.goTo("container", len(f.m.lesson().Steps))
	f.press(string(rune('a' + f.m.lesson().Quiz[0].Answer))) // the right answer, wherever it sits
	golden.RequireEqual(t, []byte(f.view(80, 22)+"\n"))
}

// An Apply the engine refuses (say, no time namespace on this host) is shown,
// and the old child keeps serving the panel.
func TestLearnApplyFailureShown(t *testing.T) {
	f := newFixture(t, "process", false, common.Progress{})
	f.m.child.(*uitest.LabChild).FailApply(errors.New("time namespaces need Linux 5.6"))
	f.goTo("cgroups", 0)
	if v := f.view(120, 38); !strings.Contains(v, "could not be set up: time") {
		t.Errorf("apply failure not shown:\n%s", v)
	}
}

// Scrolling must not damage the cached text: scroll down and back, same view.
func TestLearnScrollKeepsText(t *testing.T) {
	f := newFixture(t, "process", false, common.Progress{})
	first := f.view(80, 22)
	f.press("j", "j", "j")
	scrolled := f.view(80, 22)
	if scrolled == first {
		t.Fatalf("j did not scroll")
	}
	if n := strings.Count(scrolled, "↓ more"); n > 1 {
		t.Errorf("the 'more' marker appears %d times: the cache was written into\n%s", n, scrolled)
	}
	f.press("k", "k", "k")
	if got := f.view(80, 22); got != first {
		t.Errorf("after scrolling back the text differs:\n%s\nwant\n%s", got, first)
	}
}

// BenchmarkRenderMarkdown is the cost of drawing one step's text (our
// parse, lipgloss styles, wrap): paid once per step and width thanks to the cache.
func BenchmarkRenderMarkdown(b *testing.B) {
	body, err := lessons.Catalog()[2].Steps[0].Body()
	if err != nil {
		b.Fatal(err)
	}
	st := markdown.NewStyles(common.NewStyles(true, false))
	for b.Loop() {
		markdown.Render(body, 66, st)
	}
}

// In the frame the root draws: the whole window fits 80×24, and the command
// Close returns (the root runs it when the screen goes, however the program
// ends) stops the demo child.
func TestLearnInFrame(t *testing.T) {
	clock := uitest.NewClock(testT0)
	eng := &uitest.LabEngine{Clock: clock}
	d := uitest.LabDeps(eng, clock)
	m := New(d, "namespaces", false)
	dr := uitest.NewScreen(t, d, m, 80, 24)
	dr.Keys("a")
	v := dr.View()
	uitest.CheckFits(t, v, 80, 24)
	if n := len(strings.Split(v, "\n")); n != 24 {
		t.Errorf("%d lines, want 24", n)
	}
	if !strings.Contains(v, "procbox › Learn") {
		t.Errorf("no title in the header:\n%s", v)
	}
	if eng.Running() != 1 {
		t.Fatalf("%d children running, want 1", eng.Running())
	}
	if c := m.Close(); c != nil {
		c()
	}
	if eng.Running() != 0 {
		t.Errorf("closing the screen left the demo child running")
	}
}

// Presenter mode is high contrast: nothing is drawn faint (grey or dim text
// vanishes on a projected wall).
func TestLearnPresenterHasNoDimText(t *testing.T) {
	f := newFixture(t, "namespaces", true, common.Progress{})
	raw := f.m.View(120, 38)
	if strings.Contains(raw, "\x1b[2m") || strings.Contains(raw, ";2m") {
		t.Fatalf("presenter view has faint text: %q", raw)
	}
	normal := newFixture(t, "namespaces", false, common.Progress{})
	if !strings.Contains(normal.m.View(120, 38), "\x1b[2m") {
		t.Skip("the normal view draws nothing faint either: the check would prove nothing here")
	}
}

// TestLearnPresenterHidesNotes: on the projected screen the speaker notes
// appear only when the presenter reveals them with N.
func TestLearnPresenterHidesNotes(t *testing.T) {
	f := newFixture(t, "namespaces", true, common.Progress{})
	f.goTo("namespaces", 0)
	st, _ := f.m.step()
	for _, size := range [][2]int{{100, 30}, {80, 24}, {120, 40}} {
		if v := f.view(size[0], size[1]); strings.Contains(v, st.Notes[:40]) || strings.Contains(v, "Notes:") {
			t.Errorf("%dx%d: speaker notes on the projected screen:\n%s", size[0], size[1], v)
		}
	}
	f.press("N")
	if v := f.view(120, 40); !strings.Contains(v, "Notes:") {
		t.Errorf("N does not reveal the notes:\n%s", v)
	}
}

// TestLearnRecap: past the last lesson's quiz the course ends on a recap
// with each lesson's steps (and how many by hand) and quiz score; p goes back.
func TestLearnRecap(t *testing.T) {
	p := common.Progress{Completed: map[string]bool{
		"process/pid": true, "process/ids": true, "namespaces/uts": true, "process/quiz1": true, "process/quiz2": false,
	}, Via: map[string]string{"namespaces/uts": lessons.PathShell, "process/pid": lessons.PathShow}}
	f := newFixture(t, "", false, p)
	last := f.m.course[len(f.m.course)-1]
	f.goTo(last.ID, len(last.Steps))
	for range last.Quiz {
		f.press("n")
	}
	if !f.m.recap {
		t.Fatal("no recap after the last quiz")
	}
	v := f.view(100, 30)
	if strings.Contains(v, "Quiz · question") {
		t.Errorf("the recap's header still names a quiz question:\n%s", v)
	}
	for _, want := range []string{"a recap", "Course done · the recap", "Time in the last lesson (" + last.ID + "): ", "process     steps  2/7  (0 by hand)  quiz 1/3", "namespaces  steps  1/8  (1 by hand)",
		fmt.Sprintf("3 of %d steps passed, 1 of them by hand; 1 of", lessons.TotalSteps())} {
		if !strings.Contains(v, want) {
			t.Errorf("recap lacks %q:\n%s", want, v)
		}
	}
	f.press("p")
	if f.m.recap || !f.m.isQuiz() {
		t.Errorf("p from the recap did not go back to the last quiz")
	}
}

// TestLearnTryItOnScreen: what to do (the action, and the shell path where
// there is one) is on screen without scrolling on every step, at 80×24 and
// on a 100×30 projector; after an action at 80×24 its result shows without tab,
// naming the demo child's PID once.
func TestLearnTryItOnScreen(t *testing.T) {
	for _, presenter := range []bool{false, true} {
		f := newFixture(t, "", presenter, common.Progress{})
		w, h := 80, 24
		if presenter {
			w, h = 100, 30
		}
		for _, l := range lessons.Catalog() {
			for si, st := range l.Steps {
				f.goTo(l.ID, si)
				v := f.view(w, h)
				if !strings.Contains(v, "▶ a") || (st.DIY != nil && !strings.Contains(v, "▶ s do it yourself")) {
					t.Errorf("%s/%s at %dx%d (presenter %v): what to do is not on screen:\n%s", l.ID, st.ID, w, h, presenter, v)
				}
			}
		}
	}
	f := newFixture(t, "limits", false, common.Progress{})
	f.m.Update(teaSize(80, 24))
	f.goTo("limits", 0)
	f.press("a")
	v := f.view(80, 24)
	pid := fmt.Sprintf("in demo child %d", f.m.child.PID())
	if !strings.Contains(v, "killhost") || strings.Count(v, pid) != 1 {
		t.Errorf("after a at 80x24 the result (naming the PID once) is not on screen:\n%s", v)
	}
	if strings.Count(v, "killhost: allowed") > 1 {
		t.Errorf("the result line is repeated:\n%s", v)
	}
}

// One key map: the lesson text answers G/End, g/Home and ctrl+d/ctrl+u as
// every other screen does, and ? lists them.
func TestLearnScrollKeys(t *testing.T) {
	f := newFixture(t, "namespaces", false, common.Progress{})
	f.view(80, 14) // a small window: the text scrolls
	f.press("G")
	f.view(80, 14)
	if f.m.scroll == 0 {
		t.Fatal("G did not scroll to the end of the text")
	}
	f.press("g")
	if f.m.scroll != 0 {
		t.Fatalf("g left the text at line %d", f.m.scroll)
	}
	f.press("ctrl+d")
	if f.m.scroll == 0 {
		t.Fatal("ctrl+d did not scroll")
	}
	var keys []string
	for _, g := range f.m.FullHelp() {
		for _, b := range g {
			keys = append(keys, b.Help().Key)
		}
	}
	if h := strings.Join(keys, " "); !strings.Contains(h, "G/end") || !strings.Contains(h, "ctrl+u") {
		t.Fatalf("? does not list the scroll keys: %s", h)
	}
}

// TestQuizChoiceWrapsUnderItsText: at 80 columns a long choice goes on under
// its own first word, not at the left edge under "b)".
func TestQuizChoiceWrapsUnderItsText(t *testing.T) {
	f := newFixture(t, "namespaces", false, common.Progress{})
	l := f.m.lesson()
	f.goTo("namespaces", len(l.Steps))
	for _, q := range l.Quiz {
		if strings.HasPrefix(q.Prompt, "A user namespace maps") {
			break
		}
		f.press("n")
	}
	f.press("b")
	v := f.view(80, 24)
	if !strings.Contains(v, "\n     everything else") {
		t.Errorf("the wrapped choice is not indented under its text:\n%s", v)
	}
}

// TestHeaderKeepsTabHint: at 80 columns a long step title is cut, not the
// ✓ or the "tab: live" hint after it (the only word of the live panel a
// learner at 80×24 sees).
func TestHeaderKeepsTabHint(t *testing.T) {
	f := newFixture(t, "byhand", false, common.Progress{Completed: map[string]bool{"byhand/enter": true}})
	f.goTo("byhand", stepIndex(t, "byhand", "enter"))
	v := f.view(80, 24)
	if !strings.Contains(v, "✓  [text · tab: live]") {
		t.Errorf("the step line lost its ✓ or tab hint:\n%s", v)
	}
	for _, line := range strings.Split(v, "\n") {
		if ansi.StringWidth(line) > 80 {
			t.Errorf("line wider than 80: %q", line)
		}
	}
}

// TestLearnActionResultOnScreen: on every step of every lesson, the result
// of the action shows without tab and without scrolling, at 80×24 (the
// screen turns to the live panel by itself) and on a 100×30 projector
// (text and panel side by side; presenter mode moves nothing on its own):
// the verdict, and what the action did (the experiment's answer naming the
// demo child's PID, the namespace switched on, the registers read, the
// panel's two columns).
func TestLearnActionResultOnScreen(t *testing.T) {
	for _, presenter := range []bool{false, true} {
		w, h := 80, 24
		if presenter {
			w, h = 100, 30
		}
		f := newFixture(t, "", presenter, common.Progress{})
		f.m.Update(teaSize(w, h))
		for _, l := range lessons.Catalog() {
			for si, st := range l.Steps {
				if st.ByHandOnly {
					continue // no demo: TestLearnCheckByHandOnly
				}
				f.t = t
				f.goTo(l.ID, si)
				f.press("a")
				v := f.view(w, h)
				var want []string
				switch st.Action.Kind {
				case lessons.ActExperiment:
					want = append(want, st.Action.Experiment, fmt.Sprintf("in demo child %d", f.m.child.PID()))
				case lessons.ActApply:
					want = append(want, "changed ")
				case lessons.ActRegisters:
					want = append(want, "PC 0x")
				}
				want = append(want, "✓ passed", fmt.Sprintf("Live · demo child %d", f.m.child.PID()))
				for _, s := range want {
					if !strings.Contains(v, s) {
						t.Errorf("%s/%s at %dx%d: after a, %q is not on screen:\n%s", l.ID, st.ID, w, h, s, v)
					}
				}
			}
		}
	}
}

// TestLearnQuizFirstAnswerCounts: a question answered on an earlier visit
// keeps its first answer's score when it is answered again after coming
// back to the lesson, and the quiz page says that first answers count.
func TestLearnQuizFirstAnswerCounts(t *testing.T) {
	f := newFixture(t, "", false, common.Progress{Completed: map[string]bool{}})
	l := f.m.course[0]
	q := l.Quiz[0]
	wrong := (q.Answer + 1) % len(q.Choices)
	f.goTo(l.ID, len(l.Steps))
	f.press(string(rune('a' + wrong)))
	if r, asked := f.m.quizScore(l); r != 0 || asked != 1 {
		t.Fatalf("after a wrong first answer: %d right of %d asked", r, asked)
	}
	f.goTo(f.m.course[1].ID, 0)
	f.goTo(l.ID, len(l.Steps))
	f.press(string(rune('a' + q.Answer)))
	if r, asked := f.m.quizScore(l); r != 0 || asked != 1 {
		t.Errorf("a second answer changed the score: %d right of %d asked", r, asked)
	}
	if v := f.view(80, 24); !strings.Contains(v, "first answers count") {
		t.Errorf("the quiz page does not say the first answer counts:\n%s", v)
	}
}

// TestLearnNotesOnQuiz: N on a quiz page flips nothing (the next step's N
// still shows the notes) and the page says why nothing appeared.
func TestLearnNotesOnQuiz(t *testing.T) {
	f := newFixture(t, "", false, common.Progress{Completed: map[string]bool{}})
	l := f.m.course[0]
	f.goTo(l.ID, len(l.Steps))
	f.press("N")
	if f.m.notes {
		t.Error("N on a quiz page turned the notes on, unseen")
	}
	if v := f.view(80, 24); !strings.Contains(v, "no speaker notes") {
		t.Errorf("N on a quiz page says nothing:\n%s", v)
	}
	f.goTo(f.m.course[1].ID, 0)
	f.press("N")
	if !f.m.notes {
		t.Error("the step's N after the quiz's N did not show the notes")
	}
}

// TestLearnFailureReasonWraps: a ✗ reason longer than the window is wrapped
// onto the next lines, whole, at 80×24 in the text and the live view.
func TestLearnFailureReasonWraps(t *testing.T) {
	f := newFixture(t, "", false, common.Progress{})
	f.m.Update(teaSize(80, 24))
	l := f.m.course[0]
	f.goTo(l.ID, 0)
	reason := "the process that had PID 1 of runc's container learner-end is gone, and its chain in POSTROUTING too"
	f.m.result = &lessons.Result{Missing: reason}
	for _, live := range []bool{false, true} {
		f.m.showLive = live
		v := f.view(80, 24)
		flat := strings.Join(strings.Fields(v), " ")
		if !strings.Contains(flat, reason) || strings.Contains(v, "…(h: hint)") {
			t.Errorf("live=%v: the reason is not whole on screen:\n%s", live, v)
		}
	}
}

// TestLearnShellLinesIndented: a wrapped line of the by-hand panel goes on
// indented under its item, never at column 0.
func TestLearnShellLinesIndented(t *testing.T) {
	f := newFixture(t, "", false, common.Progress{})
	f.m.shell = &isolate.ShellTrace{Cleanup: []string{"removed the cgroup learner-1234 and its leaf", "deleted the veth pbx1234 and its peer", "removed the nat rules of learner-1234"}}
	lines := f.m.shellLines(60)
	n := 0
	for _, l := range lines {
		if strings.Contains(l, "undid") || n > 0 {
			n++
			if n > 1 && !strings.HasPrefix(ansi.Strip(l), "    ") {
				t.Errorf("a wrapped line is not indented: %q", ansi.Strip(l))
			}
		}
	}
	if n < 2 {
		t.Fatalf("the cleanup line did not wrap at 60 columns: %q", lines)
	}
}

// TestLearnShellNoRootCgroupLine: a process that reads "/" as its cgroup
// (a cgroup namespace's root) gets no "cgroup /" line, while a real group of
// its own still shows.
func TestLearnShellNoRootCgroupLine(t *testing.T) {
	host := isolate.Observed{CgroupPath: "/user.slice/procbox"}
	if d := observedDiff(host, isolate.Observed{CgroupPath: "/"}); strings.Contains(d, "cgroup") {
		t.Errorf("a stray cgroup line: %q", d)
	}
	if d := observedDiff(host, isolate.Observed{CgroupPath: "/learner-12/leaf"}); !strings.Contains(d, "cgroup /learner-12/leaf") {
		t.Errorf("the learner's own group is not shown: %q", d)
	}
}
