package main

import (
	"errors"
	"os/exec"
	"sync"

	"procbox/isolate"
	"procbox/ui"
)

// wire_lab.go plugs the real isolate engine into the UI's LabEngine and
// LabChild interfaces, and remembers every child it started so cmd_lab can
// stop them all whatever happens to the UI.

func init() {
	labEngineHook = func() ui.LabEngine { return newLabEngine() }
}

// labEngine starts isolate children for the Lab and the lessons.
type labEngine struct {
	mu       sync.Mutex
	children []*labChild
	closed   bool // StopAll ran: a child starting now is stopped at once
}

// errLabEngineClosed is returned by Start after StopAll.
var errLabEngineClosed = errors.New("procbox is shutting down")

func newLabEngine() *labEngine { return &labEngine{} }

// Start starts a live child; it is stopped by the UI or, at the latest, by StopAll.
func (e *labEngine) Start(spec isolate.Spec) (ui.LabChild, error) {
	c, err := isolate.Start(spec)
	if err != nil {
		return nil, err
	}
	lc := &labChild{c: c}
	e.mu.Lock()
	closed := e.closed
	if !closed {
		e.children = append(e.children, lc)
	}
	e.mu.Unlock()
	if closed {
		_ = lc.Stop()
		return nil, errLabEngineClosed
	}
	return lc, nil
}

// Explain is the equivalent shell commands of spec; it creates nothing.
func (e *labEngine) Explain(spec isolate.Spec) []isolate.Step { return isolate.Explain(spec) }

// StopAll stops every child this engine started. Stop is idempotent, so a
// child the UI already stopped costs nothing.
func (e *labEngine) StopAll() {
	e.mu.Lock()
	children := append([]*labChild(nil), e.children...)
	e.children = nil
	e.closed = true
	e.mu.Unlock()
	for _, c := range children {
		_ = c.Stop()
	}
}

// labChild adapts *isolate.Child to ui.LabChild. Apply and Stop are
// serialised here: a re-creating Apply replaces the child's process, and a
// Stop arriving in the middle (the user quit) must stop the new one too.
type labChild struct {
	c       *isolate.Child
	opMu    sync.Mutex
	stopped bool
}

// errLabChildStopped is returned by Apply after Stop.
var errLabChildStopped = errors.New("the child was stopped")

func (l *labChild) PID() int                                        { return l.c.PID() }
func (l *labChild) Spec() isolate.Spec                              { return l.c.Spec() }
func (l *labChild) HostView() (isolate.View, error)                 { return l.c.HostView() }
func (l *labChild) ChildView() (isolate.View, error)                { return l.c.ChildView() }
func (l *labChild) Experiment(name string) (isolate.Outcome, error) { return l.c.Experiment(name) }
func (l *labChild) ShellCmd() *exec.Cmd                             { return l.c.ShellCmd() }
func (l *labChild) Steps() []isolate.Step                           { return l.c.Steps() }

// Apply moves the child to spec unless it was stopped.
func (l *labChild) Apply(s isolate.Spec) (isolate.Change, error) {
	l.opMu.Lock()
	defer l.opMu.Unlock()
	if l.stopped {
		return isolate.Change{}, errLabChildStopped
	}
	return l.c.Apply(s)
}

// Stop waits for an Apply under way, then stops whatever child is current.
func (l *labChild) Stop() error {
	l.opMu.Lock()
	defer l.opMu.Unlock()
	l.stopped = true
	return l.c.Stop()
}

// registerReader is the part of *isolate.Child that reads registers, once
// the engine has it.
type registerReader interface {
	Registers() (isolate.Registers, error)
}

// Registers reads the child's registers with ptrace when the engine can.
func (l *labChild) Registers() (isolate.Registers, error) {
	if r, ok := any(l.c).(registerReader); ok {
		return r.Registers()
	}
	return isolate.Registers{}, errors.New("reading registers is not in this build of the engine")
}
