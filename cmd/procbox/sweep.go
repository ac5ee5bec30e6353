package main

import (
	"procbox/isolate"
)

// sweepStale removes what procboxes that died without cleaning up (SIGKILL)
// left: the cgroups, veths and demo root filesystems their lock files list,
// once the sweep can take those locks. It also lists procbox-named state no
// lock file lists (an older procbox's), and removes it only with legacy.
func sweepStale(legacy bool) (isolate.SweepReport, error) {
	return isolate.SweepOwned(true, legacy)
}
