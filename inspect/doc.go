// Package inspect reads /proc and cgroupfs into plain values. It never spawns
// processes, never writes, and never draws: every function here only reads the
// kernel's files under a configurable root, so tests can point it at a fixture tree.
//
// Faults are answers, not failures: a process that vanished is ErrGone, a file the
// caller may not read is ErrDenied, and each section of a Snapshot is read on its
// own so one unreadable file never hides the rest (see Snapshot.Errors).
//
// It imports no project package but the internal/ leaves (kernel, units).
package inspect
