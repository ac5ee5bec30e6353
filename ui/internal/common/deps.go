package common

import (
	"context"
	"errors"
	"os/exec"
	"time"

	"procbox/inspect"
	"procbox/isolate"
)

// Inspector reads processes. cmd/procbox passes inspect.FS-backed code; tests pass fakes.
type Inspector interface {
	Table() ([]inspect.ProcRow, error)
	Snapshot(pid int) (inspect.Snapshot, error) // errors wrap inspect.ErrGone / inspect.ErrDenied
	Doctor() inspect.HostReport
}

// LabEngine starts live children for the Lab and the lessons.
type LabEngine interface {
	Start(spec isolate.Spec) (LabChild, error)
	Explain(spec isolate.Spec) []isolate.Step
}

// LabChild is a running child process the Lab can change, probe and experiment on.
// Every method may block (they are called from tea.Cmds, never from Update).
type LabChild interface {
	PID() int
	Spec() isolate.Spec
	Apply(spec isolate.Spec) (isolate.Change, error)
	HostView() (isolate.View, error)
	ChildView() (isolate.View, error)
	Experiment(name string) (isolate.Outcome, error)
	ShellCmd() *exec.Cmd
	Registers() (isolate.Registers, error)
	Steps() []isolate.Step
	Stop() error
}

// Deps is everything the UI needs from outside, built by cmd/procbox.
type Deps struct {
	Inspector Inspector
	Lab       LabEngine     // nil: the Lab and live lessons show why they are unavailable
	Progress  ProgressStore // nil: progress is not saved
	Clock     Clock
	Styles    Styles
	// Context, when set, ends the TUI when it is cancelled (cmd/procbox cancels
	// it on SIGHUP); every open screen is still closed. nil: never cancelled.
	Context context.Context
	// ShowSecrets reveals secret-looking environment values (--show-secrets).
	ShowSecrets bool
	// ProcessCPU, when set, is the CPU time procbox has used so far, every
	// thread counted (cmd/procbox reads getrusage; ui makes no syscalls).
	// The picker paces its scans by it as well as by wall time: a scan that
	// fans out over several cores costs more CPU than its wall time says.
	// nil: wall time only.
	ProcessCPU func() time.Duration
	// Shells gives the learner a plain shell of their own for a step's
	// do-it-yourself path. nil: that path says why it is unavailable.
	Shells ShellStarter
	// HaveTool says whether a program is installed here (cmd/procbox looks
	// it up in PATH; ui does no IO). The learn player warns before it opens
	// the shell of a step whose commands run a program that is missing.
	// nil: every program is taken as installed.
	HaveTool func(name string) bool
}

// ShellStarter starts a learner's own shell and watches what it starts.
type ShellStarter interface {
	// Shell returns the shell to hand the terminal to and starts watching
	// every process procbox starts outside the demo child (skip: its PID);
	// done ends the watch and returns what it saw. done blocks briefly:
	// call it from a tea.Cmd.
	// intro is printed before the first prompt (the commands to type).
	Shell(skip int, intro string) (cmd *exec.Cmd, done func() isolate.ShellTrace, err error)
}

// ProgressStore saves where a learner is in the curriculum.
type ProgressStore interface {
	Load() (Progress, error)
	Save(Progress) error
}

// Progress is a learner's place in the curriculum.
type Progress struct {
	Lesson    string          `json:"lesson"`
	Step      int             `json:"step"`
	Completed map[string]bool `json:"completed"` // "lesson/step" -> done
	// Via says which path passed a step: lessons.PathShow (the demo child,
	// a) or lessons.PathShell (the learner's own shell, s).
	Via map[string]string `json:"via,omitempty"`
}

// WithDefaults fills what a caller may leave out of Deps, so a screen never
// meets a nil clock.
func (d Deps) WithDefaults() Deps {
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	return d
}

// ErrNoInspector is what a screen shows when Deps has no Inspector.
var ErrNoInspector = errors.New("no process inspector in this build")
