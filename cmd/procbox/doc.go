// Command procbox teaches and shows how a Linux process becomes a container.
// This package is the composition root: it parses flags, picks the subcommand,
// and wires the real implementations (inspect, isolate) into the UI. It is
// the only package that builds them, and the only one that may import every
// other (TestImportRule holds the others to their rules).
package main
