// Package units formats sizes for people. It is a leaf: it imports nothing of
// procbox and makes no system calls, so inspect, isolate and every ui screen
// may use it, and there is one byte formatter in the tree, not five.
package units
