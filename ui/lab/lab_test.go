package lab

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/ui/internal/common"
	"procbox/ui/internal/uitest"
)

func TestLabStartsAPlainChild(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	if len(f.eng.Started()) != 1 {
		t.Fatalf("Start called %d times, want 1", len(f.eng.Started()))
	}
	if got := f.eng.Started()[0]; len(got.Namespaces) != 0 || got.MemoryMax != 0 || len(got.DropCaps) != 0 {
		t.Fatalf("the first child should have no isolation, got %+v", got)
	}
	if !strings.Contains(f.logText(), "started the child, pid 4242 (no isolation)") {
		t.Fatalf("log = %q", f.logText())
	}
	if !f.m.haveViews || f.m.cview.PID != 4242 {
		t.Fatalf("views not read after start: have=%v child pid=%d", f.m.haveViews, f.m.cview.PID)
	}
}

func TestLabStartsFromSpec(t *testing.T) {
	f := newFixture(t, isolate.Spec{Namespaces: []string{"pid", "uts"}, Hostname: "demo"})
	got := f.eng.Started()[0]
	if !slices.Equal(got.Namespaces, []string{"pid", "uts"}) || got.Hostname != "demo" {
		t.Fatalf("started with %+v", got)
	}
	if !f.m.st.ns["pid"] || !f.m.st.ns["uts"] || f.m.st.ns["net"] {
		t.Fatalf("switches do not show the spec: %v", f.m.st.ns)
	}
}

func TestLabToggleAppliesTheSpec(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("uts")
	f.press("space")
	if got := f.lastApplied(); !slices.Equal(got.Namespaces, []string{"uts"}) {
		t.Fatalf("after uts: Apply(%+v)", got)
	}
	f.goTo("pid")
	f.press("space")
	if got := f.lastApplied(); !slices.Equal(got.Namespaces, []string{"pid", "uts"}) {
		t.Fatalf("after pid: Apply(%+v)", got)
	}
	f.press("space") // pid off again
	if got := f.lastApplied(); !slices.Equal(got.Namespaces, []string{"uts"}) {
		t.Fatalf("after pid off: Apply(%+v)", got)
	}
	log := f.logText()
	if !strings.Contains(log, "re-created the child (pid 4242 → 4243): new namespaces only apply to new processes") {
		t.Fatalf("the re-create and its reason are not in the log:\n%s", log)
	}
}

func TestLabInPlaceChangeReachesTheLog(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("memory")
	f.press("enter")
	if !f.m.Capturing() {
		t.Fatal("the edit field should capture keys")
	}
	f.typeText("64M")
	f.press("enter")
	if got := f.lastApplied(); got.MemoryMax != 64<<20 {
		t.Fatalf("Apply memory = %d, want %d", got.MemoryMax, 64<<20)
	}
	if !strings.Contains(f.logText(), "memory limit changed in place") {
		t.Fatalf("log:\n%s", f.logText())
	}
	if f.m.Capturing() {
		t.Fatal("the edit field should close after a valid value")
	}
}

func TestLabEditValidation(t *testing.T) {
	cases := []struct {
		sw, input, wantErr string
	}{
		{"memory", "lots", "not a size"},
		{"memory", "1k", "too small"},
		{"pids", "2", "too few"},
		{"pids", "-4", "not a process count"},
		{"cpu", "fast", "not a CPU share"},
		{"cpu", "9000", "out of range"},
		{"hostname", "no spaces", "letters, digits"},
		{"hostname", "-dash", "cannot start"},
		{"rootfs", "relative/dir", "absolute path"},
		{"time offset", "soon", "not a duration"},
		{"time offset", "-30m", "negative"},
	}
	for _, c := range cases {
		t.Run(c.sw+"="+c.input, func(t *testing.T) {
			f := newFixture(t, isolate.Spec{})
			f.goTo(c.sw)
			f.press("enter", "ctrl+u")
			f.typeText(c.input)
			f.press("enter")
			if !strings.Contains(f.m.editErr, c.wantErr) {
				t.Fatalf("error %q, want it to say %q", f.m.editErr, c.wantErr)
			}
			if !f.m.editing {
				t.Fatal("an invalid value must keep the field open")
			}
			if n := len(f.eng.Child().Applied()); n != 0 {
				t.Fatalf("an invalid value reached Apply (%d calls)", n)
			}
			view := ansi.Strip(f.m.View(80, 22))
			if !strings.Contains(view, "✗ ") {
				t.Fatalf("the error is not shown inline:\n%s", view)
			}
			f.press("esc")
			if f.m.editing || f.m.editErr != "" {
				t.Fatal("esc should cancel the edit")
			}
		})
	}
}

