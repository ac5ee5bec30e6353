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
	if !onTTY() {
		fmt.Fprint(os.Stderr, usageText)
		return exitError{code: 2}
	}
	d := buildDeps()
	return withLabCleanup(d, func() error { return ui.RunHome(d) })
}
