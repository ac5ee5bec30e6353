package isolate

// Leak checks for the fault tests: an inventory of what procbox may leave on
// the host (cgroups, mounts, links, processes), taken before and after.

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"procbox/internal/leakcheck"
)

// faultInventory is the host state a fault test must leave as it found it.
type faultInventory struct {
	cgroups []string        // procbox-<this test binary>-* directories
	mounts  map[string]bool // mountinfo lines without mount and parent ids
	links   []string        // pbx* and procbox* links
}

func takeFaultInventory(t testing.TB) faultInventory {
	t.Helper()
	// Other test binaries run at the same time (go test ./...); only cgroups
	// this process owns are ours to account for, at any depth: procbox's
	// cgroups go below the caller's own cgroup.
	prefix := "procbox-" + strconv.Itoa(os.Getpid()) + "-"
	return faultInventory{
		cgroups: leakcheck.Cgroups("/sys/fs/cgroup", 64, func(name string) bool { return strings.HasPrefix(name, prefix) }),
		mounts:  leakcheck.Mounts(t),
		links:   leakcheck.Links("pbx", "procbox"),
	}
}

// leaks lists what now has that before did not. Links count only when named
// after one of childPIDs (pbx<pid>h/c), so another package's veth test running
// meanwhile is not blamed.
func (before faultInventory) leaks(now faultInventory, childPIDs []int) []string {
	var out []string
	had := map[string]bool{}
	for _, c := range before.cgroups {
		had[c] = true
	}
	for _, c := range now.cgroups {
		if !had[c] {
			out = append(out, "cgroup "+c)
		}
	}
	for m := range now.mounts {
		if !before.mounts[m] {
			out = append(out, "mount "+m)
		}
	}
	ours := map[string]bool{}
	for _, p := range childPIDs {
		ours["pbx"+strconv.Itoa(p)+"h"] = true
		ours["pbx"+strconv.Itoa(p)+"c"] = true
	}
	had = map[string]bool{}
	for _, l := range before.links {
		had[l] = true
	}
	for _, l := range now.links {
		if !had[l] && ours[l] {
			out = append(out, "link "+l)
		}
	}
	for _, p := range childPIDs {
		if leakcheck.Alive(p) {
			out = append(out, "process "+strconv.Itoa(p)+" still running")
		}
	}
	sort.Strings(out)
	return out
}

// faultNeedRoot skips a test that creates namespaces and cgroups when not root.
func faultNeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root): creates namespaces and cgroups")
	}
	if testing.Short() {
		t.Skip("starts isolated children; skipped in -short")
	}
}
