package lessons

import (
	"fmt"
	"slices"
)

// The building blocks of the steps' checks. Each reads only the State the UI
// gathered from the kernel, so a check is a pure function a test can feed.

func pass() Result { return Result{Passed: true} }

func missing(format string, a ...any) Result {
	return Result{Missing: fmt.Sprintf(format, a...)}
}

// all runs checks in order and returns the first failure.
func all(checks ...func(State) Result) func(State) Result {
	return func(s State) Result {
		for _, c := range checks {
			if r := c(s); !r.Passed {
				return r
			}
		}
		return pass()
	}
}

// looked passes once the learner has taken a look (performed the action) and a
// snapshot of the demo process came back.
func looked(s State) Result {
	if s.Before == nil {
		return missing("you have not looked yet: press a to inspect the demo process")
	}
	if s.ChildSnap == nil {
		return missing("no snapshot of the demo process came back; is it still running?")
	}
	return pass()
}

// viewsRead passes when both sides of the side-by-side view have been read.
func viewsRead(s State) Result {
	if s.Child.PID == 0 || s.Host.PID == 0 {
		return missing("the host and child views have not been read yet")
	}
	return pass()
}

// nsDiffers passes when the child's namespace of kind is not the host's.
func nsDiffers(kind string) func(State) Result {
	return func(s State) Result {
		c, h := s.Child.NSInodes[kind], s.Host.NSInodes[kind]
		if c == 0 || h == 0 {
			return missing("the %s namespace of the child or the host could not be read", kind)
		}
		if c == h {
			return missing("the child still shares the host's %s namespace (both %s:[%d])", kind, kind, c)
		}
		return pass()
	}
}

// nsShared passes when the child's namespace of kind is the host's.
func nsShared(kind string) func(State) Result {
	return func(s State) Result {
		c, h := s.Child.NSInodes[kind], s.Host.NSInodes[kind]
		if c == 0 || h == 0 {
			return missing("the %s namespace of the child or the host could not be read", kind)
		}
		if c != h {
			return missing("the child has its own %s namespace; this step needs a plain process", kind)
		}
		return pass()
	}
}

// ran passes when experiment name has an outcome.
func ran(name string) func(State) Result {
	return func(s State) Result {
		if _, ok := s.Outcome(name); !ok {
			return missing("the %s experiment has not run yet: press a", name)
		}
		return pass()
	}
}

// allowed passes when experiment name ran and succeeded.
func allowed(name string) func(State) Result {
	return func(s State) Result {
		o, ok := s.Outcome(name)
		if !ok {
			return missing("the %s experiment has not run yet: press a", name)
		}
		if !o.Allowed {
			return missing("%s was refused (%s %s), but a plain process should be allowed", name, o.Errno, o.Cause)
		}
		return pass()
	}
}

// denied passes when experiment name ran and the kernel refused it, with errno
// when one is given.
func denied(name, errno string) func(State) Result {
	return func(s State) Result {
		o, ok := s.Outcome(name)
		if !ok {
			return missing("the %s experiment has not run yet: press a", name)
		}
		if o.Allowed {
			return missing("%s still succeeded: the switch of this step is not on", name)
		}
		if errno != "" && o.Errno != errno {
			return missing("%s failed with %q, expected %s", name, o.Errno, errno)
		}
		return pass()
	}
}

// capGone passes when the child's effective set no longer holds capability c.
func capGone(c string) func(State) Result {
	return func(s State) Result {
		if slices.Contains(s.Child.CapEff, c) {
			return missing("the child still holds %s in its effective set", c)
		}
		return pass()
	}
}
