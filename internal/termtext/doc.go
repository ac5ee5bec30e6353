// Package termtext makes strings that others chose safe to put on a terminal.
// It is a leaf: it imports nothing of procbox, so isolate (and inspect) may
// use it for every string a process, a child or a namespace picked: a
// hostname, a process name, a mount point, an interface name, an error text.
package termtext
