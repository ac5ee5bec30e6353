package inspect

import "procbox/internal/termtext"

// Printable returns s safe to put on a terminal: control characters (C0, DEL
// and C1, which includes the 8-bit CSI) and bytes that are not UTF-8 are
// written as \xNN or \u00NN escapes. Process names, command lines, paths and
// environment values are chosen by whoever started the process: printed raw, a
// name like "\x1b]2;…" would retitle the terminal, and a newline would forge a
// row of the process table. The rule lives in internal/termtext, which isolate
// uses for what a Lab child reports, so both say the same bytes the same way.
func Printable(s string) string { return termtext.Printable(s) }

// Printable returns a copy of the row with every process-chosen string made
// Printable, for text and TUI output (JSON carries the raw values, escaped by
// the encoder).
func (r ProcRow) Printable() ProcRow {
	r.Comm = Printable(r.Comm)
	r.Cmdline = Printable(r.Cmdline)
	r.User = Printable(r.User)
	// Container names, ids and pods come from cgroup paths and runtime
	// state the container's owner chose.
	r.Container = Printable(r.Container)
	r.ContainerID = Printable(r.ContainerID)
	r.ContainerName = Printable(r.ContainerName)
	r.Pod = Printable(r.Pod)
	return r
}

// Printable returns a copy of the snapshot with every process-chosen string
// made Printable (see ProcRow.Printable).
func (s Snapshot) Printable() Snapshot {
	s.Comm = Printable(s.Comm)
	s.Exe = Printable(s.Exe)
	s.User = Printable(s.User)
	s.LSM = Printable(s.LSM)
	s.Cmdline = printableAll(s.Cmdline)
	c := &s.Container
	c.Runtime, c.ID, c.Name, c.Image = Printable(c.Runtime), Printable(c.ID), Printable(c.Name), Printable(c.Image)
	c.StateFile = Printable(c.StateFile)
	if c.Pod != nil {
		pod := Pod{Name: Printable(c.Pod.Name), Namespace: Printable(c.Pod.Namespace), Container: Printable(c.Pod.Container)}
		c.Pod = &pod
	}
	if s.Env != nil {
		env := make(map[string]string, len(s.Env))
		for k, v := range s.Env {
			env[Printable(k)] = Printable(v)
		}
		s.Env = env
	}
	if s.FDs != nil {
		fds := make([]FD, len(s.FDs))
		for i, fd := range s.FDs {
			fd.Target = Printable(fd.Target)
			fd.Detail = Printable(fd.Detail)
			fds[i] = fd
		}
		s.FDs = fds
	}
	if s.Memory.Maps != nil {
		maps := make([]MemoryMap, len(s.Memory.Maps))
		for i, m := range s.Memory.Maps {
			m.Path = Printable(m.Path)
			maps[i] = m
		}
		s.Memory.Maps = maps
	}
	if s.Cgroups != nil {
		cgs := make([]CgroupMembership, len(s.Cgroups))
		for i, c := range s.Cgroups {
			c.Path = Printable(c.Path)
			cgs[i] = c
		}
		s.Cgroups = cgs
	}
	s.Container.ID = Printable(s.Container.ID)
	return s
}

func printableAll(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = Printable(s)
	}
	return out
}
