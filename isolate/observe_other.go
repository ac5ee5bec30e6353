//go:build !linux

package isolate

import (
	"errors"
	"time"
)

// Observe is Linux-only.
func Observe(pid int) (Observed, error) {
	return Observed{}, errors.New("observing a process needs Linux")
}

// Watch is Linux-only: the watch it returns records nothing.
func WatchTree(root int, every time.Duration, skip func(pid int) bool) *TreeWatch {
	return &TreeWatch{}
}

// WatchTreeNamed is Linux-only: the watch it returns records nothing.
func WatchTreeNamed(root int, every time.Duration, skip func(pid int) bool, name func(pid int) string) *TreeWatch {
	return &TreeWatch{}
}

// TreeWatch is a running watch of a process tree.
type TreeWatch struct{}

// GuardLessonNet is a no-op here.
func (w *TreeWatch) GuardLessonNet(n *LessonNet) {}

// Sample is a no-op here.
func (w *TreeWatch) Sample() {}

// Stop returns an empty trace here.
func (w *TreeWatch) Stop() ShellTrace { return ShellTrace{} }
