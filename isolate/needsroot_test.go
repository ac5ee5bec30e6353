package isolate

import (
	"strings"
	"testing"
)

// TestNeedsRoot: what an unprivileged caller is told it cannot do.
func TestNeedsRoot(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
		euid int
		want []string // substrings, one per listed part, in order
	}{
		{"root can do all", Spec{Namespaces: []string{NSPID}, PidsMax: 5, Veth: true}, 0, nil},
		{"plain process", Spec{}, 1000, nil},
		{"user namespace covers the others", Spec{Namespaces: []string{NSUser, NSPID, NSMnt}}, 1000, nil},
		{"namespaces without user", Spec{Namespaces: []string{NSPID, NSMnt}}, 65534, []string{"namespaces pid,mnt"}},
		{"limits", Spec{Namespaces: []string{NSUser}, MemoryMax: 1 << 26}, 1000, []string{"cgroup limits"}},
		{"everything", Spec{Namespaces: []string{NSNet}, CPUMax: 0.5, Veth: true}, 1000, []string{"namespaces net", "cgroup limits", "--veth"}},
	}
	for _, c := range cases {
		got := NeedsRoot(c.spec, c.euid)
		if len(got) != len(c.want) {
			t.Errorf("%s: NeedsRoot = %q, want %d parts like %q", c.name, got, len(c.want), c.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], c.want[i]) {
				t.Errorf("%s: part %d = %q, want it to mention %q", c.name, i, got[i], c.want[i])
			}
		}
	}
}
