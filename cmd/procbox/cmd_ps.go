package main

// cmdPs implements 'procbox ps'. Placeholder until its issue lands.
func cmdPs(args []string) error { return usagef("ps: not built yet") }
