package inspector

import (
	"strings"
	"testing"

	"procbox/ui/internal/uitest"
)

func TestCompareHighlightsDifferences(t *testing.T) {
	in := uitest.NewInspector()
	deps := uitest.Deps(in)
	c := NewCompare(deps, 300, 400)
	d := uitest.NewScreen(t, deps, c, 120, 40)
	v := d.View()
	for _, want := range []string{"PID 300 sleep", "PID 400 nginx", "ns net", "≠ ns net", "  ns user", "≠ seccomp", "≠ no_new_privs"} {
		if !strings.Contains(v, want) {
			t.Errorf("compare lacks %q:\n%s", want, v)
		}
	}
	rows := compareRows(c.a, c.b)
	diff := map[string]bool{}
	for _, r := range rows {
		diff[r.field] = r.a != r.b
	}
	for f, want := range map[string]bool{"ns pid": true, "ns user": false, "ns time": false, "caps effective": true, "memory max": true, "lsm": true, "uid map": false} {
		if diff[f] != want {
			t.Errorf("row %s differs=%v, want %v", f, diff[f], want)
		}
	}
	d.Keys("d")
	if v := d.View(); strings.Contains(v, "  ns user") || !strings.Contains(v, "≠ ns pid") {
		t.Errorf("d did not keep only the differences:\n%s", v)
	}
	uitest.CheckFits(t, v, 120, 40)
}

func TestCompareFitsAndGonePID(t *testing.T) {
	in := uitest.NewInspector()
	deps := uitest.Deps(in)
	d := uitest.NewScreen(t, deps, NewCompare(deps, 300, 999), 80, 24)
	v := d.View()
	uitest.CheckFits(t, v, 80, 24)
	if !strings.Contains(v, "Process 999 does not exist") {
		t.Errorf("gone PID not explained:\n%s", v)
	}
}
