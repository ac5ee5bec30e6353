package ui

import (
	"procbox/inspect"
	"procbox/isolate"
	"procbox/lessons"
	"procbox/ui/inspector"
	"procbox/ui/lab"
	"procbox/ui/learn"
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

// RunLearn opens the TUI on the lesson player.
func RunLearn(d Deps, lesson string, presenter bool) error {
	return run(d, learn.New(d, lesson, presenter))
}

// ActionResult is what performing a step's action produced.
type ActionResult = learn.ActionResult

// GatherState reads what a lesson check looks at (see learn.GatherState);
// cmd/procbox's tests check the lessons with it on real children.
func GatherState(in Inspector, child LabChild, doctor inspect.HostReport) (lessons.State, error) {
	return learn.GatherState(in, child, doctor)
}

// PerformAction does a step's action on child (see learn.PerformAction).
func PerformAction(step lessons.Step, child LabChild, clock Clock) (ActionResult, error) {
	return learn.PerformAction(step, child, clock)
}
