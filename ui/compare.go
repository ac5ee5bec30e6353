package ui

// RunCompare opens the TUI on two processes side by side.
func RunCompare(d Deps, a, b int) error { return run(d, nil) }
