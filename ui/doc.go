// Package ui is the root of procbox's terminal UI: the stack of screens, the
// routing between them, the home menu and the Run functions cmd/procbox
// calls. Each screen lives in its own package (picker, inspector, lab, learn;
// markdown draws the lesson texts) and shares only ui/internal/common with
// the others. Screens never build each other: they send messages
// (picker.OpenMsg, picker.CompareMsg) and the root opens the screen.
//
// Rule: ui and everything under it are Bubble Tea models only. They never
// touch the kernel (no x/sys/unix, syscall or procfs): processes are read
// through common.Inspector, the Lab is driven through common.LabEngine and
// progress is saved through common.ProgressStore, all built in cmd/procbox.
// No IO or slow work happens in Update; that is what tea.Cmds are for.
package ui
