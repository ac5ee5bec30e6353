// Package leakcheck reads what procbox could leave behind on the host —
// cgroups, mounts, network links, processes — for the tests that prove a run
// left nothing. Each test package keeps its own rule for what is its own (other
// test binaries run at the same time); the reading is done here, once. Only
// _test.go files import it, and like every internal/ package it imports
// nothing of procbox.
package leakcheck
