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

func (i inspector) Table() ([]inspect.ProcRow, error) { return i.fs.Table() }

func (i inspector) Snapshot(pid int) (inspect.Snapshot, error) { return i.fs.Snapshot(pid, i.opt) }

func (i inspector) Doctor() inspect.HostReport { return i.fs.Doctor() }

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
	v, ok := s.Env[name]
	if !ok {
		return "", fmt.Errorf("%s is no longer set", name)
	}
	return v, nil
}