func TestLabParsers(t *testing.T) {
	sizes := map[string]int64{"64M": 64 << 20, "1G": 1 << 30, "1.5g": 3 << 29, "512MiB": 512 << 20,
		"none": 0, "": 0, "33554432": 32 << 20}
	for in, want := range sizes {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"8M", "NaN", "12Q", "-5M"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted a size the Lab's child cannot use", bad)
		}
	}
	if _, err := parsePids("5"); err == nil {
		t.Error("parsePids(5) accepted fewer pids than the Lab's child needs")
	}
	cpus := map[string]float64{"0.5": 0.5, "50%": 0.5, "2": 2, "none": 0}
	for in, want := range cpus {
		got, err := parseCPU(in)
		if err != nil || got != want {
			t.Errorf("parseCPU(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if d, err := parseOffset("90m"); err != nil || d != 90*time.Minute {
		t.Errorf("parseOffset(90m) = %v, %v", d, err)
	}
	for d, want := range map[time.Duration]string{time.Hour: "1h", 90 * time.Minute: "1h30m", 90 * time.Second: "1m30s", 48 * time.Hour: "48h"} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLabHostnameTurnsOnUTS(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("hostname")
	f.press("enter")
	f.typeText("demo")
	f.press("enter")
	got := f.lastApplied()
	if !got.Has("uts") || got.Hostname != "demo" {
		t.Fatalf("Apply(%+v): the hostname needs a uts namespace", got)
	}
	if !strings.Contains(f.logText(), "hostname needs a uts namespace: turned uts on") {
		t.Fatalf("log:\n%s", f.logText())
	}
	// uts off: the hostname is kept by the switch but never sent without uts.
	f.goTo("uts")
	f.press("space")
	if got := f.lastApplied(); got.Has("uts") || got.Hostname != "" {
		t.Fatalf("with uts off Apply(%+v) must carry no hostname", got)
	}
	if f.m.st.hostname != "demo" {
		t.Fatal("the hostname switch should remember its value")
	}
}

// TestLabRootfsTurnsOnMntAndPid: a root filesystem needs a pid namespace as
// well as a mount namespace (isolate refuses it without: /proc/PID/root of a
// host process leads back to the host's /); turning pid off keeps the value
// but never sends it.
func TestLabRootfsTurnsOnMntAndPid(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("rootfs")
	f.press("enter")
	f.typeText(t.TempDir())
	f.press("enter")
	got := f.lastApplied()
	if !got.Has("mnt") || !got.Has("pid") || got.Rootfs == "" {
		t.Fatalf("Apply(%+v): a rootfs needs mnt and pid", got)
	}
	for _, ns := range []string{"mnt", "pid"} {
		if !strings.Contains(f.logText(), "rootfs needs a "+ns+" namespace: turned "+ns+" on") {
			t.Fatalf("log:\n%s", f.logText())
		}
	}
	f.goTo("pid")
	f.press("space")
	if got := f.lastApplied(); got.Has("pid") || got.Rootfs != "" {
		t.Fatalf("with pid off Apply(%+v) must carry no rootfs", got)
	}
	if err := f.lastApplied().Validate(); err != nil {
		t.Fatalf("the Lab sent a spec isolate refuses: %v", err)
	}
}

func TestLabTogglesWhileBusyApplyTheLatestOnce(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("uts")
	_, first := f.m.Update(uitest.KeyPress("space")) // Apply started, not finished
	if f.m.busy != "applying" {
		t.Fatalf("busy = %q", f.m.busy)
	}
	f.goTo("pid")
	_, c2 := f.m.Update(uitest.KeyPress("space"))
	f.goTo("ipc")
	_, c3 := f.m.Update(uitest.KeyPress("space"))
	if c2 != nil || c3 != nil {
		t.Fatal("a toggle while an Apply runs must wait, not start a second Apply")
	}
	f.run(first)
	c := f.eng.Child()
	applied := c.Applied()
	if len(applied) != 2 {
		t.Fatalf("Apply called %d times, want 2 (the first, then the latest)", len(applied))
	}
	if got := applied[1]; !slices.Equal(got.Namespaces, []string{"pid", "uts", "ipc"}) {
		t.Fatalf("second Apply(%v), want the latest switches", got.Namespaces)
	}
	if c.Overlapped() {
		t.Fatal("two Applies ran at once")
	}
}

func TestLabApplyErrorRevertsTheSwitches(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.eng.Child().FailApply(errors.New("time namespaces need Linux 5.6"))
	f.goTo("time")
	f.press("space")
	if f.m.st.ns["time"] {
		t.Fatal("a refused switch must go back to off")
	}
	if !strings.Contains(f.logText(), "could not apply ns time: time namespaces need Linux 5.6") {
		t.Fatalf("log:\n%s", f.logText())
	}
}

func TestLabStartFailureIsShown(t *testing.T) {
	eng := &uitest.LabEngine{}
	eng.FailStart(errors.New("cgroup memory: permission denied"))
	d := uitest.LabDeps(eng, uitest.NewClock(testT0))
	f := &fixture{t: t, m: New(d, isolate.Spec{MemoryMax: 64 << 20}), eng: eng}
	f.run(f.m.Init())
	view := ansi.Strip(f.m.View(80, 22))
	if !strings.Contains(view, "no child: cgroup memory: permission denied") {
		t.Fatalf("view:\n%s", view)
	}
	// A toggle tries again with the new switches.
	eng.FailStart(nil)
	f.goTo("uts")
	f.press("space")
	if len(eng.Started()) != 2 || !eng.Started()[1].Has("uts") {
		t.Fatalf("started = %+v", eng.Started())
	}
}

func TestLabDifferingRowsAreMarked(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	for _, r := range viewRows(f.m.host, f.m.cview, false, -1) {
		if r.differ {
			t.Errorf("with no isolation row %s differs: %q vs %q", r.key, r.host, r.child)
		}
	}
	f.goTo("pid")
	f.press("space")
	f.goTo("uts")
	f.press("space")
	f.goTo("hostname")
	f.press("enter")
	f.typeText("demo")
	f.press("enter")
	differ := map[string]bool{}
	for _, r := range viewRows(f.m.host, f.m.cview, false, -1) {
		differ[r.key] = r.differ
	}
	for _, k := range []string{"pid", "hostname", "procs", "ns.pid", "ns.uts"} {
		if !differ[k] {
			t.Errorf("row %s should differ with pid+uts", k)
		}
	}
	for _, k := range []string{"net", "mounts", "ns.net", "caps", "seccomp"} {
		if differ[k] {
			t.Errorf("row %s should not differ with pid+uts", k)
		}
	}
	var pidRow viewRow
	for _, r := range viewRows(f.m.host, f.m.cview, true, -1) {
		if r.key == "pid" {
			pidRow = r
		}
		if r.key == "ns" && (!r.differ || r.child != "own pid,uts") {
			t.Errorf("compact ns row = %+v", r)
		}
	}
	if pidRow.host != strconv.Itoa(f.eng.Child().PID()) || pidRow.child != "1" {
		t.Errorf("pid row = %q | %q, want the host's number and 1", pidRow.host, pidRow.child)
	}
	view := ansi.Strip(f.m.View(120, 38))
	if !strings.Contains(view, "≠hostname") || !strings.Contains(view, "demo") {
		t.Fatalf("the hostname row is not marked:\n%s", view)
	}
}

func TestLabExperimentOutcomesReachTheLog(t *testing.T) {
	cases := []struct {
		name string
		spec isolate.Spec
		keys []string
		want []string // every one in the log
	}{
		{"fork bomb, pids limit", isolate.Spec{PidsMax: 64}, []string{"f"},
			[]string{"fork bomb: denied", "fork failed: resource temporarily unavailable at 64 processes", "pids limit 64"}},
		{"fork bomb, no limit", isolate.Spec{}, []string{"f"},
			[]string{"fork bomb: allowed — reached 1800 processes in 3s, then stopped itself; the host shared that cost"}},
		{"memory hog, limit", isolate.Spec{MemoryMax: 64 << 20}, []string{"m"},
			[]string{"memory hog: OOM-killed by memory limit 64 MiB"}},
		{"cpu burner, quota", isolate.Spec{CPUMax: 0.5}, []string{"u"}, []string{"cpu burner: allowed — busy 3s, throttled 1.5s"}},
		{"chown, cap dropped", isolate.Spec{DropCaps: []string{"cap_chown"}}, []string{"x", "c"},
			[]string{"chown: denied (EPERM: operation not permitted) by drop cap_chown"}},
		{"bind 80", isolate.Spec{DropCaps: []string{"cap_net_bind_service"}}, []string{"x", "b"},
			[]string{"bind port 80: denied (EACCES: permission denied) by drop cap_net_bind_service"}},
		{"raw socket", isolate.Spec{DropCaps: []string{"all"}}, []string{"x", "r"},
			[]string{"raw socket: denied (EPERM: operation not permitted) by drop cap_net_raw"}},
		{"mount", isolate.Spec{}, []string{"x", "o"}, []string{"mount: allowed"}},
		{"sethostname", isolate.Spec{Seccomp: []string{"sethostname"}}, []string{"x", "h"},
			[]string{"sethostname: denied by seccomp sethostname", "EPERM (operation not permitted)"}},
		{"kill host", isolate.Spec{Namespaces: []string{"pid"}}, []string{"x", "k"},
			[]string{"kill a host process: denied (ESRCH: no such process) by pid namespace"}},
		{"mkdir", isolate.Spec{Seccomp: isolate.SeccompFamily("mkdir")}, []string{"x", "d"},
			[]string{"mkdir: denied by seccomp mkdirat", "EPERM (operation not permitted)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.spec)
			f.press(c.keys...)
			for _, w := range c.want {
				if !strings.Contains(f.logText(), w) {
					t.Fatalf("log:\n%s\nwant %q", f.logText(), w)
				}
			}
			if f.m.busy != "" {
				t.Fatalf("still busy: %q", f.m.busy)
			}
		})
	}
}

func TestLabMemoryHogRaisesTheOOMCounter(t *testing.T) {
	f := newFixture(t, isolate.Spec{MemoryMax: 64 << 20})
	f.press("m")
	if f.m.cview.Limits.OOMKills != 1 {
		t.Fatalf("oom kills = %d after the hog", f.m.cview.Limits.OOMKills)
	}
	view := ansi.Strip(f.m.View(120, 38))
	if !strings.Contains(view, "oom 1") {
		t.Fatalf("the OOM counter is not on screen:\n%s", view)
	}
}

func TestLabExperimentWhileBusyIsRefused(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("pid")
	_, pending := f.m.Update(uitest.KeyPress("space"))
	_, cmd := f.m.Update(uitest.KeyPress("f"))
	if cmd != nil {
		t.Fatal("an experiment must not start while an Apply runs")
	}
	if !strings.Contains(f.logText(), "fork bomb: wait, still applying") {
		t.Fatalf("log:\n%s", f.logText())
	}
	f.run(pending)
}

func TestLabCapabilityAndSeccompTickLists(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.goTo("drop caps")
	f.press("enter")
	if !f.m.subOpen || !f.m.Capturing() {
		t.Fatal("enter on drop caps should open the tick list")
	}
	if f.m.subCursor != 1 {
		t.Fatalf("the cursor starts on row %d, want 1: the first capability, not \"all\"", f.m.subCursor)
	}
	f.press("space") // cap_chown (row 0 is "all")
	if got := f.lastApplied().DropCaps; !slices.Equal(got, []string{"cap_chown"}) {
		t.Fatalf("DropCaps = %v", got)
	}
	f.press("up", "space")
	if got := f.lastApplied().DropCaps; !slices.Equal(got, allCaps()) || len(got) < 38 {
		t.Fatalf("DropCaps after all = %v", got)
	}
	f.press("esc")
	if f.m.subOpen {
		t.Fatal("esc should close the tick list")
	}
	// Two enters (open, then confirm) drop nothing: enter never ticks.
	g := newFixture(t, isolate.Spec{})
	g.goTo("drop caps")
	g.press("enter", "enter")
	if g.m.subOpen || len(g.eng.Child().Applied()) != 0 {
		t.Fatalf("enter, enter: list open %v, applied %v; want closed, nothing dropped", g.m.subOpen, g.eng.Child().Applied())
	}
	f.goTo("seccomp")
	f.press("enter", "space")
	// mkdir's family, and the io_uring calls that can make a directory too.
	if got := f.lastApplied().Seccomp; !slices.Equal(got, []string{"mkdir", "mkdirat", "io_uring_setup", "io_uring_enter", "io_uring_register"}) {
		t.Fatalf("Seccomp = %v", got)
	}
	f.press("space")
	if got := f.lastApplied().Seccomp; len(got) != 0 {
		t.Fatalf("Seccomp after un-tick = %v", got)
	}
}

func TestLabUnavailableSwitchSaysWhy(t *testing.T) {
	r := uitest.LabReport()
	r.Namespaces[len(r.Namespaces)-1] = inspect.Feature{Name: "time", Available: false, Why: "kernel 5.4 has no time namespaces"}
	r.TimeNamespace = inspect.Feature{Name: "time", Available: false, Why: "kernel 5.4 has no time namespaces"}
	f := newFixtureOn(t, r, isolate.Spec{})
	f.goTo("time")
	f.press("space")
	if n := len(f.eng.Child().Applied()); n != 0 {
		t.Fatalf("an unavailable switch reached Apply (%d)", n)
	}
	if !strings.Contains(f.logText(), "time: not available here: kernel 5.4 has no time namespaces") {
		t.Fatalf("log:\n%s", f.logText())
	}
	view := ansi.Strip(f.m.View(120, 38))
	if !strings.Contains(view, "[-] time") || !strings.Contains(view, "✗ kernel 5.4 has no time") {
		t.Fatalf("view:\n%s", view)
	}
}

func TestLabWithoutRootShowsCgroupsUnavailable(t *testing.T) {
	r := uitest.LabReport()
	r.Root, r.UID = false, 1000
	r.UserNSUnpriv = inspect.Feature{Name: "user", Available: true}
	a := availabilityOf(r, true)
	if a[swMem][""].ok || !strings.Contains(a[swMem][""].why, "needs root") {
		t.Fatalf("memory without delegation: %+v", a[swMem][""])
	}
	if a[swVeth][""].ok || !a[swNS]["user"].ok {
		t.Fatalf("veth must need root, user ns must not: %+v", a)
	}
}

func TestLabWithoutEngineExplains(t *testing.T) {
	d := uitest.LabDeps(nil, uitest.NewClock(testT0))
	m := New(d, isolate.Spec{})
	f := &fixture{t: t, m: m}
	f.run(m.Init())
	view := ansi.Strip(m.View(80, 22))
	if !strings.Contains(view, "The Lab needs the isolate engine:") {
		t.Fatalf("view:\n%s", view)
	}
	f.press("space", "f", "s")
	if m.Close() != nil {
		t.Fatal("nothing to stop without an engine")
	}
}

func TestLabCloseStopsTheChildOnce(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	cmd := f.m.Close()
	if cmd == nil {
		t.Fatal("Close should return the Stop command")
	}
	if msg, ok := cmd().(stoppedMsg); !ok || msg.err != nil {
		t.Fatalf("Close command = %#v", msg)
	}
	if f.eng.Child().Stops() != 1 {
		t.Fatalf("Stop called %d times", f.eng.Child().Stops())
	}
	if f.m.Close() != nil {
		t.Fatal("a second Close must do nothing")
	}
	f.goTo("pid")
	f.press("space")
	if len(f.eng.Child().Applied()) != 0 {
		t.Fatal("a closed Lab must not Apply")
	}
}

func TestLabShellHandsOverTheTerminal(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	_, cmd := f.m.Update(uitest.KeyPress("s"))
	if cmd == nil || f.m.busy != "shell" {
		t.Fatalf("s should start the shell (busy=%q)", f.m.busy)
	}
	ready, ok := cmd().(shellReadyMsg)
	if !ok || ready.cmd == nil {
		t.Fatalf("the shell was not prepared: %#v", ready)
	}
	if _, exec := f.m.Update(ready); exec == nil {
		t.Fatal("a prepared shell should be handed the terminal")
	}
	f.m.Update(shellDoneMsg{})
	if f.m.busy != "" || !strings.Contains(f.logText(), "back from the shell") {
		t.Fatalf("busy=%q log:\n%s", f.m.busy, f.logText())
	}
}

func TestLabFocusCyclesAndScrolls(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.press("tab")
	if f.m.focus != focusViews {
		t.Fatalf("focus = %d", f.m.focus)
	}
	f.press("down", "down")
	if f.m.viewsTop != 2 {
		t.Fatalf("viewsTop = %d", f.m.viewsTop)
	}
	f.press("tab", "tab")
	if f.m.focus != focusSwitches {
		t.Fatalf("focus = %d after three tabs", f.m.focus)
	}
	f.press("shift+tab")
	if f.m.focus != focusLog {
		t.Fatalf("focus = %d after shift+tab", f.m.focus)
	}
}

// TestLabViewAlwaysFits draws every state at many sizes: no line wider than
// the window, never more lines than asked.
func TestLabViewAlwaysFits(t *testing.T) {
	states := map[string]func(f *fixture){
		"plain": func(*fixture) {},
		"all on": func(f *fixture) {
			for _, ns := range isolate.AllNamespaces {
				f.goTo(ns)
				f.press("space")
			}
		},
		"editing":   func(f *fixture) { f.goTo("memory"); f.press("enter"); f.typeText("lots"); f.press("enter") },
		"tick list": func(f *fixture) { f.goTo("drop caps"); f.press("enter") },
		"x menu":    func(f *fixture) { f.press("x") },
		"log":       func(f *fixture) { f.press("f", "m", "u", "shift+tab") },
		"views":     func(f *fixture) { f.press("tab", "down", "down", "down") },
	}
	sizes := [][2]int{{80, 22}, {118, 38}, {60, 16}, {40, 10}, {200, 58}, {109, 30}, {110, 30}, {1, 1}}
	for name, set := range states {
		f := newFixture(t, isolate.Spec{})
		set(f)
		for _, sz := range sizes {
			w, h := sz[0], sz[1]
			lines := strings.Split(f.m.View(w, h), "\n")
			if len(lines) != h {
				t.Errorf("%s at %dx%d: %d lines", name, w, h, len(lines))
			}
			for i, l := range lines {
				if lw := lipgloss.Width(l); lw > w {
					t.Errorf("%s at %dx%d: line %d is %d wide: %q", name, w, h, i, lw, ansi.Strip(l))
				}
			}
		}
	}
}

func TestLabUsageMovingIsNotADifference(t *testing.T) {
	child, _ := (&uitest.LabEngine{}).Start(isolate.Spec{MemoryMax: 64 << 20})
	h, _ := child.HostView()
	c := h
	c.Limits.MemoryCurrent += 300 << 10 // read a moment later
	c.Limits.CPUUsageUsec += 1000
	for _, r := range viewRows(h, c, true, -1) {
		if r.differ {
			t.Errorf("row %s differs only because usage moved: %q vs %q", r.key, r.host, r.child)
		}
	}
	c.Limits.MemoryMax = -1
	differ := false
	for _, r := range viewRows(h, c, true, -1) {
		differ = differ || (r.key == "mem" && r.differ)
	}
	if !differ {
		t.Error("a different memory limit must show as a difference")
	}
}

func TestLabFailedRecreateStartsTheLastGoodChild(t *testing.T) {
	f := newFixture(t, isolate.Spec{MemoryMax: 64 << 20})
	first := f.eng.Child()
	first.FailRecreate(errors.New("fork/exec /proc/self/exe: operation not permitted"))
	f.goTo("uts")
	f.press("space")
	if len(f.eng.Started()) != 2 {
		t.Fatalf("Start called %d times, want a second start after the failed re-create", len(f.eng.Started()))
	}
	if got := f.eng.Started()[1]; got.Has("uts") || got.MemoryMax != 64<<20 {
		t.Fatalf("restarted with %+v, want the last working switches", got)
	}
	if first.Stops() != 1 {
		t.Fatalf("the broken child was stopped %d times", first.Stops())
	}
	if f.m.child == nil || f.m.st.ns["uts"] {
		t.Fatal("the Lab should have a child again and uts back off")
	}
	if !strings.Contains(f.logText(), "starting a child again with the last switches that worked") {
		t.Fatalf("log:\n%s", f.logText())
	}
}

func TestLabWithoutRootPutsTheUserNamespaceFirst(t *testing.T) {
	r := uitest.LabReport()
	r.Root, r.UID = false, 1000
	r.UserNSUnpriv = inspect.Feature{Name: "user", Available: true}
	f := newFixtureOn(t, r, isolate.Spec{})
	f.goTo("uts")
	f.press("space")
	got := f.lastApplied()
	if !got.Has("user") || !got.Has("uts") || !got.MapRoot {
		t.Fatalf("Apply(%+v): without root uts needs a user namespace with root mapped", got)
	}
	if !strings.Contains(f.logText(), "without root, a user namespace comes first") {
		t.Fatalf("log:\n%s", f.logText())
	}
}

func TestLabCPUShareFromTwoReads(t *testing.T) {
	f := newFixture(t, isolate.Spec{CPUMax: 0.5})
	v := viewsMsg{requested: true, gen: f.m.gen, at: testT0.Add(time.Second)}
	v.host, _ = f.eng.Child().HostView()
	v.child = v.host
	v.host.Limits.CPUUsageUsec = 40000 + 480000 // 0.48 s of CPU in the second since the first read
	f.m.Update(v)
	if f.m.cpuShare < 0.47 || f.m.cpuShare > 0.49 {
		t.Fatalf("cpu share = %v, want 0.48", f.m.cpuShare)
	}
	for _, r := range viewRows(f.m.host, f.m.cview, true, f.m.cpuShare) {
		if r.key == "cpu" && (!strings.Contains(r.host, "50% thr") || r.hostBar < 0.47 || r.hostBar > 0.49) {
			t.Fatalf("cpu row = %+v", r)
		}
	}
}

// TestLabOutcomeWording feeds summaries in the engine's own style: nothing is
// said twice, errnos are explained, and allowed-but-limited reads as such.
func TestLabOutcomeWording(t *testing.T) {
	cases := []struct {
		label string
		o     isolate.Outcome
		spec  isolate.Spec
		want  string
	}{
		{"fork bomb", isolate.Outcome{Experiment: "forkbomb", Errno: "EAGAIN", Cause: "pids limit 24", Count: 14,
			Summary: "forkbomb: fork failed with EAGAIN after 14 processes (pids limit 24)"}, isolate.Spec{PidsMax: 24},
			"fork bomb: denied — fork failed with EAGAIN (resource temporarily unavailable) after 14 processes (pids limit 24)"},
		{"fork bomb", isolate.Outcome{Experiment: "forkbomb", Allowed: true, Count: 500,
			Summary: "forkbomb: 500 processes, stopped by procbox's own bound"}, isolate.Spec{},
			"fork bomb: allowed — 500 processes, stopped by procbox's own bound; the host shared that cost"},
		{"chown", isolate.Outcome{Experiment: "chown", Errno: "EPERM", Cause: "dropped cap_chown",
			Summary: "chown: denied (EPERM) by dropped cap_chown"}, isolate.Spec{},
			"chown: denied (EPERM: operation not permitted) by dropped cap_chown"},
		{"memory hog", isolate.Outcome{Experiment: "memhog", OOMKilled: true, Errno: "SIGKILL", Cause: "memory limit 32 MiB",
			Summary: "memhog: killed by the OOM killer after 24 MiB"}, isolate.Spec{MemoryMax: 32 << 20},
			"memory hog: OOM-killed by memory limit 32 MiB — killed by the OOM killer after 24 MiB"},
		{"cpu burner", isolate.Outcome{Experiment: "cpuburn", Allowed: true, Cause: "cpu quota 0.2",
			Summary: "cpuburn: busy for 3 s, throttled 29 times for 1.70 s in total"}, isolate.Spec{CPUMax: 0.2},
			"cpu burner: allowed, limited by cpu quota 0.2 — busy for 3 s, throttled 29 times for 1.70 s in total"},
	}
	for _, c := range cases {
		got, bad := outcomeText(c.label, c.o, c.spec)
		if got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
		if bad != !c.o.Allowed {
			t.Errorf("%s: bad = %v", c.label, bad)
		}
	}
}

// The root must see the Lab's close hook and status.
var (
	_ common.Closer   = (*Model)(nil)
	_ common.Statuser = (*Model)(nil)
)

// TestLabCloseStopsTheChild: the root calls Close once when the Lab is
// popped or the program ends (after q, a signal or a panic: app_test.go
// checks that); the command Close returns stops the child, once.
func TestLabCloseStopsTheChild(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	cmd := f.m.Close()
	if cmd == nil {
		t.Fatal("a Lab with a child must return a command that stops it")
	}
	cmd()
	if f.eng.Child().Stops() != 1 {
		t.Fatalf("the child was stopped %d times after Close, want 1", f.eng.Child().Stops())
	}
}

// TestLabCloseWhileStartingStopsTheLateChild: a child that finishes starting
// after the Lab closed is stopped by the start command itself.
func TestLabCloseWhileStartingStopsTheLateChild(t *testing.T) {
	eng := &uitest.LabEngine{}
	d := uitest.LabDeps(eng, uitest.NewClock(testT0))
	m := New(d, isolate.Spec{})
	start := startCmd(m.life, eng, isolate.Spec{}, d.Clock)
	if m.Close() != nil {
		t.Fatal("no child yet: nothing for Close to stop")
	}
	msg, ok := start().(startedMsg)
	if !ok || !errors.Is(msg.err, errClosed) {
		t.Fatalf("start after close = %#v", msg)
	}
	if eng.Child() == nil || eng.Child().Stops() != 1 {
		t.Fatal("the late child was not stopped")
	}
}

// The user switch says what this user really gets: as root the map is
// 0 0 1 (root inside is root outside) with or without map root; a user
// stays itself inside unless map root makes it uid 0 there.
func TestLabUserHintSaysWhatThisUserGets(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	user := f.m.switches[slices.IndexFunc(f.m.switches, func(s switchDef) bool { return s.label == "user" })]
	if h := f.m.hint(user); !strings.Contains(h, "map 0 0 1") || !strings.Contains(h, "you stay root inside") {
		t.Errorf("root, user without map root: %q", h)
	}
	f.m.st.mapRoot = true
	if h := f.m.hint(user); !strings.Contains(h, "map 0 0 1") || !strings.Contains(h, "root outside") {
		t.Errorf("root with map root: %q", h)
	}
	f.m.report.UID = 1001
	if h := f.m.hint(user); !strings.Contains(h, "map 0 1001 1") || !strings.Contains(h, "uid 1001 outside") {
		t.Errorf("uid 1001 with map root: %q", h)
	}
	f.m.st.mapRoot = false
	if h := f.m.hint(user); !strings.Contains(h, "map 1001 1001 1") || !strings.Contains(h, "you stay uid 1001 inside") {
		t.Errorf("uid 1001 without map root: %q", h)
	}
}

// Experiment messages name the limits in force: a child started without a
// memory limit reports "memory limit 0 B" after 64M was set in place; the
// Lab says 64 MiB, from the cgroup read right after the experiment.
func TestLabExperimentCauseUsesLimitsInForce(t *testing.T) {
	stale := isolate.Outcome{Experiment: isolate.ExpMemoryHog, OOMKilled: true, Errno: "SIGKILL", Cause: "memory limit 0 B"}
	spec := isolate.Spec{MemoryMax: 64 << 20, PidsMax: 32}
	if got := causeInForce(stale, spec, nil).Cause; got != "memory limit 64 MiB" {
		t.Errorf("from the spec in force: %q", got)
	}
	limits := &isolate.CgroupStats{MemoryMax: 48 << 20, PidsMax: 16, CPUQuotaUsec: 25000, CPUPeriodUsec: 100000}
	if got := causeInForce(stale, spec, limits).Cause; got != "memory limit 48 MiB" {
		t.Errorf("from the cgroup: %q", got)
	}
	bomb := isolate.Outcome{Experiment: isolate.ExpForkBomb, Errno: "EAGAIN", Cause: "pids limit 0"}
	if got := causeInForce(bomb, spec, limits).Cause; got != "pids limit 16" {
		t.Errorf("pids: %q", got)
	}
	burn := isolate.Outcome{Experiment: isolate.ExpCPUBurner, Allowed: true, Cause: "cpu quota 0"}
	if got := causeInForce(burn, spec, limits).Cause; got != "cpu quota 0.25" {
		t.Errorf("cpu: %q", got)
	}
	drop := isolate.Outcome{Experiment: isolate.ExpChown, Errno: "EPERM", Cause: "dropped cap_chown"}
	if got := causeInForce(drop, spec, limits).Cause; got != "dropped cap_chown" {
		t.Errorf("a cause that is no limit changed: %q", got)
	}

	// Through the Lab: the log line of the memory hog names the limit set in the Lab.
	f := newFixture(t, isolate.Spec{})
	f.goTo("memory")
	f.press("enter")
	f.typeText("64M")
	f.press("enter")
	f.eng.Child().StaleCause("memory limit 0 B")
	f.press("m")
	if log := f.logText(); !strings.Contains(log, "memory limit 64 MiB") || strings.Contains(log, "0 B") {
		t.Fatalf("log:\n%s", log)
	}
}

// pid on and mnt off: the child's /proc is still the host's, so its process
// row lists host processes; the row says so (and is flagged) until mnt is on.
func TestLabPidWithoutMntSaysProcIsTheHosts(t *testing.T) {
	f := newFixture(t, isolate.Spec{Namespaces: []string{isolate.NSPID}})
	f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := ansi.Strip(f.m.View(120, 38)); !strings.Contains(v, "host /proc (mnt off)") {
		t.Fatalf("pid without mnt does not say /proc is the host's:\n%s", v)
	}
	g := newFixture(t, isolate.Spec{Namespaces: []string{isolate.NSPID, isolate.NSMnt}})
	g.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if v := ansi.Strip(g.m.View(120, 38)); strings.Contains(v, "host /proc (mnt off)") {
		t.Fatalf("pid with mnt still says /proc is the host's:\n%s", v)
	}
}

// One key map: g/G, pgup/pgdn and ctrl+u/ctrl+d move in the focused area,
// the log included, and ? lists how to scroll the log.
func TestLabScrollKeysAndHelp(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	f.press("G")
	if f.m.cursor != len(f.m.switches)-1 {
		t.Fatalf("G put the switch cursor on %d of %d", f.m.cursor, len(f.m.switches))
	}
	f.press("g")
	if f.m.cursor != 0 {
		t.Fatalf("g put the switch cursor on %d", f.m.cursor)
	}
	for i := 0; i < 30; i++ {
		f.m.logf(false, "line %d", i)
	}
	f.press("tab", "tab") // the log
	f.press("ctrl+u")
	if f.m.logBack == 0 {
		t.Fatal("ctrl+u did not scroll the log back")
	}
	f.press("G")
	if f.m.logBack != 0 {
		t.Fatalf("G did not go to the newest log line (back %d)", f.m.logBack)
	}
	var help []string
	for _, g := range f.m.FullHelp() {
		for _, b := range g {
			help = append(help, b.Help().Key+" "+b.Help().Desc)
		}
	}
	if h := strings.Join(help, "\n"); !strings.Contains(h, "scroll the log") || !strings.Contains(h, "G/end") || !strings.Contains(h, "ctrl+u") {
		t.Fatalf("? does not list the scroll keys:\n%s", h)
	}
}

// The Lab asks for more room than the default: at 64×22 it says what it needs.
func TestLabTooSmallSaysWhatItNeeds(t *testing.T) {
	f := newFixture(t, isolate.Spec{})
	d := uitest.NewScreen(t, f.m.d, f.m, 64, 22)
	if v := d.View(); !strings.Contains(v, "64×22, need 72×20") {
		t.Fatalf("no notice at 64×22:\n%s", v)
	}
}

// A skipped experiment is not a denial, and a denial with no switch to
// blame (a normal user's Lab) says which capability it needs.
func TestLabOutcomeSkippedAndWhyDenied(t *testing.T) {
	skipped := isolate.Outcome{Experiment: isolate.ExpMount, Summary: "skipped: would change the host's mounts; switch on mnt"}
	text, bad := outcomeText("mount", skipped, isolate.Spec{})
	if bad || strings.Contains(text, "denied") || !strings.Contains(text, "skipped") {
		t.Errorf("skipped: %q bad=%v", text, bad)
	}
	bind := isolate.Outcome{Experiment: isolate.ExpBind80, Errno: "EACCES", Summary: "bind80: denied (EACCES)"}
	text, bad = outcomeText("bind port 80", bind, isolate.Spec{})
	if !bad || !strings.Contains(text, "ports below 1024 need cap_net_bind_service") {
		t.Errorf("bind as a normal user: %q", text)
	}
	dropped := isolate.Outcome{Experiment: isolate.ExpBind80, Errno: "EACCES", Cause: "dropped cap_net_bind_service", Summary: "bind80: denied (EACCES)"}
	if text, _ = outcomeText("bind port 80", dropped, isolate.Spec{}); strings.Contains(text, "ports below 1024") {
		t.Errorf("a denial with a cause says more: %q", text)
	}
}

// Available gives doctor the Lab's own answer: as a user without
// unprivileged user namespaces every namespace needs root, and so do the
// capability and veth switches.
func TestLabAvailableForThisUser(t *testing.T) {
	r := uitest.LabReport()
	for _, a := range Available(r) {
		if !a.OK {
			t.Errorf("root: %s not available: %s", a.Switch, a.Why)
		}
	}
	r.Root, r.UID = false, 1001
	r.UserNSUnpriv = inspect.Feature{Name: "user namespaces", Why: "kernel.unprivileged_userns_clone is 0"}
	got := map[string]Availability{}
	for _, a := range Available(r) {
		got[a.Switch] = a
	}
	for _, s := range []string{"pid", "net", "user", "drop caps", "veth", "memory"} {
		if got[s].OK || got[s].Why == "" {
			t.Errorf("uid 1001: %s = %+v, want not available, with why", s, got[s])
		}
	}
}
