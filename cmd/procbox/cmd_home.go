package main

import (
	"fmt"
	"os"

	"procbox/ui"
)

// cmdHome implements 'procbox' with no arguments: the home screen on a
// terminal, the usage (and status 2) anywhere else, since there is nothing
// sensible to do without one.
func cmdHome() error {
	if why := noTUIReason(); why != "" {
		fmt.Fprint(os.Stderr, usageText)
		// Last, where it is read: why the home screen did not open.
		fmt.Fprintf(os.Stderr, "\nprocbox: the home screen needs a terminal that can draw a screen: %s\n", why)
		return exitError{code: 2}
	}
	d := buildDeps()
	return withLabCleanup(d, func() error { return ui.RunHome(d) })
}
