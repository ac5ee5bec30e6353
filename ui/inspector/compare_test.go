package inspector

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

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

// A row one side could not read is unknown (?), never equal: two processes
// whose namespaces are both unreadable are not "the same".
func TestCompareUnreadableRowsAreUnknown(t *testing.T) {
	deps := uitest.Deps(uitest.NewInspector())
	d := uitest.NewScreen(t, deps, NewCompare(deps, 600, 600), 120, 40)
	v := d.View()
	for _, ns := range []string{"pid", "net", "mnt", "uts", "ipc", "user", "cgroup", "time"} {
		if !strings.Contains(v, "? ns "+ns+" ") {
			t.Errorf("the %s namespace row was dropped or not unknown:\n%s", ns, v)
		}
	}
	if strings.Contains(v, "\n≠ ") || !strings.Contains(v, "? container") || !strings.Contains(v, "unknown (permission denied") || !strings.Contains(v, "unknown (?: not readable)") {
		t.Fatalf("unreadable rows not marked unknown:\n%s", v)
	}
	d = uitest.NewScreen(t, deps, NewCompare(deps, 300, 600), 120, 40)
	v = d.View()
	if !strings.Contains(v, "? uid map") || strings.Contains(v, "≠ uid map") {
		t.Fatalf("a row unreadable on one side is not unknown:\n%s", v)
	}
}

// A sandbox with namespaces of its own but no runtime (unshare, a procbox
// child) is named by what it isolates in Compare, never left blank.
func TestCompareNamesASandboxWithoutRuntime(t *testing.T) {
	in := uitest.NewInspector()
	a, b := in.Snaps[300], in.Snaps[400]
	b.Container.Runtime, b.Container.ID = "", ""
	b.Container.IsolatedNamespaces = []string{"pid", "mnt"}
	for _, r := range compareRows(&a, &b) {
		if r.field == "container" {
			if r.b != "isolated: pid,mnt" || r.a != "plain host process" {
				t.Errorf("container row: %q | %q", r.a, r.b)
			}
			return
		}
	}
	t.Fatal("no container row")
}

// In a window too small for every row, Compare scrolls as the inspector's
// tabs do: G/end shows the last row, g/home the first, ctrl+d and the wheel
// move down, and it never scrolls past the last row.
func TestCompareScrolls(t *testing.T) {
	deps := uitest.Deps(uitest.NewInspector())
	d := uitest.NewScreen(t, deps, NewCompare(deps, 300, 400), 80, 18)
	first := d.View()
	if !strings.Contains(first, " command ") || strings.Contains(first, " lsm ") {
		t.Fatalf("a small window does not start at the first row:\n%s", first)
	}
	d.Keys("G")
	end := d.View()
	if !strings.Contains(end, " lsm ") || strings.Contains(end, " command ") {
		t.Fatalf("G did not show the last row:\n%s", end)
	}
	d.Keys("j", "j", "ctrl+d")
	if v := d.View(); v != end {
		t.Fatalf("scrolling on past the last row moved the view:\n%s", v)
	}
	d.Keys("g")
	if v := d.View(); v != first {
		t.Fatalf("g did not go back to the top:\n%s", v)
	}
	d.Keys("ctrl+d")
	if v := d.View(); strings.Contains(v, " command ") {
		t.Fatalf("ctrl+d did not scroll:\n%s", v)
	}
	d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if v := d.View(); v != first {
		t.Fatalf("the wheel did not scroll back to the top:\n%s", v)
	}
	uitest.CheckFits(t, end, 80, 18)
}
