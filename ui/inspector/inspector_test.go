package inspector

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"procbox/inspect"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

func newInspectorFixture(t *testing.T, pid, w, h int) (*uitest.ScreenDriver, *uitest.Inspector, *Model) {
	t.Helper()
	in := uitest.NewInspector()
	deps := uitest.Deps(in)
	s := New(deps, pid)
	return uitest.NewScreen(t, deps, s, w, h), in, s
}

func TestInspectorHeaderAndVerdict(t *testing.T) {
	d, _, _ := newInspectorFixture(t, 300, 80, 24)
	v := d.View()
	for _, want := range []string{"Inspect 300", "PID 300", "sleep", "S sleeping", "user alice", "plain host process"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	d2, _, _ := newInspectorFixture(t, 400, 120, 40)
	if v := d2.View(); !strings.Contains(v, "isolated: pid, mnt, net, uts, ipc, cgroup — docker 3f2a9c…") {
		t.Errorf("docker verdict missing:\n%s", v)
	}
}

func TestInspectorTabs(t *testing.T) {
	d, _, s := newInspectorFixture(t, 400, 120, 40)
	want := map[int][]string{
		tabOverview:   {"Identity", "Parent chain", "1 systemd", "SCHED_OTHER"},
		tabFiles:      {"Open files (5)", "tcp 127.0.0.1:8080 -> 0.0.0.0:0 LISTEN", "pipe"},
		tabEnv:        {"Environment (5)", "AWS_SECRET_ACCESS_KEY", "masked"},
		tabMemory:     {"RSS", "VSZ", "Mappings by kind", "lib", "█"},
		tabRegisters:  {"clock_nanosleep(", "0x00007ffd5e01f068", "stack pointer", "program counter"},
		tabNamespaces: {"own namespace (isolated)", "4026532201", "shared", "procbox (pid 42)"},
		tabCgroups:    {"/docker/3f2a9c1b7e6d5a4f", "60M of 64M", "near the limit", "0.50 CPU", "oom kills"},
		tabSecurity:   {"filter (1 filters", "no_new_privs", "docker-default", "net_bind_service", "listen on ports below 1024"},
	}
	for i := 0; i < numTabs; i++ {
		if s.tab != i {
			t.Fatalf("after %d tabs the tab is %d", i, s.tab)
		}
		v := d.View()
		for _, w := range want[i] {
			if !strings.Contains(v, w) {
				t.Errorf("tab %s lacks %q:\n%s", tabNames[i], w, v)
			}
		}
		d.Keys("tab")
	}
	if s.tab != tabOverview {
		t.Fatal("tab does not wrap around")
	}
	d.Keys("shift+tab")
	if s.tab != tabSecurity {
		t.Fatal("shift+tab does not go back")
	}
	d.Keys("3")
	if s.tab != tabEnv {
		t.Fatal("3 does not open the third tab")
	}
	// Click on the Namespaces tab: header row 0, pid row 1, verdict 2, tabs 3.
	x := 0
	for i := 0; i < tabNamespaces; i++ {
		x += common.CellWidth(tabNames[i]) + 3
	}
	d.Send(tea.MouseClickMsg{X: x + 1, Y: 3, Button: tea.MouseLeft})
	if s.tab != tabNamespaces {
		t.Fatalf("a click on the tab bar opened tab %d", s.tab)
	}
}

func TestInspectorEveryTabFits(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {250, 60}} {
		for _, pid := range []int{300, 400, 500, 998, 999} {
			d, _, _ := newInspectorFixture(t, pid, sz[0], sz[1])
			for i := 0; i < numTabs; i++ {
				v := d.View()
				uitest.CheckFits(t, v, sz[0], sz[1])
				if n := strings.Count(v, "\n") + 1; n != sz[1] {
					t.Errorf("%dx%d pid %d tab %d: %d lines", sz[0], sz[1], pid, i, n)
				}
				d.Keys("tab")
			}
		}
	}
}

