package isolate

// Leak checks for the fault tests: an inventory of what procbox may leave on
// the host (cgroups, mounts, links, processes), taken before and after.

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// faultInventory is the host state a fault test must leave as it found it.
type faultInventory struct {
	cgroups []string        // procbox-<this test binary>-* directories
	mounts  map[string]bool // mountinfo lines without mount and parent ids
	links   []string        // pbx* and procbox* links
}

func takeFaultInventory(t testing.TB) faultInventory {
	t.Helper()
	inv := faultInventory{mounts: map[string]bool{}}
	prefix := "procbox-" + strconv.Itoa(os.Getpid()) + "-"
	// At any depth: procbox's cgroups go below the caller's own cgroup.
	_ = filepath.WalkDir("/sys/fs/cgroup", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), "procbox") {
			// Other test binaries run at the same time (go test ./...); only
			// cgroups this process owns are ours to account for.
			if strings.HasPrefix(d.Name(), prefix) {
				inv.cgroups = append(inv.cgroups, p)
			}
			return filepath.SkipDir
		}
		return nil
	})
	sort.Strings(inv.cgroups)
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("read mountinfo: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 4 {
			inv.mounts[strings.Join(f[2:], " ")] = true
		}
	}
	ents, _ := os.ReadDir("/sys/class/net")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "pbx") || strings.HasPrefix(e.Name(), "procbox") {
			inv.links = append(inv.links, e.Name())
		}
	}
	return inv
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
		if faultAlive(p) {
			out = append(out, "process "+strconv.Itoa(p)+" still running")
		}
	}
	sort.Strings(out)
	return out
}

// faultAlive reports whether pid exists and is not a zombie.
func faultAlive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z'
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
