package main

// cmdLearn implements 'procbox learn'. Placeholder until its issue lands.
func cmdLearn(args []string) error { return usagef("learn: not built yet") }
