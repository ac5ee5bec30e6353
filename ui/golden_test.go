package ui

import (
	"fmt"
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
			checkFits(t, v, sz[0], sz[1])
			golden.RequireEqual(t, v)
		})
	}
}

func TestGoldenHome(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		deps := coreDeps(newCoreInspector())
		deps.Progress = coreProgress{p: Progress{Lesson: "namespaces", Step: 2}}
		return newCoreDriver(t, deps, newHomeScreen(deps), w, h).view()
	})
}

func TestGoldenPicker(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.keys("down", "down", "down", "down")
		return d.view()
	})
}

func TestGoldenPickerTree(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.keys("t", "5", "S")
		return d.view()
	})
}

func TestGoldenInspector(t *testing.T) {
	for i, name := range tabNames {
		t.Run(name, func(t *testing.T) {
			goldenEach(t, func(t *testing.T, w, h int) string {
				d, _, _ := newInspectorFixture(t, 400, w, h)
				d.keys(fmt.Sprint(i + 1))
				return d.view()
			})
		})
	}
}

func TestGoldenInspectorErrors(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newInspectorFixture(t, 500, w, h)
		d.keys("2")
		return d.view()
	})
}

func TestGoldenCompare(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		deps := coreDeps(newCoreInspector())
		return newCoreDriver(t, deps, newCompareScreen(deps, 300, 400), w, h).view()
	})
}

func TestGoldenHelp(t *testing.T) {
	goldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.keys("?")
		return d.view()
	})
}

// TestStylesChangeOnlyColour: dark, light and NO_COLOR styles draw the same
// text in the same places — colour changes, layout never does — so the
// stripped goldens hold for all three.
func TestStylesChangeOnlyColour(t *testing.T) {
	view := func(st Styles, pid int) string {
		in := newCoreInspector()
		deps := coreDeps(in)
		deps.Styles = st
		var s screen = newInspectorScreen(deps, pid)
		if pid == 0 {
			s = newPickerScreen(deps)
		}
		d := newCoreDriver(t, deps, s, 80, 24)
		var out string
		for i := 0; i < numTabs; i++ {
			out += d.view()
			d.keys("tab")
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
