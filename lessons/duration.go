package lessons

import "strings"

// How long a lesson takes a learner who reads every step and does the
// do-it-yourself path by hand. The rates are for someone reading technical
// text carefully and typing commands they are reading for the first time;
// the overheads are the round trips through procbox (act, read the panel;
// open the shell, exit, let the check run, fix a typo).
const (
	readWordsPerMinute  = 150.0
	typeCharsPerSecond  = 1.5
	actMinutesPerStep   = 0.5
	shellMinutesPerStep = 1.5
)

// EstimateMinutes is a lesson's expected length by the model above: its
// text and quiz read, every action taken, every shell path typed.
func EstimateMinutes(l Lesson) float64 {
	words, chars := 0, 0
	for _, s := range l.Steps {
		if b, err := s.Body(); err == nil {
			words += len(strings.Fields(b))
		}
		if s.DIY != nil {
			for _, c := range s.DIY.Commands {
				chars += len(c)
			}
		}
	}
	for _, q := range l.Quiz {
		words += len(strings.Fields(q.Prompt + " " + strings.Join(q.Choices, " ") + " " + q.Explain))
	}
	m := float64(words)/readWordsPerMinute + float64(chars)/typeCharsPerSecond/60
	for _, s := range l.Steps {
		m += actMinutesPerStep
		if s.DIY != nil {
			m += shellMinutesPerStep
		}
	}
	return m
}
