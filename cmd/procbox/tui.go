package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"

	"procbox/inspect"
	"procbox/ui"
)

// labEngineHook and progressHook let the Lab and Learn wiring (wire_lab.go,
// progress.go) plug their real implementations into buildDeps from their own
// init(), so this file does not need to know them. nil: that part of the UI
// explains it is unavailable.
var (
	labEngineHook func() ui.LabEngine
	progressHook  func() ui.ProgressStore
)

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }

// onTTY reports whether both stdin and stdout are terminals that can draw
// the TUI: TERM=dumb (or no TERM at all) cannot move the cursor, so those get
// the plain text output instead of a full-screen UI with an invisible selection.
func onTTY() bool { return noTUIReason() == "" }

// noTUIReason says why this procbox cannot draw the full-screen UI, for the
// commands that have no plain-text form (home, lab): "" when it can.
func noTUIReason() string {
	return whyNoTUI(isTerminal(os.Stdin), isTerminal(os.Stdout), os.Getenv("TERM"))
}

// whyNoTUI is noTUIReason on given facts: a user on a real terminal with
// TERM=dumb must not be told it is not a terminal.
func whyNoTUI(stdinTTY, stdoutTTY bool, term string) string {
	switch {
	case !stdinTTY && !stdoutTTY:
		return "stdin and stdout are not a terminal"
	case !stdinTTY:
		return "stdin is not a terminal"
	case !stdoutTTY:
		return "stdout is not a terminal"
	case term == "":
		return "TERM is not set, so the terminal's type is unknown (try TERM=xterm-256color)"
	case dumbTerminal(term):
		return "TERM=" + term + " cannot move the cursor (try TERM=xterm-256color)"
	}
	return ""
}

// dumbTerminal reports whether TERM names a terminal without cursor movement.
func dumbTerminal(term string) bool { return term == "" || term == "dumb" }

// buildDeps wires the real implementations into the UI. The context ends the
// TUI on a hang-up or SIGTERM; the UI then closes every screen (the Lab stops
// its child) before returning.
func buildDeps() ui.Deps {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
	}()
	watchHangup(int(os.Stdin.Fd()), cancel)
	d := ui.Deps{
		Inspector:  newInspector(inspect.DefaultFS(), inspect.Options{}),
		Clock:      ui.SystemClock{},
		Styles:     ui.NewStyles(true, os.Getenv("NO_COLOR") != ""),
		Context:    ctx,
		ProcessCPU: processCPU,
		Shells:     learnerShells{},
		HaveTool:   haveTool,
	}
	if labEngineHook != nil {
		d.Lab = labEngineHook()
	}
	if progressHook != nil {
		d.Progress = progressHook()
	}
	return d
}

// processCPU is the CPU time this process has used so far, all threads
// together; the picker paces its scans by it.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runPsTUI opens the process picker (procbox ps on a terminal).
func runPsTUI() error { return ui.RunPicker(buildDeps()) }

// runInspectTUI opens the inspector on pid, the picker when pid is 0, or the
// side-by-side comparison when compare is not 0.
func runInspectTUI(pid, compare int) error { return runInspectTUIWith(pid, compare, false) }

// runInspectTUIWith is runInspectTUI honouring --show-secrets: environment
// values are then shown unmasked in the inspector.
func runInspectTUIWith(pid, compare int, showSecrets bool) error {
	d := buildDeps()
	if showSecrets {
		d.ShowSecrets = true
		d.Inspector = newInspector(inspect.DefaultFS(), inspect.Options{ShowSecrets: true})
	}
	switch {
	case pid == 0:
		return ui.RunPicker(d)
	case compare != 0:
		return ui.RunCompare(d, pid, compare)
	default:
		return ui.RunInspector(d, pid)
	}
}
