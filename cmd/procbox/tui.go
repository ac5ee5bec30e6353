package main

// Placeholder: the TUI entry points land with the TUI issue.
func runPsTUI() error { return usagef("ps: the TUI is not built yet; use --json") }
func runInspectTUI(pid, compare int) error {
	return usagef("inspect: the TUI is not built yet; use --json")
}
