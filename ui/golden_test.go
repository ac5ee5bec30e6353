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
