package lab

import (
	"context"
	"os/exec"
	"time"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/ui/internal/common"
)

// The Lab's commands. Each captures its inputs by value and reports back with
// one message; none reads or writes the model from its goroutine.

// startedMsg reports the first child (or why there is none).
type startedMsg struct {
	child   common.LabChild
	pid     int
	stopErr error // the child started after the Lab closed and was stopped
	err     error
	spec    isolate.Spec
	steps   []isolate.Step
	views   viewsMsg
}

// doctorMsg carries what the host supports, for the switches' availability.
type doctorMsg struct{ report inspect.HostReport }

// viewsMsg is one refresh of the side-by-side.
type viewsMsg struct {
	gen       int // the apply generation it was asked in; older ones are dropped
	host      isolate.View
	child     isolate.View
	hostErr   error
	childErr  error
	requested bool      // false: no views were read (the zero value)
	at        time.Time // when they were read, for the CPU share
	tick      bool      // a link of the refresh chain: the Lab arms the next one
}

// appliedMsg reports one Apply, with the views read right after it so the
// screen shows the effect in the same frame as the log line.
type appliedMsg struct {
	settings settings // what the switches said when Apply started
	spec     isolate.Spec
	change   isolate.Change
	err      error
	steps    []isolate.Step
	views    viewsMsg
	elapsed  time.Duration // Apply plus both views: the toggle-to-screen cost
	pid      int           // the child's PID after the Apply (new if re-created)
}

// expDoneMsg reports one experiment.
type expDoneMsg struct {
	name    string
	outcome isolate.Outcome
	err     error
	views   viewsMsg
}

// shellDoneMsg says the shell inside the child has exited.
type shellDoneMsg struct{ err error }

// tickMsg asks for the once-a-second refresh.
type tickMsg struct{}

// tickCmd schedules the next live refresh through the clock (a test clock
// schedules nothing, so no test sleeps).
func tickCmd(c common.Clock) tea.Cmd {
	return common.TickCmd(c, common.RefreshEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

// doctorCmd asks the inspector what this host supports.
func doctorCmd(in common.Inspector) tea.Cmd {
	return func() tea.Msg { return doctorMsg{report: in.Doctor()} }
}

// startCmd starts the child and takes its first look at both sides.
// life ends when the Lab closes: a child that finishes starting after that is
// stopped here, since the closed Lab will never see this message.
func startCmd(life context.Context, eng common.LabEngine, spec isolate.Spec, clock common.Clock) tea.Cmd {
	return func() tea.Msg {
		c, err := eng.Start(spec)
		if err != nil {
			return startedMsg{err: err, spec: spec}
		}
		if life.Err() != nil {
			return startedMsg{err: errClosed, spec: spec, stopErr: c.Stop()}
		}
		return startedMsg{child: c, pid: c.PID(), spec: spec, steps: c.Steps(), views: readViews(c, 0, clock)}
	}
}

// viewsCmd reads both views of the child now, as a link of the refresh chain.
func viewsCmd(c common.LabChild, gen int, clock common.Clock) tea.Cmd {
	return func() tea.Msg {
		v := readViews(c, gen, clock)
		v.tick = true
		return v
	}
}

// refreshCmd reads both views of the child a second from now, in the
// timer's goroutine: the tick and the read arrive as one message.
func refreshCmd(c common.LabChild, gen int, clock common.Clock) tea.Cmd {
	return common.TickCmd(clock, common.RefreshEvery, func(time.Time) tea.Msg {
		v := readViews(c, gen, clock)
		v.tick = true
		return v
	})
}

// readViews asks the same questions from the host and from the child.
func readViews(c common.LabChild, gen int, clock common.Clock) viewsMsg {
	h, herr := c.HostView()
	cv, cerr := c.ChildView()
	return viewsMsg{gen: gen, host: h, child: cv, hostErr: herr, childErr: cerr, requested: true, at: clockNow(clock)}
}

// applyCmd applies a new Spec to the live child and reads the views after.
func applyCmd(c common.LabChild, st settings, gen int, clock common.Clock) tea.Cmd {
	spec := st.spec()
	return func() tea.Msg {
		t0 := time.Now()
		ch, err := c.Apply(spec)
		msg := appliedMsg{settings: st, spec: spec, change: ch, err: err}
		msg.views = readViews(c, gen, clock)
		msg.elapsed = time.Since(t0)
		msg.steps = c.Steps()
		msg.pid = c.PID()
		return msg
	}
}

// expCmd runs one experiment inside the child; experiments bound themselves
// (a few seconds at most), so this returns.
func expCmd(c common.LabChild, name string, gen int, clock common.Clock) tea.Cmd {
	return func() tea.Msg {
		o, err := c.Experiment(name)
		return expDoneMsg{name: name, outcome: o, err: err, views: readViews(c, gen, clock)}
	}
}

// shellReadyMsg carries the shell command the engine prepared.
type shellReadyMsg struct{ cmd *exec.Cmd }

// shellPrepCmd asks the engine for a shell inside the child; preparing one
// talks to the child, so it is not done in Update.
func shellPrepCmd(c common.LabChild) tea.Cmd {
	return func() tea.Msg { return shellReadyMsg{cmd: c.ShellCmd()} }
}

// shellCmd hands the terminal to the prepared shell; the TUI comes back
// when it exits.
func shellCmd(cmd *exec.Cmd) tea.Cmd {
	if cmd == nil {
		return func() tea.Msg { return shellDoneMsg{err: errNoShell} }
	}
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return shellDoneMsg{err: err} })
}

// stopCmd stops a child that the Lab no longer uses.
func stopCmd(c common.LabChild) tea.Cmd {
	if c == nil {
		return nil
	}
	return func() tea.Msg { return stoppedMsg{err: c.Stop()} }
}

// clockNow reads clock, or the real time without one.
func clockNow(clock common.Clock) time.Time {
	if clock != nil {
		return clock.Now()
	}
	return time.Now()
}
