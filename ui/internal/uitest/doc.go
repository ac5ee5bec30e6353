// Package uitest holds the one set of fakes every ui test uses: an Inspector
// over a fixed host, a LabEngine whose children answer from their Spec, a
// settable Clock whose ticks never fire, the key presses tea would deliver,
// and a Driver that runs a screen's commands synchronously, the way tea's
// loop would, inside the same Frame the user sees. It is internal to ui and
// imported only by tests; like the rest of ui it never touches the kernel.
package uitest
