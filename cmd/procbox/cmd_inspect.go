package main

// cmdInspect implements 'procbox inspect'. Placeholder until its issue lands.
func cmdInspect(args []string) error { return usagef("inspect: not built yet") }
