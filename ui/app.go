package ui

// Placeholder: the root model lands with the TUI issue (owner: ui core).
// run starts the root model with s as its first screen.
func run(d Deps, s screen) error { return nil }
