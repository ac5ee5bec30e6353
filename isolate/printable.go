package isolate

// Strings in a View, an Observed or an Outcome are chosen by whoever runs
// there: the child names its host, its processes, its interfaces and mount
// points, and the agent's own answers (errors included) come from a process
// procbox does not trust. They are made printable here, where the values are
// produced, so no screen can forget it (`hostname "$(printf 'x\033[5;41m')"`
// inside the child must not blink the learner's terminal).

import "procbox/internal/termtext"

// Printable returns a copy of v with every string escaped for a terminal.
func (v View) Printable() View {
	v.Hostname = termtext.Printable(v.Hostname)
	v.Procs = termtext.All(append([]string(nil), v.Procs...))
	v.Interfaces = printableInterfaces(v.Interfaces)
	v.MountRoot = termtext.Printable(v.MountRoot)
	v.UIDMap = termtext.Printable(v.UIDMap)
	v.CgroupPath = termtext.Printable(v.CgroupPath)
	v.CapEff = termtext.All(append([]string(nil), v.CapEff...))
	v.Errors = printableMap(v.Errors)
	return v
}

// Printable returns a copy of o with every string escaped for a terminal.
func (o Observed) Printable() Observed {
	o.Comm = termtext.Printable(o.Comm)
	o.Hostname = termtext.Printable(o.Hostname)
	o.Interfaces = printableInterfaces(o.Interfaces)
	o.Routes = printableRoutes(o.Routes)
	o.Mounts = termtext.All(append([]string(nil), o.Mounts...))
	o.UIDMap = termtext.Printable(o.UIDMap)
	o.CapEff = termtext.All(append([]string(nil), o.CapEff...))
	o.CapBnd = termtext.All(append([]string(nil), o.CapBnd...))
	o.CgroupPath = termtext.Printable(o.CgroupPath)
	o.Unified.Path = termtext.Printable(o.Unified.Path)
	o.Container = termtext.Printable(o.Container)
	o.Errors = printableMap(o.Errors)
	return o
}

// Printable returns a copy of o with every string escaped for a terminal.
func (o Outcome) Printable() Outcome {
	o.Experiment = termtext.Printable(o.Experiment)
	o.Errno = termtext.Printable(o.Errno)
	o.Cause = termtext.Printable(o.Cause)
	o.Summary = termtext.Printable(o.Summary)
	return o
}

func printableInterfaces(in []Interface) []Interface {
	if in == nil {
		return nil
	}
	out := make([]Interface, len(in))
	for i, it := range in {
		out[i] = Interface{Name: termtext.Printable(it.Name), Up: it.Up, Addrs: termtext.All(append([]string(nil), it.Addrs...)),
			Kind: termtext.Printable(it.Kind), Master: termtext.Printable(it.Master)}
	}
	return out
}

func printableRoutes(in []Route) []Route {
	if in == nil {
		return nil
	}
	out := make([]Route, len(in))
	for i, r := range in {
		out[i] = Route{Dst: termtext.Printable(r.Dst), Via: termtext.Printable(r.Via), Dev: termtext.Printable(r.Dev)}
	}
	return out
}

func printableMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[termtext.Printable(k)] = termtext.Printable(v)
	}
	return out
}
