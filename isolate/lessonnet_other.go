//go:build !linux

package isolate

import "errors"

// NATRules needs Linux's netfilter.
func NATRules() ([]string, error) { return nil, errors.New("nat rules need Linux") }

// LessonNet is a learner's shell that may build the lesson's network.
type LessonNet struct{}

// ClaimLessonNet has nothing to claim away from Linux.
func ClaimLessonNet() (*LessonNet, error) { return nil, nil }

// Clean has nothing to clean away from Linux.
func (n *LessonNet) Clean() ([]string, error) { return nil, nil }
