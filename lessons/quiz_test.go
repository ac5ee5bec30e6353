package lessons

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// "Never ask what has not been taught yet": a quiz comes at the end of its
// lesson, so every concept a question names must appear in the text of a
// step of that lesson or of an earlier one, in course order. A question's
// concepts are
//   - its Needs, declared by the author (and each must be a word of the
//     question, so a declaration cannot name something unrelated);
//   - the course's glossary found in its prompt and choices: every term the
//     text introduces in bold, wherever in the course that is;
//   - its technical tokens: names with an underscore or a dot inside
//     (cap_sys_admin, memory.max, RLIMIT_NPROC) and man page names (setns(2)).
// The explanation, shown after the answer, may look ahead; the question and
// its choices may not.

var (
	boldTerm  = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	techToken = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+`)
	manPage   = regexp.MustCompile(`\b([a-z_]+)\([1-8]\)`)
)

// mentions reports whether text has term as a word (any case, a plural s
// allowed on either side).
func mentions(text, term string) bool {
	stem := strings.TrimSuffix(strings.ToLower(term), "s")
	re := regexp.MustCompile(`(?i)(^|[^\pL\pN_])` + regexp.QuoteMeta(stem) + `(s|es)?($|[^\pL\pN_])`)
	return re.MatchString(text)
}

// lessonText is the text of every step of l, as the learner reads it.
func lessonText(t *testing.T, l Lesson) string {
	t.Helper()
	var b strings.Builder
	for _, s := range l.Steps {
		body, err := s.Body()
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(body + "\n")
	}
	return b.String()
}

// glossary is every term the course introduces in bold.
func glossary(t *testing.T, course []Lesson) []string {
	var terms []string
	for _, l := range course {
		for _, m := range boldTerm.FindAllStringSubmatch(lessonText(t, l), -1) {
			term := strings.TrimSpace(m[1])
			if len([]rune(term)) >= 3 && !slices.Contains(terms, term) {
				terms = append(terms, term)
			}
		}
	}
	return terms
}

// askedTerms lists the concepts q relies on (see the top of this file).
func askedTerms(q Question, gloss []string) []string {
	asked := q.Prompt + "\n" + strings.Join(q.Choices, "\n")
	terms := slices.Clone(q.Needs)
	for _, g := range gloss {
		if mentions(asked, g) {
			terms = append(terms, g)
		}
	}
	terms = append(terms, techToken.FindAllString(asked, -1)...)
	for _, m := range manPage.FindAllStringSubmatch(asked, -1) {
		terms = append(terms, m[1])
	}
	slices.Sort(terms)
	return slices.Compact(terms)
}

// untaught returns the terms of question q of lesson li that no step of
// lessons 0..li has taught, and the Needs that are not words of q.
func untaught(t *testing.T, course []Lesson, li int, q Question) (missing, stray []string) {
	t.Helper()
	var taught strings.Builder
	for _, l := range course[:li+1] {
		taught.WriteString(lessonText(t, l))
	}
	whole := q.Prompt + "\n" + strings.Join(q.Choices, "\n") + "\n" + q.Explain
	for _, n := range q.Needs {
		if !mentions(whole, n) {
			stray = append(stray, n)
		}
	}
	for _, term := range askedTerms(q, glossary(t, course)) {
		if !mentions(taught.String(), term) {
			missing = append(missing, term)
		}
	}
	return missing, stray
}

// TestQuizAsksOnlyWhatWasTaught holds every question of the course to the
// rule, and every question to naming at least one concept it can be held to.
func TestQuizAsksOnlyWhatWasTaught(t *testing.T) {
	course := Catalog()
	gloss := glossary(t, course)
	for li, l := range course {
		for i, q := range l.Quiz {
			if len(askedTerms(q, gloss)) == 0 {
				t.Errorf("%s quiz %d: names no concept the test can check; declare Needs", l.ID, i+1)
			}
			missing, stray := untaught(t, course, li, q)
			if len(missing) > 0 {
				t.Errorf("%s quiz %d %q asks about %q, which no step up to this lesson teaches", l.ID, i+1, q.Prompt, missing)
			}
			if len(stray) > 0 {
				t.Errorf("%s quiz %d: Needs %q are not words of the question", l.ID, i+1, stray)
			}
		}
	}
}

// TestQuizRuleCatchesALaterTopic proves the rule bites: questions about later
// lessons' topics, put into early lessons, are caught, each by another of
// the three nets; the same question at its own lesson passes.
func TestQuizRuleCatchesALaterTopic(t *testing.T) {
	course := Catalog()
	idx := func(id string) int {
		for i, l := range course {
			if l.ID == id {
				return i
			}
		}
		t.Fatalf("no lesson %s", id)
		return -1
	}
	bad := []struct {
		lesson, later string
		q             Question
		want          string
	}{
		{"process", "cgroups", Question{
			Prompt:  "Which file caps how many tasks a group may hold?",
			Choices: []string{"pids.max", "pid_max", "nice", "/proc/self/fd"}, Answer: 0,
		}, "pids.max"}, // a technical token
		{"limits", "security", Question{
			Prompt:  "What does a filter of system calls see first?",
			Choices: []string{"The arguments", "The file", "The uid", "Nothing"}, Answer: 0,
			Needs: []string{"filter"},
		}, "filter"}, // declared
		{"process", "namespaces", Question{
			Prompt:  "What does a UTS namespace hold?",
			Choices: []string{"The hostname", "The uid map", "The mounts", "The clocks"}, Answer: 0,
		}, "UTS namespace"}, // the glossary
		{"namespaces", "deeper", Question{
			Prompt:  "Which call joins a running container's namespaces?",
			Choices: []string{"setns(2)", "unshare(2)", "clone(2)", "fork(2)"}, Answer: 0,
		}, "setns"}, // a man page
	}
	for _, b := range bad {
		missing, _ := untaught(t, course, idx(b.lesson), b.q)
		if !slices.Contains(missing, b.want) {
			t.Errorf("a %s question in the %s lesson got through (untaught: %q; want %q among them)", b.later, b.lesson, missing, b.want)
		}
		if missing, _ := untaught(t, course, idx(b.later), b.q); len(missing) > 0 {
			t.Errorf("the same question in the %s lesson, which teaches it, is refused: %q", b.later, missing)
		}
	}
	// A Need that is not a word of the question is refused too.
	q := Question{Prompt: "Which nice value is the politest?", Choices: []string{"19", "0", "-20", "5"}, Needs: []string{"cgroup"}}
	if _, stray := untaught(t, course, idx("deeper"), q); !slices.Contains(stray, "cgroup") {
		t.Errorf("a Need unrelated to the question was accepted")
	}
}
