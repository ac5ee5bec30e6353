// Package kernel holds the kernel's own formats and tables that inspect and
// isolate both need: system call numbers of the running architecture
// (generated from golang.org/x/sys), capability names (capabilities(7)) and
// the flat-keyed "key value" files of cgroupfs (cgroups(7)).
//
// It is a leaf: it imports nothing of procbox, opens no files and makes no
// system calls, so both sides of the import rule may use it and there is one
// copy of each table instead of one per package.
package kernel

//go:generate go run ./gen
