package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"procbox/isolate"
	"procbox/ui"
)

// labStopper is implemented by the real Lab engine (wire_lab.go): it stops
// every child it ever started, whatever the UI managed to do.
type labStopper interface{ StopAll() }

const labHelp = `Usage: procbox lab [SPEC]

Opens the Lab on a live child with the SPEC's switches already on; each can
then be switched in the Lab. Needs a terminal.

` + specHelp + `
Example: procbox lab --ns uts,pid --hostname demo
`

// cmdLab implements 'procbox lab [SPEC]': the Lab on a live child, starting
// from SPEC (a plain process without one).
func cmdLab(args []string) error {
	fs := newFlagSet("lab")
	spec := parseSpecFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(labHelp)
			return nil
		}
		return flagError("lab", err)
	}
	if fs.NArg() > 0 {
		return usagef("lab: unexpected argument %q (the Lab takes only SPEC flags; see procbox lab --help)", fs.Arg(0))
	}
	s, err := spec()
	if err != nil {
		return usagef("lab: %v", err)
	}
	if why := noTUIReason(); why != "" {
		return usagef("lab: needs a terminal that can draw a screen: %s (for a one-off isolated command use: procbox run [SPEC] -- CMD)", why)
	}
	d := buildDeps()
	return withLabCleanup(d, func() error { return ui.RunLab(d, s) })
}

// withLabCleanup runs a TUI that may start Lab children (the Lab, the lessons,
// home) and stops every one of them afterwards. The UI stops its children when
// it closes; this is the belt to those braces: a signal, a panic or an early
// return still removes every child, its cgroups, its veth and the lessons'
// root filesystem.
func withLabCleanup(d ui.Deps, run func() error) error {
	isolate.SweepOwned(false, false) // what killed procboxes left (their lock files say what)
	if st, ok := d.Lab.(labStopper); ok {
		defer st.StopAll()
		stop := labStopOnSignal(st)
		defer stop()
	}
	return run()
}

// labStopOnSignal stops every child at once on SIGTERM or SIGHUP. The UI is
// also told (buildDeps cancels its context) and normally exits by itself; if
// it has not within a few seconds, procbox exits with 128+signal.
func labStopOnSignal(st labStopper) (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case sig := <-sigs:
			st.StopAll()
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				code := 128 + int(sig.(syscall.Signal))
				os.Exit(code)
			}
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}
