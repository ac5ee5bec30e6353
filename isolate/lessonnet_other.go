//go:build !linux

package isolate

import "errors"

// NATRules needs Linux's netfilter.
func NATRules() ([]string, error) { return nil, errors.New("nat rules need Linux") }

// LessonNet is a learner's shell that may build the lesson's network.
type LessonNet struct{}

// WatchLessonNet has nothing to watch away from Linux.
func WatchLessonNet() *LessonNet { return nil }

// Claim has nothing to claim away from Linux.
func (n *LessonNet) Claim() error { return nil }

// Clean has nothing to clean away from Linux.
func (n *LessonNet) Clean() ([]string, error) { return nil, nil }

// LessonNetInUse is false away from Linux.
func LessonNetInUse() bool { return false }
