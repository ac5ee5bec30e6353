package main

import "procbox/isolate"

// init catches the re-exec of procbox as an isolated child before any CLI or
// TUI code runs (runc's pattern): isolate.ChildHook returns at once unless
// os.Args carries its marker, and never returns if it does. Being in init
// matters: Go keeps the main goroutine on the main thread during init, and
// the child's time namespace setup must run there.
func init() { isolate.ChildHook() }
