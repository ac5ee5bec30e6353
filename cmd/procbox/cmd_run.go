package main

// cmdRun implements 'procbox run'. Placeholder until its issue lands.
func cmdRun(args []string) error { return usagef("run: not built yet") }
