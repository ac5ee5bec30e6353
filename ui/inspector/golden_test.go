package inspector

import (
	"fmt"
	"testing"

	"procbox/ui/internal/uitest"
)

// The golden files hold ansi.Strip of the whole window at two sizes, drawn
// from the fixed fakes and the frozen clock. `make golden` rewrites them.

func TestGoldenInspector(t *testing.T) {
	for i, name := range tabNames {
		t.Run(name, func(t *testing.T) {
			uitest.GoldenEach(t, func(t *testing.T, w, h int) string {
				d, _, _ := newInspectorFixture(t, 400, w, h)
				d.Keys(fmt.Sprint(i + 1))
				return d.View()
			})
		})
	}
}

func TestGoldenInspectorErrors(t *testing.T) {
	uitest.GoldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newInspectorFixture(t, 500, w, h)
		d.Keys("2")
		return d.View()
	})
}

func TestGoldenCompare(t *testing.T) {
	uitest.GoldenEach(t, func(t *testing.T, w, h int) string {
		deps := uitest.Deps(uitest.NewInspector())
		return uitest.NewScreen(t, deps, NewCompare(deps, 300, 400), w, h).View()
	})
}
