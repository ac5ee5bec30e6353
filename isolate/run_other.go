//go:build !linux

package isolate

import (
	"errors"
	"io"
	"os/exec"
)

// Away from Linux there are no namespaces, cgroups or seccomp: these stubs let
// the rest of procbox build and say why the child is unavailable.

var errNotLinux = errors.New("isolation needs Linux (namespaces, cgroups, seccomp)")

// ChildHook does nothing away from Linux.
func ChildHook() {}

// Run fails away from Linux.
func Run(spec Spec, argv []string, stdin io.Reader, stdout, stderr io.Writer) (Result, error) {
	return Result{}, errNotLinux
}

// ExplainRun is Explain away from Linux (there is no terminal to attach).
func ExplainRun(spec Spec, stdin io.Reader, stdout, stderr io.Writer) []Step { return Explain(spec) }

// Command fails away from Linux.
func Command(spec Spec, argv []string) (*exec.Cmd, error) { return nil, errNotLinux }

// Child is never started away from Linux.
type Child struct{}

// Start fails away from Linux.
func Start(spec Spec) (*Child, error) { return nil, errNotLinux }

func (c *Child) PID() int                                { return 0 }
func (c *Child) Spec() Spec                              { return Spec{} }
func (c *Child) Apply(spec Spec) (Change, error)         { return Change{}, errNotLinux }
func (c *Child) HostView() (View, error)                 { return View{}, errNotLinux }
func (c *Child) ChildView() (View, error)                { return View{}, errNotLinux }
func (c *Child) Experiment(name string) (Outcome, error) { return Outcome{}, errNotLinux }
func (c *Child) ShellCmd() *exec.Cmd                     { return nil }
func (c *Child) Registers() (Registers, error)           { return Registers{}, errNotLinux }
func (c *Child) Steps() []Step                           { return nil }
func (c *Child) Stop() error                             { return nil }

// BecomeReaper needs Linux's PR_SET_CHILD_SUBREAPER.
func BecomeReaper() error { return errNotLinux }

// ChildPIDs needs Linux's /proc.
func ChildPIDs(pid int) []int { return nil }
