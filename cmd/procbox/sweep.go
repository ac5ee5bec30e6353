package main

import (
	"errors"

	"procbox/isolate"
)

// sweepStale removes procbox cgroups, veths and demo root filesystems left behind by a procbox that
// died without cleaning up (SIGKILL): those whose owner PID is dead.
func sweepStale() ([]string, error) {
	var removed []string
	var errs []error
	l, err := isolate.DetectCgroups("/sys/fs/cgroup")
	if err != nil {
		errs = append(errs, err)
	} else {
		r, err := isolate.Sweep(l)
		removed = append(removed, r...)
		errs = append(errs, err)
	}
	r, err := isolate.SweepVeths()
	removed = append(removed, r...)
	errs = append(errs, err)
	removed = append(removed, sweepDemoRootfs()...)
	return removed, errors.Join(errs...)
}
