package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"procbox/lessons"
	"procbox/ui"
)

// syncBuffer is a bytes.Buffer safe for the follower's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// presenterStore is the presenter's saved place, moved by the test.
type presenterStore struct {
	mu sync.Mutex
	p  ui.Progress
}

func (s *presenterStore) Load() (ui.Progress, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p, nil
}
func (s *presenterStore) Save(p ui.Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.p = p
	return nil
}

// TestLearnNotesFollowsPresenter: the notes terminal shows the notes of the
// presenter's step and follows when the presenter moves on.
func TestLearnNotesFollowsPresenter(t *testing.T) {
	store := &presenterStore{p: ui.Progress{Lesson: "namespaces", Step: 0}}
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- followNotes(ctx, &out, store, "<clear>", nil) }()
	l, _ := lessons.Find("namespaces")
	waitOut := func(want string) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if strings.Contains(out.String(), want) {
				return
			}
		}
		t.Fatalf("the notes terminal never showed %q:\n%s", want, out.String())
	}
	waitOut(l.Steps[0].Notes)
	store.Save(ui.Progress{Lesson: "namespaces", Step: 1})
	waitOut(l.Steps[1].Notes)
	store.Save(ui.Progress{Lesson: "namespaces", Step: len(l.Steps)})
	waitOut(l.Quiz[0].Explain)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "<clear>"); n != 3 {
		t.Errorf("the screen was redrawn %d times for 3 places", n)
	}
}

func TestLearnNotesUsage(t *testing.T) {
	var out bytes.Buffer
	err := learnMain([]string{"--notes", "--presenter"}, &out, true)
	if err == nil || !strings.Contains(err.Error(), "--notes takes nothing else") {
		t.Errorf("--notes --presenter: %v", err)
	}
}

// TestLearnNotesWrapToWidth: the notes terminal wraps at word boundaries to
// the terminal's width (no line wider, no word cut in two), and draws the
// notes again when the width changes.
func TestLearnNotesWrapToWidth(t *testing.T) {
	store := &presenterStore{p: ui.Progress{Lesson: "namespaces", Step: 0}}
	var out syncBuffer
	var mu sync.Mutex
	cols := 40
	width := func() int { mu.Lock(); defer mu.Unlock(); return cols }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- followNotes(ctx, &out, store, "<clear>", width) }()
	words := strings.Fields(lessons.SpeakerNotes("namespaces", 0))
	wait := func(n int) string {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if s := out.String(); strings.Count(s, "<clear>") >= n { // one write each: clear, then the text
				return s
			}
		}
		t.Fatalf("the notes terminal never drew the notes %d times:\n%s", n, out.String())
		return ""
	}
	s := wait(1)
	for _, line := range strings.Split(strings.TrimPrefix(s, "<clear>"), "\n") {
		if ansi.StringWidth(line) > 40 {
			t.Errorf("a line wider than 40 columns: %q", line)
		}
	}
	if got := strings.Fields(strings.TrimPrefix(s, "<clear>")); strings.Join(got, " ") != strings.Join(words, " ") {
		t.Errorf("the wrapped notes cut or lost words:\n%s", s)
	}
	mu.Lock()
	cols = 70
	mu.Unlock()
	wait(2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
