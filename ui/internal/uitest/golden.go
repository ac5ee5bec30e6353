package uitest

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"procbox/ui/internal/common"
)

// GoldenSizes are the windows every golden view is taken at.
var GoldenSizes = [][2]int{{80, 24}, {120, 40}}

// GoldenEach compares ansi.Strip of the whole window, drawn by f at each of
// GoldenSizes, with testdata/<test>/<W>x<H>.golden (`make golden` rewrites
// them), and checks that it fits the window.
func GoldenEach(t *testing.T, f func(t *testing.T, w, h int) string) {
	for _, sz := range GoldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			v := f(t, sz[0], sz[1])
			CheckFits(t, v, sz[0], sz[1])
			golden.RequireEqual(t, v)
		})
	}
}

// Deps is common.Deps over in, the frozen clock and monochrome styles.
func Deps(in *Inspector) common.Deps {
	return common.Deps{Inspector: in, Clock: NewClock(Now), Styles: common.NewStyles(true, true)}
}
