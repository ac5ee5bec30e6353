package main

// init catches the re-exec of procbox as an isolated child before any CLI or
// TUI code runs (runc's pattern): isolate.ChildHook returns at once unless
// os.Args carries its marker, and never returns if it does.
// Wired up by the isolate issue.
