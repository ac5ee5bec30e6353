package lessons

import (
	"strings"
	"testing"
)

func TestSpeakerNotes(t *testing.T) {
	for _, l := range Catalog() {
		for si, s := range l.Steps {
			n := SpeakerNotes(l.ID, si)
			for _, want := range []string{s.Title, s.Notes, s.Hint} {
				if !strings.Contains(n, want) {
					t.Errorf("%s/%s: notes lack %q", l.ID, s.ID, want)
				}
			}
			if s.DIY != nil && !strings.Contains(n, s.DIY.Commands[0]) {
				t.Errorf("%s/%s: notes lack the do-it-yourself lines", l.ID, s.ID)
			}
		}
		quiz := SpeakerNotes(l.ID, len(l.Steps))
		for _, q := range l.Quiz {
			if !strings.Contains(quiz, q.Choices[q.Answer]) || !strings.Contains(quiz, q.Explain) {
				t.Errorf("%s quiz notes lack the answer to %q", l.ID, q.Prompt)
			}
		}
	}
	if SpeakerNotes("nope", 0) != "" {
		t.Error("notes for an unknown lesson")
	}
}
