package main

// cmdHome implements 'procbox' with no arguments. Placeholder until the TUI lands.
func cmdHome() error { return usagef("no command given; see procbox --help") }
