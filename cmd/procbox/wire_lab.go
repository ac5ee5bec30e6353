package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"

	"procbox/isolate"
	"procbox/lessons"
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
	closed   bool   // StopAll ran: a child starting now is stopped at once
	rootfs   string // the lessons' demo root filesystem, made on first use
}

// errLabEngineClosed is returned by Start after StopAll.
var errLabEngineClosed = errors.New("procbox is shutting down")

func newLabEngine() *labEngine { return &labEngine{} }

// Start starts a live child; it is stopped by the UI or, at the latest, by StopAll.
func (e *labEngine) Start(spec isolate.Spec) (ui.LabChild, error) {
	spec, err := e.resolve(spec)
	if err != nil {
		return nil, err
	}
	c, err := isolate.Start(spec)
	if err != nil {
		return nil, err
	}
	lc := &labChild{c: c, engine: e}
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
func (e *labEngine) Explain(spec isolate.Spec) []isolate.Step {
	e.mu.Lock()
	dir := e.rootfs
	e.mu.Unlock()
	if dir == "" {
		dir = "ROOTFS"
	}
	return isolate.Explain(lessons.ResolveRootfs(spec, dir))
}

// resolve puts the demo root filesystem in place of lessons.DemoRootfs,
// making it on first use.
func (e *labEngine) resolve(spec isolate.Spec) (isolate.Spec, error) {
	if spec.Rootfs != lessons.DemoRootfs {
		return spec, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		// StopAll has run and removed the demo root: a start that reaches
		// here late (the UI still closing after a hang-up) must not make a
		// new one that nobody would remove.
		return spec, errLabEngineClosed
	}
	if e.rootfs == "" {
		dir, err := makeDemoRootfs()
		if err != nil {
			return spec, err
		}
		e.rootfs = dir
	}
	return lessons.ResolveRootfs(spec, e.rootfs), nil
}

// unresolve gives the UI back the spec it asked for: the demo root filesystem
// by its lessons name, so the screen's own comparisons still hold.
func (e *labEngine) unresolve(spec isolate.Spec) isolate.Spec {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rootfs != "" && spec.Rootfs == e.rootfs {
		spec.Rootfs = lessons.DemoRootfs
	}
	return spec
}

// StopAll stops every child this engine started. Stop is idempotent, so a
// child the UI already stopped costs nothing.
func (e *labEngine) StopAll() {
	e.mu.Lock()
	children := append([]*labChild(nil), e.children...)
	e.children = nil
	e.closed = true
	rootfs := e.rootfs
	e.rootfs = ""
	e.mu.Unlock()
	for _, c := range children {
		_ = c.Stop()
		// The Lab's log is gone with its screen: what cleanup did instead
		// of killing (a foreign process moved out) goes to stderr.
		for _, n := range c.c.CleanupNotes() {
			fmt.Fprintln(os.Stderr, "procbox: cleanup:", n)
		}
	}
	if rootfs != "" {
		// Only after every child is gone: a child may still be pivoted into it.
		removeDemoRootfs(rootfs)
	}
}

// labChild adapts *isolate.Child to ui.LabChild. Apply and Stop are
// serialised here: a re-creating Apply replaces the child's process, and a
// Stop arriving in the middle (the user quit) must stop the new one too.
type labChild struct {
	c       *isolate.Child
	engine  *labEngine
	opMu    sync.Mutex
	stopped bool
}

// errLabChildStopped is returned by Apply after Stop.
var errLabChildStopped = errors.New("the child was stopped")

func (l *labChild) PID() int                                        { return l.c.PID() }
func (l *labChild) Spec() isolate.Spec                              { return l.engine.unresolve(l.c.Spec()) }
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
	s, err := l.engine.resolve(s)
	if err != nil {
		return isolate.Change{}, err
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
