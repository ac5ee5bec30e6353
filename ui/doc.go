// Package ui holds the Bubble Tea models of procbox and nothing else. It never
// touches the kernel itself: it reads processes through the Inspector interface,
// drives the Lab through LabEngine, and saves lesson progress through
// ProgressStore, all declared in deps.go and built in cmd/procbox. No IO or slow
// work happens in Update; that is what tea.Cmds are for.
package ui
