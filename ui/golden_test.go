package ui

import (
	"fmt"
	"procbox/ui/internal/uitest"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// The golden files hold ansi.Strip of the whole window at two sizes, drawn
// from the fixed fakes and the frozen clock. `make golden` rewrites them.

var goldenSizes = [][2]int{{80, 24}, {120, 40}}

func goldenEach(t *testing.T, f func(t *testing.T, w, h int) string) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			v := f(t, sz[0], sz[1])
			uitest.CheckFits(t, v, sz[0], sz[1])
			golden.RequireEqual(t, v)
		})
	}
}

func TestGoldenHome(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		deps := coreDeps(uitest.NewInspector())
		deps.Progress = coreProgress{p: Progress{Lesson: "namespaces", Step: 2}}
		return newCoreDriver(t, deps, newHomeScreen(deps), w, h).View()
	})
}

func TestGoldenPicker(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.Keys("down", "down", "down", "down")
		return d.View()
	})
}

func TestGoldenPickerTree(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.Keys("t", "5", "S")
		return d.View()
	})
}

func TestGoldenInspector(t *testing.T) {
	for i, name := range tabNames {
		t.Run(name, func(t *testing.T) {
			goldenEach(t, func(t *testing.T, w, h int) string {
				d, _, _ := newInspectorFixture(t, 400, w, h)
				d.Keys(fmt.Sprint(i + 1))
				return d.View()
			})
		})
	}
}

func TestGoldenInspectorErrors(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newInspectorFixture(t, 500, w, h)
		d.Keys("2")
		return d.View()
	})
}

func TestGoldenCompare(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		deps := coreDeps(uitest.NewInspector())
		return newCoreDriver(t, deps, newCompareScreen(deps, 300, 400), w, h).View()
	})
}

func TestGoldenHelp(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.Keys("?")
		return d.View()
	})
}

// TestStylesChangeOnlyColour: dark, light and NO_COLOR styles draw the same
// text in the same places — colour changes, layout never does — so the
// stripped goldens hold for all three.
func TestStylesChangeOnlyColour(t *testing.T) {
	view := func(st Styles, pid int) string {
		in := uitest.NewInspector()
		deps := coreDeps(in)
		deps.Styles = st
		var s screen = newInspectorScreen(deps, pid)
		if pid == 0 {
			s = newPickerScreen(deps)
		}
		d := newCoreDriver(t, deps, s, 80, 24)
		var out string
		for i := 0; i < numTabs; i++ {
			out += d.View()
			d.Keys("tab")
		}
		return out
	}
	for _, pid := range []int{0, 400} {
		mono := view(NewStyles(true, true), pid)
		for _, dark := range []bool{true, false} {
			if got := view(NewStyles(dark, false), pid); got != mono {
				t.Errorf("pid %d dark=%v: coloured view differs from NO_COLOR view once stripped", pid, dark)
			}
		}
	}
}
