package lessons

import (
	"slices"
	"strings"

	"procbox/isolate"
)

// The do-it-yourself checks. Each reads State.Shell: every process the
// learner's shell started, read from outside while it ran, and procbox
// itself as the host reference. A check passes when one of the learner's
// processes shows the effect; nothing the demo child does counts.

// shellProc passes when one of the learner's processes satisfies ok; ok
// returns "" for a match, or what is missing for that process.
func shellProc(what string, ok func(host, p isolate.Observed) string) func(State) Result {
	return func(s State) Result {
		if s.Shell == nil {
			return missing("you have not opened the shell yet: press s")
		}
		last := ""
		for _, p := range s.Shell.Procs {
			r := ok(s.Shell.Host, p)
			if r == "" {
				return pass()
			}
			last = r
		}
		if len(s.Shell.Procs) == 0 {
			return missing("your shell started no process with %s: type the commands in it before you exit", what)
		}
		return missing("none of the %d processes your shell started had %s (last: %s)", len(s.Shell.Procs), what, last)
	}
}

// ownNS is "" when p is in a namespace of kind other than the host's.
func ownNS(kind string, host, p isolate.Observed) string {
	if p.NSInodes[kind] == 0 || host.NSInodes[kind] == 0 {
		return "its " + kind + " namespace could not be read"
	}
	if p.NSInodes[kind] == host.NSInodes[kind] {
		return p.Comm + " shares the host's " + kind + " namespace"
	}
	return ""
}

// diyNS passes when a learner's process has its own namespace of kind and
// then extra (which may be nil) holds for it.
func diyNS(kind, what string, extra func(host, p isolate.Observed) string) func(State) Result {
	return shellProc(what, func(host, p isolate.Observed) string {
		if r := ownNS(kind, host, p); r != "" {
			return r
		}
		if extra != nil {
			return extra(host, p)
		}
		return ""
	})
}

// newMounts lists the mounts p has that the host does not.
func newMounts(host, p isolate.Observed) []string {
	var out []string
	for _, m := range p.Mounts {
		if !slices.Contains(host.Mounts, m) {
			out = append(out, m)
		}
	}
	return out
}

// unprivilegedRoot is "" when uid 0 inside p's map is a non-zero uid outside.
func unprivilegedRoot(_, p isolate.Observed) string {
	f := strings.Fields(p.UIDMap)
	if len(f) < 3 {
		return "its uid map is still empty: write it from outside"
	}
	if f[0] != "0" {
		return "uid 0 is not mapped inside (" + p.UIDMap + ")"
	}
	if f[1] == "0" {
		return "root inside is still root outside (" + p.UIDMap + ")"
	}
	return ""
}

// diyLimit passes when a learner's process sits in a cgroup where limit (read
// from its stats) is set, and is not procbox's own. On v1 each controller
// has its own tree, so the limit, not one path, tells the groups apart.
func diyLimit(what string, limit func(isolate.CgroupStats) int64) func(State) Result {
	return shellProc("a cgroup with a "+what, func(host, p isolate.Observed) string {
		v := limit(p.Limits)
		if v <= 0 || v >= 1<<62 {
			return p.Comm + "'s cgroup has no " + what
		}
		if v == limit(host.Limits) {
			return p.Comm + " has procbox's own " + what + ": it is still in procbox's cgroup"
		}
		return ""
	})
}

// diyCapDropped passes when a learner's process lacks capability c in its
// effective and bounding sets while procbox has it.
func diyCapDropped(c string) func(State) Result {
	return shellProc("no "+c, func(host, p isolate.Observed) string {
		if !slices.Contains(host.CapBnd, c) {
			return "procbox itself lacks " + c + ", so dropping it shows nothing"
		}
		if slices.Contains(p.CapEff, c) || slices.Contains(p.CapBnd, c) {
			return p.Comm + " still has " + c
		}
		return ""
	})
}
