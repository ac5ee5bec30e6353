package picker

import (
	"testing"

	"procbox/ui/internal/uitest"
)

// The golden files hold ansi.Strip of the whole window at two sizes, drawn
// from the fixed fakes and the frozen clock. `make golden` rewrites them.

func TestGoldenPicker(t *testing.T) {
	uitest.GoldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.Keys("down", "down", "down", "down")
		return d.View()
	})
}

func TestGoldenPickerTree(t *testing.T) {
	uitest.GoldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.Keys("t", "7") // RSS: largest first
		return d.View()
	})
}

func TestGoldenHelp(t *testing.T) {
	uitest.GoldenEach(t, func(t *testing.T, w, h int) string {
		d, _, _ := newPickerFixture(t, w, h)
		d.Keys("?")
		return d.View()
	})
}
