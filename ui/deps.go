package ui

import "procbox/ui/internal/common"

// The contract between ui and cmd/procbox. The types live in
// ui/internal/common so every screen package can use them; these names are
// what cmd/procbox builds and passes in.
type (
	// Deps is everything the UI needs from outside, built by cmd/procbox.
	Deps = common.Deps
	// Inspector reads processes.
	Inspector = common.Inspector
	// LabEngine starts live children for the Lab and the lessons.
	LabEngine = common.LabEngine
	// LabChild is a running child the Lab can change, probe and experiment on.
	LabChild = common.LabChild
	// ProgressStore saves where a learner is in the curriculum.
	ProgressStore = common.ProgressStore
	// Progress is a learner's place in the curriculum.
	Progress = common.Progress
	// Clock lets tests freeze time.
	Clock = common.Clock
	// SystemClock is the real time.
	SystemClock = common.SystemClock
	// Styles is every style the UI uses.
	Styles = common.Styles
)

// NewStyles builds the styles for a dark or light background; with noColor
// the UI is monochrome.
func NewStyles(isDark, noColor bool) Styles { return common.NewStyles(isDark, noColor) }
