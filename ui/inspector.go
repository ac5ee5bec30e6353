package ui

// RunInspector opens the TUI on the inspector of pid.
func RunInspector(d Deps, pid int) error { return run(d, nil) }