func TestInspectorEnvRevealOneValue(t *testing.T) {
	d, _, s := newInspectorFixture(t, 300, 80, 24)
	d.Keys("3")
	if strings.Contains(d.View(), "wJalrXUtnFEMI") {
		t.Fatal("secret shown before reveal")
	}
	// Names are sorted: AWS_SECRET_ACCESS_KEY is first.
	d.Keys("r")
	v := d.View()
	if !strings.Contains(v, "wJalrXUtnFEMI-example") {
		t.Fatalf("reveal did not show the value:\n%s", v)
	}
	if !strings.Contains(v, "⚠ AWS_SECRET_ACCESS_KEY is shown unmasked") {
		t.Fatalf("no warning line:\n%s", v)
	}
	// Revealing another value hides the first: only one at a time.
	d.Keys("down", "r")
	if s.revealed != "HOME" || strings.Contains(d.View(), "wJalrXUtnFEMI") {
		t.Fatalf("two values revealed at once (revealed=%q)", s.revealed)
	}
	d.Keys("r")
	if s.revealed != "" || strings.Contains(d.View(), "shown unmasked") {
		t.Fatal("r did not hide the value again")
	}
}

func TestInspectorExitedKeepsLastView(t *testing.T) {
	d, in, s := newInspectorFixture(t, 300, 80, 24)
	in.SetErr(300, fmt.Errorf("pid 300: %w", inspect.ErrGone))
	d.Send(tickMsg{to: s, gen: s.gen})
	v := d.View()
	if !s.exited || !strings.Contains(v, "exited") || !strings.Contains(v, "sleep") {
		t.Fatalf("exit not shown or last view lost:\n%s", v)
	}
	if !strings.Contains(v, "last view") {
		t.Errorf("no notice that this is the last view:\n%s", v)
	}
	// No more reads after the exit.
	d.Send(tickMsg{to: s, gen: s.gen})
	if !s.exited {
		t.Fatal("exited flag lost")
	}
}

func TestInspectorUnknownAndDeniedPID(t *testing.T) {
	d, _, _ := newInspectorFixture(t, 999, 80, 24)
	if v := d.View(); !strings.Contains(v, "Process 999 does not exist") {
		t.Errorf("gone PID:\n%s", v)
	}
	d2, _, _ := newInspectorFixture(t, 998, 80, 24)
	if v := d2.View(); !strings.Contains(v, "Cannot read process 998") || !strings.Contains(v, "Run procbox as root") {
		t.Errorf("denied PID:\n%s", v)
	}
}

func TestInspectorErrorSectionsShowWhy(t *testing.T) {
	d, _, _ := newInspectorFixture(t, 500, 80, 24)
	for _, tab := range []string{"2", "3", "5"} {
		d.Keys(tab)
		if v := d.View(); !strings.Contains(v, "cannot read: permission denied") {
			t.Errorf("tab %s does not say why it is empty:\n%s", tab, v)
		}
	}
}

func TestInspectorRefreshFailureKeepsView(t *testing.T) {
	d, in, s := newInspectorFixture(t, 300, 80, 24)
	in.SetErr(300, errors.New("read /proc/300/status: input/output error"))
	d.Send(tickMsg{to: s, gen: s.gen})
	v := d.View()
	if !strings.Contains(v, "Refresh failed") || !strings.Contains(v, "sleep") {
		t.Fatalf("refresh error:\n%s", v)
	}
}

func TestInspectorScrollWithinTab(t *testing.T) {
	d, _, s := newInspectorFixture(t, 300, 80, 24)
	d.Keys("8") // Security: 41 bounding capabilities, longer than the window
	d.Keys("G")
	_ = d.View() // the view clamps the offset to the content
	if s.offsets[tabSecurity] == 0 {
		t.Fatalf("G did not scroll the Security tab")
	}
	d.Keys("g")
	_ = d.View()
	if s.offsets[tabSecurity] != 0 {
		t.Fatal("g did not go back to the top")
	}
	d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if s.offsets[tabSecurity] != 3 {
		t.Fatalf("wheel scrolled to %d", s.offsets[tabSecurity])
	}
}

