package ui

import (
	"context"
	"os/exec"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/isolate"
)

// The Lab's commands. Each captures its inputs by value and reports back with
// one message; none reads or writes the model from its goroutine.

// labStartedMsg reports the first child (or why there is none).
type labStartedMsg struct {
	child   LabChild
	pid     int
	stopErr error // the child started after the Lab closed and was stopped
	err     error
	spec    isolate.Spec
	steps   []isolate.Step
	views   labViewsMsg
}

// labDoctorMsg carries what the host supports, for the switches' availability.
type labDoctorMsg struct{ report inspect.HostReport }

// labViewsMsg is one refresh of the side-by-side.
type labViewsMsg struct {
	gen       int // the apply generation it was asked in; older ones are dropped
	host      isolate.View
	child     isolate.View
	hostErr   error
	childErr  error
	requested bool      // false: no views were read (the zero value)
	at        time.Time // when they were read, for the CPU share
	tick      bool      // a link of the refresh chain: the Lab arms the next one
}

// labAppliedMsg reports one Apply, with the views read right after it so the
// screen shows the effect in the same frame as the log line.
type labAppliedMsg struct {
	settings labSettings // what the switches said when Apply started
	spec     isolate.Spec
	change   isolate.Change
	err      error
	steps    []isolate.Step
	views    labViewsMsg
	elapsed  time.Duration // Apply plus both views: the toggle-to-screen cost
	pid      int           // the child's PID after the Apply (new if re-created)
}

// labExpDoneMsg reports one experiment.
type labExpDoneMsg struct {
	name    string
	outcome isolate.Outcome
	err     error
	views   labViewsMsg
}

// labShellDoneMsg says the shell inside the child has exited.
type labShellDoneMsg struct{ err error }

// labTickMsg asks for the once-a-second refresh.
type labTickMsg struct{}

// labTickCmd schedules the next live refresh through the clock (a test clock
// schedules nothing, so no test sleeps).
func labTickCmd(c Clock) tea.Cmd {
	return tickCmd(c, refreshEvery, func(time.Time) tea.Msg { return labTickMsg{} })
}

// labDoctorCmd asks the inspector what this host supports.
func labDoctorCmd(in Inspector) tea.Cmd {
	return func() tea.Msg { return labDoctorMsg{report: in.Doctor()} }
}

// labStartCmd starts the child and takes its first look at both sides.
// life ends when the Lab closes: a child that finishes starting after that is
// stopped here, since the closed Lab will never see this message.
func labStartCmd(life context.Context, eng LabEngine, spec isolate.Spec, clock Clock) tea.Cmd {
	return func() tea.Msg {
		c, err := eng.Start(spec)
		if err != nil {
			return labStartedMsg{err: err, spec: spec}
		}
		if life.Err() != nil {
			return labStartedMsg{err: errLabClosed, spec: spec, stopErr: c.Stop()}
		}
		return labStartedMsg{child: c, pid: c.PID(), spec: spec, steps: c.Steps(), views: labReadViews(c, 0, clock)}
	}
}

// labViewsCmd reads both views of the child now, as a link of the refresh chain.
func labViewsCmd(c LabChild, gen int, clock Clock) tea.Cmd {
	return func() tea.Msg {
		v := labReadViews(c, gen, clock)
		v.tick = true
		return v
	}
}

// labRefreshCmd reads both views of the child a second from now, in the
// timer's goroutine: the tick and the read arrive as one message.
func labRefreshCmd(c LabChild, gen int, clock Clock) tea.Cmd {
	return tickCmd(clock, refreshEvery, func(time.Time) tea.Msg {
		v := labReadViews(c, gen, clock)
		v.tick = true
		return v
	})
}

// labReadViews asks the same questions from the host and from the child.
func labReadViews(c LabChild, gen int, clock Clock) labViewsMsg {
	h, herr := c.HostView()
	cv, cerr := c.ChildView()
	return labViewsMsg{gen: gen, host: h, child: cv, hostErr: herr, childErr: cerr, requested: true, at: labNow(clock)}
}

// labApplyCmd applies a new Spec to the live child and reads the views after.
func labApplyCmd(c LabChild, st labSettings, gen int, clock Clock) tea.Cmd {
	spec := st.spec()
	return func() tea.Msg {
		t0 := time.Now()
		ch, err := c.Apply(spec)
		msg := labAppliedMsg{settings: st, spec: spec, change: ch, err: err}
		msg.views = labReadViews(c, gen, clock)
		msg.elapsed = time.Since(t0)
		msg.steps = c.Steps()
		msg.pid = c.PID()
		return msg
	}
}

// labExpCmd runs one experiment inside the child; experiments bound themselves
// (a few seconds at most), so this returns.
func labExpCmd(c LabChild, name string, gen int, clock Clock) tea.Cmd {
	return func() tea.Msg {
		o, err := c.Experiment(name)
		return labExpDoneMsg{name: name, outcome: o, err: err, views: labReadViews(c, gen, clock)}
	}
}

// labShellReadyMsg carries the shell command the engine prepared.
type labShellReadyMsg struct{ cmd *exec.Cmd }

// labShellPrepCmd asks the engine for a shell inside the child; preparing one
// talks to the child, so it is not done in Update.
func labShellPrepCmd(c LabChild) tea.Cmd {
	return func() tea.Msg { return labShellReadyMsg{cmd: c.ShellCmd()} }
}

// labShellCmd hands the terminal to the prepared shell; the TUI comes back
// when it exits.
func labShellCmd(cmd *exec.Cmd) tea.Cmd {
	if cmd == nil {
		return func() tea.Msg { return labShellDoneMsg{err: errLabNoShell} }
	}
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return labShellDoneMsg{err: err} })
}

// labStopCmd stops a child that the Lab no longer uses.
func labStopCmd(c LabChild) tea.Cmd {
	if c == nil {
		return nil
	}
	return func() tea.Msg { return labStoppedMsg{err: c.Stop()} }
}

// labNow reads clock, or the real time without one.
func labNow(clock Clock) time.Time {
	if clock != nil {
		return clock.Now()
	}
	return time.Now()
}
