package ui

// Placeholder: the Learn screen lands with the Learn issue.
func newLearnScreen(d Deps, lesson string, presenter bool) screen { return nil }

// RunLearn opens the TUI on the lesson player.
func RunLearn(d Deps, lesson string, presenter bool) error {
	return run(d, newLearnScreen(d, lesson, presenter))
}
