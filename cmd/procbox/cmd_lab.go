package main

// cmdLab implements 'procbox lab'. Placeholder until its issue lands.
func cmdLab(args []string) error { return usagef("lab: not built yet") }
