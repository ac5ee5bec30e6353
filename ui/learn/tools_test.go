package learn

import (
	"strings"
	"testing"

	"procbox/ui/internal/common"
)

// TestLearnDIYMissingTool: on a host without iptables, the first s on the
// NAT step says so in one line (whole at 80 columns but for its last word),
// with the package to install, and opens no
// shell; the second s opens it (the learner may install it there). A step
// whose tools are all here opens the shell on the first s.
func TestLearnDIYMissingTool(t *testing.T) {
	f := newFixture(t, "deeper", false, common.Progress{})
	var asked []string
	f.m.deps.HaveTool = func(name string) bool {
		asked = append(asked, name)
		return name != "iptables"
	}
	sh := &fakeShells{}
	f.m.deps.Shells = sh
	f.goTo("deeper", stepIndex(t, "deeper", "nat"))
	f.press("s")
	want := "no iptables here (Debian: apt install iptables); s again opens the shell anyway"
	if f.m.result == nil || f.m.result.Missing != want {
		t.Fatalf("first s on a step missing iptables: %+v, want %q", f.m.result, want)
	}
	if sh.intro != "" || f.m.busy != "" {
		t.Fatalf("the first s opened the shell anyway (intro %q, busy %q)", sh.intro, f.m.busy)
	}
	if !strings.Contains(strings.Join(asked, " "), "nsenter") {
		t.Errorf("the step's other tools were not looked up: %v", asked)
	}
	if v := f.view(80, 24); !strings.Contains(v, "✗ no iptables here (Debian: apt install iptables); s again opens the shell") {
		t.Errorf("the warning is not in the result area at 80×24:\n%s", v)
	}
	f.press("s")
	if !strings.Contains(sh.intro, "iptables -t nat") {
		t.Fatalf("the second s did not open the shell: intro %q, result %+v", sh.intro, f.m.result)
	}
	f.leaveShell(sh)

	// Another step, all its tools here: the first s opens the shell.
	sh.intro = ""
	f.goTo("deeper", stepIndex(t, "deeper", "veth"))
	f.press("s")
	if !strings.Contains(sh.intro, "ip link add") {
		t.Errorf("s on a step with every tool here did not open the shell: %+v", f.m.result)
	}
	f.leaveShell(sh)

	// Coming back to the NAT step warns again: the second-s pass is per visit.
	sh.intro = ""
	f.goTo("deeper", stepIndex(t, "deeper", "nat"))
	f.press("s")
	if sh.intro != "" || f.m.result == nil || !strings.Contains(f.m.result.Missing, "iptables") {
		t.Errorf("back on the NAT step, s opened the shell without the warning: %+v", f.m.result)
	}
}

// TestLearnDIYMissingTools names several missing programs and each package once.
func TestLearnDIYMissingTools(t *testing.T) {
	f := newFixture(t, "namespaces", false, common.Progress{})
	f.m.deps.HaveTool = func(name string) bool { return name != "ipcmk" && name != "ipcs" && name != "unshare" }
	f.m.deps.Shells = &fakeShells{}
	f.goTo("namespaces", stepIndex(t, "namespaces", "ipc"))
	f.press("s")
	want := "no ipcmk, ipcs or unshare here (Debian: apt install util-linux); s again opens the shell anyway"
	if f.m.result == nil || f.m.result.Missing != want {
		t.Errorf("got %+v, want %q", f.m.result, want)
	}
}
