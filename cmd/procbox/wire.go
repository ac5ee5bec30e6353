package main

import (
	"fmt"

	"procbox/inspect"
	"procbox/ui"
)

// inspectEngine is what the inspect package's FS provides. It is asserted at
// run time so this file keeps compiling while inspect is being written.
type inspectEngine interface {
	Table() ([]inspect.ProcRow, error)
	Snapshot(pid int, opt inspect.Options) (inspect.Snapshot, error)
	Doctor() inspect.HostReport
}

// inspector adapts inspect.FS to ui.Inspector, fixing the options (secrets
// masked unless --show-secrets) once for the whole session.
type inspector struct {
	fs  inspect.FS
	opt inspect.Options
}

func newInspector(fs inspect.FS, opt inspect.Options) ui.Inspector {
	return inspector{fs: fs, opt: opt}
}

var errNoEngine = fmt.Errorf("the inspect engine is not built in")

func (i inspector) engine() (inspectEngine, bool) {
	e, ok := any(i.fs).(inspectEngine)
	return e, ok
}

func (i inspector) Table() ([]inspect.ProcRow, error) {
	e, ok := i.engine()
	if !ok {
		return nil, errNoEngine
	}
	return e.Table()
}

func (i inspector) Snapshot(pid int) (inspect.Snapshot, error) {
	e, ok := i.engine()
	if !ok {
		return inspect.Snapshot{}, errNoEngine
	}
	return e.Snapshot(pid, i.opt)
}

func (i inspector) Doctor() inspect.HostReport {
	e, ok := i.engine()
	if !ok {
		return inspect.HostReport{Notes: []string{errNoEngine.Error()}}
	}
	return e.Doctor()
}
