package ui

import "procbox/isolate"

// Placeholder: the Lab screen lands with the Lab issue.
func newLabScreen(d Deps, spec isolate.Spec) screen { return nil }

// RunLab opens the TUI on the Lab.
func RunLab(d Deps, spec isolate.Spec) error { return run(d, newLabScreen(d, spec)) }
