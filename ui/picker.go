package ui

// RunPicker opens the TUI on the process picker.
func RunPicker(d Deps) error { return run(d, newPickerScreen(d)) }

func newPickerScreen(d Deps) screen { return nil }
