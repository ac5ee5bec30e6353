package inspect

import (
	"strings"
	"testing"
)

// TestCompareUnreadableIsNeverEqual: a process whose namespaces and status
// could not be read (another user's, without root) is listed as unknown in
// every such row, even against itself, never dropped as "equal".
func TestCompareUnreadableIsNeverEqual(t *testing.T) {
	fs := fixtureFS("cgroup-v1")
	host, err := fs.Snapshot(100, Options{})
	if err != nil {
		t.Fatal(err)
	}
	denied := "permission denied: needs root or the same user"
	hidden := Snapshot{PID: 300, Namespaces: map[string]Namespace{}, Errors: map[string]string{
		"namespaces": denied, "status": denied, "capabilities": denied,
	}}
	FS{}.identify(&hidden, ErrDenied)
	for _, pair := range [][2]Snapshot{{host, hidden}, {hidden, hidden}} {
		got := map[string]Difference{}
		for _, d := range Compare(pair[0], pair[1]) {
			got[d.Field] = d
		}
		for _, f := range []string{"namespaces.pid", "namespaces.net", "namespaces.mnt", "namespaces.user", "capabilities.effective", "seccomp", "no_new_privs", "container.runtime"} {
			d, ok := got[f]
			if !ok || !d.Unknown || !strings.HasPrefix(d.B, "unknown (") {
				t.Errorf("%s: %+v (listed %v); want an unknown row naming why", f, d, ok)
			}
		}
	}
	if d := Compare(host, host); len(d) != 0 {
		t.Errorf("readable snapshot against itself: %v", d)
	}
}
