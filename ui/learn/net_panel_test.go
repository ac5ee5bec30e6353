package learn

import (
	"strings"
	"testing"

	"procbox/ui/internal/common"
)

// TestNetPanel: after the NAT step's shell, the panel says what the
// learner's commands built: the container's default route and a connection
// that got through, the host's bridge, forwarding and nat rules, and what
// procbox undid when the shell ended.
func TestNetPanel(t *testing.T) {
	f := newFixture(t, "deeper", false, common.Progress{})
	f.goTo("deeper", stepIndex(t, "deeper", "nat"))
	tr := byHandTrace("nat")
	tr.Cleanup = []string{"nft delete table ip nat"}
	f.byHand(tr)
	f.press("tab")
	// The panel is the right-hand column: read it alone, its wrapped lines joined.
	var panel []string
	for _, line := range strings.Split(f.view(120, 40), "\n") {
		if _, right, ok := strings.Cut(line, "│"); ok {
			panel = append(panel, right)
		}
	}
	v := strings.Join(strings.Fields(strings.Join(panel, " ")), " ")
	for _, want := range []string{"default via 10.199.1.1", "tcp 10.199.1.2:41000 → 10.199.1.1:8000 TIME_WAIT",
		"bridge pbxbr0 10.199.1.1/24", "ip_forward on", "nat MASQUERADE,DNAT", "after the shell, procbox undid: nft delete table ip nat"} {
		if !strings.Contains(v, want) {
			t.Errorf("the panel lacks %q:\n%s", want, f.view(120, 40))
		}
	}
}
