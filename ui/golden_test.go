package ui

import (
	"testing"

	"procbox/ui/inspector"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
	"procbox/ui/picker"
)

// The golden files hold ansi.Strip of the whole window at two sizes, drawn
// from the fixed fakes and the frozen clock. `make golden` rewrites them.

func TestGoldenHome(t *testing.T) {
	uitest.GoldenEach(t, func(t *testing.T, w, h int) string {
		deps := coreDeps(uitest.NewInspector())
		deps.Progress = coreProgress{p: common.Progress{Lesson: "namespaces", Step: 2}}
		return newCoreDriver(t, deps, newHomeScreen(deps), w, h).View()
	})
}

// TestStylesChangeOnlyColour: dark, light and NO_COLOR styles draw the same
// text in the same places — colour changes, layout never does — so the
// stripped goldens hold for all three.
func TestStylesChangeOnlyColour(t *testing.T) {
	view := func(st common.Styles, pid int) string {
		in := uitest.NewInspector()
		deps := coreDeps(in)
		deps.Styles = st
		var s common.Screen = inspector.New(deps, pid)
		if pid == 0 {
			s = picker.New(deps)
		}
		d := newCoreDriver(t, deps, s, 80, 24)
		var out string
		for i := 0; i < 8; i++ { // every tab
			out += d.View()
			d.Keys("tab")
		}
		return out
	}
	for _, pid := range []int{0, 400} {
		mono := view(common.NewStyles(true, true), pid)
		for _, dark := range []bool{true, false} {
			if got := view(common.NewStyles(dark, false), pid); got != mono {
				t.Errorf("pid %d dark=%v: coloured view differs from NO_COLOR view once stripped", pid, dark)
			}
		}
	}
}