func TestCapMeaningsCoverEveryCap(t *testing.T) {
	if len(capOrder) != 41 {
		t.Fatalf("%d capabilities in the order list, want 41", len(capOrder))
	}
	for _, c := range capOrder {
		if capMeaning[c] == "" {
			t.Errorf("%s has no meaning", c)
		}
	}
	if len(capMeaning) != len(capOrder) {
		t.Errorf("meanings and order lists disagree: %d vs %d", len(capMeaning), len(capOrder))
	}
	if meaningOf("CAP_NET_RAW") != capMeaning["cap_net_raw"] || meaningOf("net_raw") != capMeaning["cap_net_raw"] {
		t.Error("meaningOf does not accept other spellings")
	}
}

// BenchmarkInspectorView is one redraw of the live inspector (the Security
// tab: the longest) at 120x40.
func BenchmarkInspectorView(b *testing.B) {
	in := uitest.NewInspector()
	deps := uitest.Deps(in)
	d := uitest.NewScreen(b, deps, New(deps, 300), 120, 40)
	d.Keys("8")
	b.ReportAllocs()
	for b.Loop() {
		_ = d.Raw()
	}
}

// Never claim what was not read: a root process in its own namespaces, seen
// by a user who may not read them, is "isolation unknown", never a plain
// host process, and its unreadable sections say why.
func TestInspectorNeverClaimsUnreadNamespaces(t *testing.T) {
	d, _, _ := newInspectorFixture(t, 600, 100, 30)
	v := d.View()
	if strings.Contains(v, "plain host") || !strings.Contains(v, "isolation unknown") || !strings.Contains(v, "permission denied") {
		t.Fatalf("verdict claims what it could not read:\n%s", v)
	}
	d.Keys("6")
	if v := d.View(); !strings.Contains(v, "cannot read: permission denied") || strings.Contains(v, "shared") {
		t.Fatalf("Namespaces tab of an unreadable process:\n%s", v)
	}
	d.Keys("2")
	if v := d.View(); !strings.Contains(v, "Open files (unknown)") || strings.Contains(v, "no open files") {
		t.Fatalf("Files tab of an unreadable process:\n%s", v)
	}
}

// A kernel thread is named as one, and its Registers tab explains why there
// is no SP or PC instead of showing zeros as if they were real.
func TestInspectorKernelThread(t *testing.T) {
	d, _, _ := newInspectorFixture(t, 2, 100, 30)
	if v := d.View(); !strings.Contains(v, "kernel thread") || strings.Contains(v, "plain host") {
		t.Fatalf("verdict of kthreadd:\n%s", v)
	}
	d.Keys("5")
	v := d.View()
	if !strings.Contains(v, "no user-space") || strings.Contains(v, "0x0000000000000000") {
		t.Fatalf("Registers tab of a kernel thread:\n%s", v)
	}
}

// / n N search the tab shown, in every tab: typed keys go to the query (q
// does not leave), enter finds the first match, n and N go on and wrap.
func TestInspectorSearchInEveryTab(t *testing.T) {
	d, _, s := newInspectorFixture(t, 300, 100, 30)
	d.Keys("2", "/")
	if !s.Capturing() {
		t.Fatal("/ does not capture the keys")
	}
	d.Type("pipe:[")
	if d.Backs != 0 || d.Quit {
		t.Fatal("typing a query left the screen")
	}
	d.Keys("enter")
	lines, _ := s.searchable()
	if at := s.offsets[tabFiles]; !strings.Contains(lines[at], "pipe:[4242]") {
		t.Fatalf("the Files tab is not at the match: line %d %q", at, lines[at])
	}
	if v := d.View(); !strings.Contains(v, "/pipe:[: 1 of 1") {
		t.Fatalf("the footer does not say where the match is:\n%s", v)
	}
	d.Keys("/")
	d.Type("dev/pts")
	d.Keys("enter")
	first := s.offsets[tabFiles]
	d.Keys("n")
	if s.offsets[tabFiles] <= first || !strings.Contains(d.View(), "2 of 3") {
		t.Fatalf("n did not go to the next match (%d → %d):\n%s", first, s.offsets[tabFiles], d.View())
	}
	d.Keys("N", "N")
	if !strings.Contains(d.View(), "3 of 3") {
		t.Fatalf("N did not wrap to the last match:\n%s", d.View())
	}
	// The Env tab: the match moves the row cursor.
	d.Keys("3", "/")
	d.Type("lang")
	d.Keys("enter")
	if names := s.envNames(); names[s.envCursor] != "LANG" {
		t.Fatalf("Env search put the cursor on %q", names[s.envCursor])
	}
	d.Keys("/")
	d.Type("nothing-like-this")
	d.Keys("enter")
	if !strings.Contains(d.View(), "no match") {
		t.Fatalf("a query with no match says nothing:\n%s", d.View())
	}
}

