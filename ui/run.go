package ui

import (
	"procbox/isolate"
	"procbox/ui/inspector"
	"procbox/ui/lab"
	"procbox/ui/picker"
)

// RunPicker opens the TUI on the process picker.
func RunPicker(d Deps) error {
	d = d.WithDefaults()
	return run(d, picker.New(d))
}

// RunInspector opens the TUI on one process.
func RunInspector(d Deps, pid int) error {
	d = d.WithDefaults()
	return run(d, inspector.New(d, pid))
}

// RunCompare opens the TUI on two processes side by side.
func RunCompare(d Deps, a, b int) error {
	d = d.WithDefaults()
	return run(d, inspector.NewCompare(d, a, b))
}

// RunLab opens the TUI on the Lab, starting from spec.
func RunLab(d Deps, spec isolate.Spec) error {
	d = d.WithDefaults()
	return run(d, lab.New(d, spec))
}
