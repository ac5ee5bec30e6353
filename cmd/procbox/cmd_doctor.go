package main

// cmdDoctor implements 'procbox doctor'. Placeholder until its issue lands.
func cmdDoctor(args []string) error { return usagef("doctor: not built yet") }
