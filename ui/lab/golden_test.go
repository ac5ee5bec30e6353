package lab

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"procbox/isolate"
	"procbox/ui/internal/common"
)

// The Lab's golden views: the stripped body the root would show in a window of
// 80×24 and 120×40 (the root keeps a header and a help line for itself).
// Rewrite them with `make golden` after a deliberate change.

// goldenSizes are the windows every golden view is drawn at.
var goldenSizes = [][2]int{{80, 24}, {120, 40}}

// requireGolden draws the Lab body for a w×h window and compares it.
func requireGolden(t *testing.T, m *Model, w, h int) {
	t.Helper()
	golden.RequireEqual(t, []byte(ansi.Strip(m.View(w, h-common.HeaderHeight-common.FooterHeight))+"\n"))
}

// everythingOn is every switch on that the fakes model.
func everythingOn() isolate.Spec {
	return isolate.Spec{
		Namespaces: isolate.AllNamespaces, Hostname: "demo", MapRoot: true,
		MemoryMax: 64 << 20, PidsMax: 64, CPUMax: 0.5,
		DropCaps: []string{"cap_net_raw", "cap_chown"}, Seccomp: isolate.SeccompFamily("mkdir"),
		Veth: true, TimeOffset: time.Hour,
	}
}

func TestGoldenLabNothingOn(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			f := newFixture(t, isolate.Spec{})
			requireGolden(t, f.m, sz[0], sz[1])
		})
	}
}

func TestGoldenLabEverythingOn(t *testing.T) {
	for _, sz := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			f := newFixture(t, everythingOn())
			requireGolden(t, f.m, sz[0], sz[1])
		})
	}
}

func TestGoldenLabAfterExperiment(t *testing.T) {
	keys := map[string][]string{
		isolate.ExpForkBomb: {"f"}, isolate.ExpMemoryHog: {"m"}, isolate.ExpCPUBurner: {"u"},
		isolate.ExpChown: {"x", "c"}, isolate.ExpBind80: {"x", "b"}, isolate.ExpRawSocket: {"x", "r"},
		isolate.ExpMount: {"x", "o"}, isolate.ExpHostname: {"x", "h"}, isolate.ExpKillHost: {"x", "k"},
		isolate.ExpMkdir: {"x", "d"},
	}
	for _, exp := range isolate.Experiments {
		for _, sz := range goldenSizes {
			t.Run(fmt.Sprintf("%s_%dx%d", exp, sz[0], sz[1]), func(t *testing.T) {
				f := newFixture(t, everythingOn())
				f.press(keys[exp]...)
				requireGolden(t, f.m, sz[0], sz[1])
			})
		}
	}
}

func TestGoldenLabEditError(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("memory")
	f.press("enter")
	f.typeText("lots")
	f.press("enter")
	requireGolden(t, f.m, 80, 24)
}
