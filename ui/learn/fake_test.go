package learn

import (
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

var testT0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// memStore is an in-memory ProgressStore.
type memStore struct {
	mu    sync.Mutex
	p     common.Progress
	saves int
}

func (m *memStore) Load() (common.Progress, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.p, nil
}
func (m *memStore) Save(p common.Progress) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.p, m.saves = p, m.saves+1
	return nil
}

// fixture drives a Model synchronously on the fakes.
type fixture struct {
	t     *testing.T
	m     *Model
	eng   *uitest.LabEngine
	store *memStore
	clock *uitest.Clock
}

func newFixture(t *testing.T, lesson string, presenter bool, p common.Progress) *fixture {
	t.Helper()
	clock := uitest.NewClock(testT0)
	eng := &uitest.LabEngine{Clock: clock}
	store := &memStore{p: p}
	d := uitest.LabDeps(eng, clock)
	d.Progress = store
	f := &fixture{t: t, m: New(d, lesson, presenter), eng: eng, store: store, clock: clock}
	f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 38})
	f.run(f.m.Init())
	t.Cleanup(func() {
		if c := f.m.Close(); c != nil {
			c()
		}
		if n := eng.Running(); n != 0 {
			t.Errorf("%d demo children still running after Close", n)
		}
	})
	return f
}

// run executes cmd and everything it leads to, like the event loop would.
func (f *fixture) run(cmd tea.Cmd) { f.t.Helper(); uitest.Direct(f.t, f.m).Run(cmd) }

// press types each key and runs what it started to completion.
func (f *fixture) press(keys ...string) { f.t.Helper(); uitest.Direct(f.t, f.m).Keys(keys...) }

// goTo jumps to lesson id, step si, as n/p would.
func (f *fixture) goTo(id string, si int) {
	f.t.Helper()
	li := f.m.lessonIndex(id)
	if li < 0 {
		f.t.Fatalf("no lesson %s", id)
	}
	f.run(f.m.goTo(li, si))
}

func teaSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
