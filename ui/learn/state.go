package learn

import (
	"fmt"
	"os"
	"time"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/lessons"
	"procbox/ui/internal/common"
)

// This file is the one road from a live child to a lessons.State: the lesson
// player uses it in its commands, and cmd/procbox's root integration tests use
// it to walk every check against the real engine, so both see the same state.

// GatherState reads both views of child, snapshots of child and of procbox
// itself, and fills in the host report. It blocks; call it from a tea.Cmd.
// A view or snapshot that cannot be read is left empty and its error returned
// joined, so a check can still say what is missing.
func GatherState(in common.Inspector, child common.LabChild, doctor inspect.HostReport) (lessons.State, error) {
	st := lessons.State{Doctor: doctor, Spec: child.Spec()}
	var errs []error
	var err error
	if st.Host, err = child.HostView(); err != nil {
		errs = append(errs, fmt.Errorf("host view: %w", err))
	}
	if st.Child, err = child.ChildView(); err != nil {
		errs = append(errs, fmt.Errorf("child view: %w", err))
	}
	oneReading(&st.Host, &st.Child)
	if in != nil {
		if s, err := in.Snapshot(child.PID()); err == nil {
			st.ChildSnap = &s
		} else {
			errs = append(errs, fmt.Errorf("snapshot of the child: %w", err))
		}
		if s, err := in.Snapshot(os.Getpid()); err == nil {
			st.HostSnap = &s
		}
	}
	return st, joinErrs(errs)
}

// ActionResult is what performing a step's action produced.
type ActionResult struct {
	Child     common.LabChild // the child afterwards (Apply may have replaced it)
	Outcome   *isolate.Outcome
	Registers *isolate.Registers
	Change    *isolate.Change
	Took      time.Duration // for ActApply: how long the change took
}

// PerformAction does what the learner does on step: apply the step's spec,
// run its experiment or read the registers. ActLook and ActShell need nothing
// here (the look is the state gathered afterwards; the shell is the UI's).
// It blocks; call it from a tea.Cmd.
func PerformAction(step lessons.Step, child common.LabChild, clock common.Clock) (ActionResult, error) {
	res := ActionResult{Child: child}
	switch step.Action.Kind {
	case lessons.ActApply:
		t0 := clock.Now()
		ch, err := child.Apply(step.Spec)
		res.Took = clock.Now().Sub(t0)
		if err != nil {
			return res, fmt.Errorf("switching on %s: %w", step.Title, err)
		}
		res.Change = &ch
	case lessons.ActExperiment:
		o, err := child.Experiment(step.Action.Experiment)
		if err != nil {
			return res, fmt.Errorf("experiment %s: %w", step.Action.Experiment, err)
		}
		res.Outcome = &o
	case lessons.ActRegisters:
		r, err := child.Registers()
		if err != nil {
			return res, fmt.Errorf("reading registers: %w", err)
		}
		res.Registers = &r
	}
	return res, nil
}

// joinErrs is errors.Join, but nil for none and the one error for one (so a
// single failure reads as itself on one line).
func joinErrs(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	msg := errs[0].Error()
	for _, e := range errs[1:] {
		msg += "; " + e.Error()
	}
	return fmt.Errorf("%s", msg)
}

// oneReading makes the two columns agree where they look at one and the same
// kernel object. The host's and the child's views are read a moment apart,
// by two processes; where the child shares a namespace with the host, both
// sides name the same processes, mounts, interfaces or IPC objects, so the
// host's reading stands for both, and a process that came or went between
// the two reads cannot show as "97 | 95" where nothing differs.
func oneReading(h, c *isolate.View) {
	shared := func(kind string) bool {
		return h.NSInodes[kind] != 0 && h.NSInodes[kind] == c.NSInodes[kind]
	}
	if shared(isolate.NSPID) {
		c.ProcCount, c.Procs = h.ProcCount, h.Procs
	}
	if shared(isolate.NSMnt) {
		c.MountRoot, c.MountCount = h.MountRoot, h.MountCount
	}
	if shared(isolate.NSNet) {
		c.Interfaces = h.Interfaces
	}
	if shared(isolate.NSIPC) {
		c.IPC = h.IPC
	}
}