// enter on an environment row shows the value whole, wrapped; esc goes back
// to the list (and does not leave the inspector).
func TestInspectorEnvValueWhole(t *testing.T) {
	in := uitest.NewInspector()
	long := strings.Repeat("/opt/very/long/path/element:", 12)
	in.Mu.Lock()
	sn := in.Snaps[300]
	sn.Env = map[string]string{"PATH": long, "HOME": "/home/alice"}
	in.Snaps[300] = sn
	in.Mu.Unlock()
	deps := uitest.Deps(in)
	s := New(deps, 300)
	d := uitest.NewScreen(t, deps, s, 80, 24)
	d.Keys("3", "down", "enter")
	v := d.View()
	if !strings.Contains(v, "PATH ("+strconv.Itoa(len(long))+" characters)") || strings.Count(v, "/opt/very/long") < 10 {
		t.Fatalf("the value is not shown whole:\n%s", v)
	}
	d.Keys("esc")
	if d.Backs != 0 || s.whole != "" {
		t.Fatalf("esc left the inspector (%d) or kept the value open (%q)", d.Backs, s.whole)
	}
}

// The "may be a secret" warning is for values inspect masked, not for a
// plain value someone pressed r on.
func TestInspectorSecretWarningOnlyForMaskedValues(t *testing.T) {
	d, _, s := newInspectorFixture(t, 300, 120, 30)
	d.Keys("3")
	names := s.envNames()
	s.envCursor = slices.Index(names, "HOME")
	d.Keys("r")
	if v := d.View(); strings.Contains(v, "may be a secret") {
		t.Fatalf("warning for a plain value:\n%s", v)
	}
	d.Keys("r")
	s.envCursor = slices.Index(names, "AWS_SECRET_ACCESS_KEY")
	d.Keys("r")
	if v := d.View(); !strings.Contains(v, "may be a secret") || !strings.Contains(v, "wJalrXUtnFEMI-example") {
		t.Fatalf("no warning for a masked value shown unmasked:\n%s", v)
	}
}

