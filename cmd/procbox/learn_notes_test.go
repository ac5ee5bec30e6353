package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

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
	go func() { done <- followNotes(ctx, &out, store, "<clear>") }()
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
