package main

import (
	"fmt"

	"procbox/inspect"
	"procbox/ui"
)

// inspector adapts inspect.FS to ui.Inspector, fixing the options (secrets
// masked unless --show-secrets) once for the whole session.
type inspector struct {
	fs  inspect.FS
	opt inspect.Options
}

func newInspector(fs inspect.FS, opt inspect.Options) ui.Inspector {
	return inspector{fs: fs, opt: opt}
}

// Table and Snapshot hand the UI printable strings only: a process chooses its
// own name, command line and environment, and must not be able to write escape
// sequences to the user's terminal through them.
func (i inspector) Table() ([]inspect.ProcRow, error) {
	rows, err := i.fs.Table()
	for n := range rows {
		rows[n] = rows[n].Printable()
	}
	return rows, err
}

func (i inspector) Snapshot(pid int) (inspect.Snapshot, error) {
	s, err := i.fs.Snapshot(pid, i.opt)
	return s.Printable(), err
}

func (i inspector) Doctor() inspect.HostReport { return i.fs.Doctor() }

// MemTotal is the host's RAM, for the picker's MEM%.
func (i inspector) MemTotal() (int64, error) { return i.fs.MemTotal() }

// RevealEnv reads one environment value unmasked, for the inspector's reveal
// key: the user asked for this one value, on screen, with a warning beside it.
func (i inspector) RevealEnv(pid int, name string) (string, error) {
	s, err := i.fs.Snapshot(pid, inspect.Options{ShowSecrets: true})
	if err != nil {
		return "", err
	}
	if why, ok := s.Errors["env"]; ok {
		return "", fmt.Errorf("cannot read the environment: %s", why)
	}
	// name is the printable form the UI showed.
	for k, v := range s.Env {
		if inspect.Printable(k) == name {
			return inspect.Printable(v), nil
		}
	}
	return "", fmt.Errorf("%s is no longer set", name)
}