// Cosmetics of issue 14: the parent chain reads top-down like a tree (init
// first, this process last), the limits table lines up, an exited process
// is not "sleeping", and at 60 columns the active tab is on screen.
func TestInspectorCosmetics(t *testing.T) {
	in := uitest.NewInspector()
	in.Mu.Lock()
	sn := in.Snaps[300]
	sn.Rlimits = append(sn.Rlimits, inspect.Rlimit{Name: "Max realtime priority", Soft: 0, Hard: 0})
	in.Snaps[300] = sn
	in.Mu.Unlock()
	deps := uitest.Deps(in)
	s := New(deps, 300)
	d := uitest.NewScreen(t, deps, s, 120, 40)
	s.chain = []chainLink{{pid: 200, comm: "bash"}, {pid: 100, comm: "sshd"}, {pid: 1, comm: "systemd"}}
	v := d.View()
	i1, i100, i300 := strings.Index(v, "1 systemd"), strings.Index(v, "100 sshd"), strings.Index(v, "300 sleep  ← this process")
	if i1 < 0 || i100 < i1 || i300 < i100 {
		t.Fatalf("parent chain is not top-down (init %d, sshd %d, this %d):\n%s", i1, i100, i300, v)
	}
	var cols []int
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "Max ") && strings.Contains(l, " soft ") {
			cols = append(cols, strings.Index(l, " soft "))
		}
	}
	if len(cols) != 2 || cols[0] != cols[1] {
		t.Fatalf("limits table not aligned: soft at %v\n%s", cols, v)
	}
	s.exited = true
	if v := d.View(); strings.Contains(strings.Split(v, "\n")[1], "sleeping") || !strings.Contains(v, "exited") {
		t.Fatalf("an exited process is shown sleeping:\n%s", v)
	}
	d2, _, _ := newInspectorFixture(t, 300, 60, 20)
	d2.Keys("8")
	if bar := strings.Split(d2.View(), "\n")[3]; !strings.Contains(bar, "Security") || !strings.Contains(bar, "‹") {
		t.Fatalf("at 60 columns the active tab is not on screen: %q", bar)
	}
	// A click on the narrow bar still picks the tab under the mouse.
	d2.Send(tea.MouseClickMsg{X: 2 + 1, Y: 1 + inspectorTabRow, Button: tea.MouseLeft})
	if s2 := d2.S.(*Model); s2.tab != s2.tabFirst {
		t.Fatalf("a click on the first shown tab chose tab %d (first shown %d)", s2.tab, s2.tabFirst)
	}
}

// The verdict names the container from the runtime's state; the cgroups tab
// says which ancestor sets an effective limit, and "unknown (why)" for usage
// the root cgroup does not account, never a bar at a false 0.
func TestInspectorContainerNameEffectiveLimitsAndUnaccounted(t *testing.T) {
	in := uitest.NewInspector()
	sn := in.Snaps[400]
	sn.Container.Name = "web"
	sn.Container.Pod = &inspect.Pod{Name: "shop-0", Namespace: "prod", Container: "web"}
	sn.Limits.MemoryMaxSetBy = "/docker"
	sn.Limits.PidsCurrent = -1
	sn.Errors = map[string]string{"limits.pids_current": "not accounted here: the root pids cgroup of v1 has no pids.current"}
	in.Snaps[400] = sn
	deps := uitest.Deps(in)
	d := uitest.NewScreen(t, deps, New(deps, 400), 140, 40)
	if v := d.View(); !strings.Contains(v, "pod prod/shop-0 (web)") {
		t.Errorf("verdict lacks the pod:\n%s", v)
	}
	d.Keys("7")
	v := d.View()
	for _, want := range []string{"memory limit set by the ancestor cgroup /docker", "unknown (not accounted here"} {
		if !strings.Contains(v, want) {
			t.Errorf("cgroups tab lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "-1 of 100") {
		t.Errorf("cgroups tab shows the unaccounted -1 as a number:\n%s", v)
	}
}

// A reason that ends in a parenthesis is not wrapped in more of them.
func TestAsideNeverStacksParentheses(t *testing.T) {
	why := "permission denied even for root: the process is protected (an owning user namespace above ours, or a security policy)"
	if got := aside(why); strings.HasSuffix(got, "))") {
		t.Errorf("aside = %q", got)
	}
	if got := aside("permission denied"); got != "(permission denied)" {
		t.Errorf("aside = %q", got)
	}
}

// At 80 columns the Namespaces tab's note on what "host" means is wrapped
// whole, not cut mid-sentence.
func TestInspectorNamespaceNoteWraps(t *testing.T) {
	in := uitest.NewInspector()
	sn := in.Snaps[300]
	why := "/proc/1/ns is not readable (permission denied even for root: the process is in another user namespace or a security module refuses)"
	sn.NSReference = "procbox itself (pid 42): " + why
	in.Snaps[300] = sn
	deps := uitest.Deps(in)
	d := uitest.NewScreen(t, deps, New(deps, 300), 80, 40)
	d.Keys("6")
	v := d.View()
	flat := strings.Join(strings.Fields(v), " ")
	if !strings.Contains(flat, "refuses)") || !strings.Contains(flat, "another user namespace") {
		t.Errorf("the reference note is cut:\n%s", v)
	}
}
