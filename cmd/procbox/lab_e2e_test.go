package main

// The Lab through the real isolate engine: every experiment's effect as root,
// the time from a toggle to a refreshed side-by-side, and one end-to-end run
// of the built binary in tmux. Each test proves it left nothing behind.

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"procbox/internal/leakcheck"
	"procbox/isolate"
	"procbox/ui"
)

// labNeedRoot skips a test that creates namespaces and cgroups.
func labNeedRoot(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts real isolated children; skipped with -short")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates cgroups, namespaces and drops capabilities")
	}
}

// labEngineForTest is a real engine whose children are stopped, and whose
// leftovers are checked, when the test ends.
func labEngineForTest(t *testing.T) *labEngine {
	t.Helper()
	before := takeInventory(t)
	eng := newLabEngine()
	self := os.Getpid()
	var childPIDs []int
	t.Cleanup(func() {
		eng.mu.Lock()
		for _, c := range eng.children {
			childPIDs = append(childPIDs, c.PID())
		}
		eng.mu.Unlock()
		eng.StopAll()
		owned := ownedBy(append([]int{self}, childPIDs...)...)
		if leaks := before.leaksSince(takeInventory(t), owned); len(leaks) > 0 {
			t.Errorf("left behind: %v", leaks)
		}
		for _, p := range childPIDs {
			if _, err := os.Stat("/proc/" + strconv.Itoa(p)); err == nil {
				if _, st, ok := leakcheck.PPIDState(p); ok && st != "Z" {
					t.Errorf("child %d still running after StopAll", p)
				}
			}
		}
	})
	return eng
}

// labStart starts a child or fails the test; a missing host feature skips.
func labStart(t *testing.T, eng *labEngine, spec isolate.Spec) ui.LabChild {
	t.Helper()
	c, err := eng.Start(spec)
	if err != nil {
		t.Fatalf("Start(%+v): %v", spec, err)
	}
	return c
}

func TestLabEngineExperiments(t *testing.T) {
	labNeedRoot(t)
	cases := []struct {
		name    string
		spec    isolate.Spec
		exp     string
		allowed bool
		errnos  []string // any of these, when denied
		check   func(t *testing.T, o isolate.Outcome, c ui.LabChild)
	}{
		{name: "fork bomb hits the pids limit", spec: isolate.Spec{PidsMax: 24}, exp: isolate.ExpForkBomb,
			errnos: []string{"EAGAIN"}},
		{name: "memory hog is OOM-killed", spec: isolate.Spec{MemoryMax: 64 << 20}, exp: isolate.ExpMemoryHog,
			check: func(t *testing.T, o isolate.Outcome, c ui.LabChild) {
				if !o.OOMKilled {
					t.Errorf("memhog with 64M: not OOM-killed: %+v", o)
				}
				v, err := c.HostView()
				if err != nil || v.Limits.OOMKills < 1 {
					t.Errorf("the cgroup's OOM counter did not go up: %d (%v)", v.Limits.OOMKills, err)
				}
			}},
		{name: "cpu burner is throttled", spec: isolate.Spec{CPUMax: 0.2}, exp: isolate.ExpCPUBurner, allowed: true,
			check: func(t *testing.T, o isolate.Outcome, c ui.LabChild) {
				v, err := c.HostView()
				if err != nil || v.Limits.ThrottledUsec <= 0 {
					t.Errorf("a 20%% quota never throttled: %+v (%v)", v.Limits, err)
				}
			}},
		{name: "chown allowed as root", exp: isolate.ExpChown, allowed: true},
		{name: "chown without cap_chown", spec: isolate.Spec{DropCaps: []string{"cap_chown"}}, exp: isolate.ExpChown,
			errnos: []string{"EPERM"}},
		{name: "bind 80 without cap_net_bind_service", spec: isolate.Spec{DropCaps: []string{"cap_net_bind_service"}},
			exp: isolate.ExpBind80, errnos: []string{"EACCES", "EPERM"}},
		{name: "raw socket without cap_net_raw", spec: isolate.Spec{DropCaps: []string{"cap_net_raw"}},
			exp: isolate.ExpRawSocket, errnos: []string{"EPERM"}},
		{name: "mount without cap_sys_admin", spec: isolate.Spec{Namespaces: []string{"mnt"}, DropCaps: []string{"cap_sys_admin"}},
			exp: isolate.ExpMount, errnos: []string{"EPERM"}},
		{name: "sethostname in uts", spec: isolate.Spec{Namespaces: []string{"uts"}}, exp: isolate.ExpHostname, allowed: true},
		{name: "sethostname without cap_sys_admin", spec: isolate.Spec{Namespaces: []string{"uts"}, DropCaps: []string{"cap_sys_admin"}},
			exp: isolate.ExpHostname, errnos: []string{"EPERM"}},
		{name: "kill a host process from a pid namespace", spec: isolate.Spec{Namespaces: []string{"pid"}},
			exp: isolate.ExpKillHost, errnos: []string{"ESRCH"}},
		{name: "mkdir under seccomp", spec: isolate.Spec{Seccomp: []string{"mkdir", "mkdirat"}}, exp: isolate.ExpMkdir,
			errnos: []string{"EPERM"}},
		{name: "mkdir without seccomp", exp: isolate.ExpMkdir, allowed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eng := labEngineForTest(t)
			c := labStart(t, eng, tc.spec)
			o, err := c.Experiment(tc.exp)
			if err != nil {
				t.Fatalf("Experiment(%s): %v", tc.exp, err)
			}
			t.Logf("%s: allowed=%v errno=%s cause=%q summary=%q count=%d in %s",
				tc.exp, o.Allowed, o.Errno, o.Cause, o.Summary, o.Count, o.Duration)
			if tc.allowed && !o.Allowed {
				t.Fatalf("%s should be allowed: %+v", tc.exp, o)
			}
			if !tc.allowed && tc.errnos != nil {
				if o.Allowed || !slices.Contains(tc.errnos, o.Errno) {
					t.Fatalf("%s should be denied with one of %v: %+v", tc.exp, tc.errnos, o)
				}
			}
			if tc.check != nil {
				tc.check(t, o, c)
			}
		})
	}
}

// TestLabToggleToViewLatency measures what a keypress on a switch costs
// before the side-by-side shows its effect: Apply plus both views, the work
// of the Lab's apply command. It logs the numbers; it asserts the effect, not
// the time.
func TestLabToggleToViewLatency(t *testing.T) {
	labNeedRoot(t)
	eng := labEngineForTest(t)
	c := labStart(t, eng, isolate.Spec{})
	steps := []struct {
		what string
		spec isolate.Spec
	}{
		{"memory limit (in place)", isolate.Spec{MemoryMax: 64 << 20}},
		{"pids limit (in place)", isolate.Spec{MemoryMax: 64 << 20, PidsMax: 32}},
		{"uts namespace (re-create)", isolate.Spec{Namespaces: []string{"uts"}, Hostname: "lat", MemoryMax: 64 << 20, PidsMax: 32}},
		{"hostname (in place)", isolate.Spec{Namespaces: []string{"uts"}, Hostname: "lat2", MemoryMax: 64 << 20, PidsMax: 32}},
		{"pid namespace (re-create)", isolate.Spec{Namespaces: []string{"pid", "uts"}, Hostname: "lat2", MemoryMax: 64 << 20, PidsMax: 32}},
		{"drop cap_net_raw (in place)", isolate.Spec{Namespaces: []string{"pid", "uts"}, Hostname: "lat2", MemoryMax: 64 << 20, PidsMax: 32, DropCaps: []string{"cap_net_raw"}}},
	}
	for _, st := range steps {
		t0 := time.Now()
		ch, err := c.Apply(st.spec)
		tApply := time.Since(t0)
		if err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		h, herr := c.HostView()
		cv, cerr := c.ChildView()
		total := time.Since(t0)
		if herr != nil || cerr != nil {
			t.Fatalf("%s: views: %v / %v", st.what, herr, cerr)
		}
		t.Logf("%-28s apply %6.1f ms, apply+views %6.1f ms (recreated=%v)", st.what,
			float64(tApply.Microseconds())/1000, float64(total.Microseconds())/1000, ch.Recreate)
		// The effect, seen in the views.
		if st.spec.Hostname != "" && cv.Hostname != st.spec.Hostname {
			t.Errorf("%s: child hostname %q", st.what, cv.Hostname)
		}
		if st.spec.Has("pid") && cv.PID != 1 {
			t.Errorf("%s: the child sees itself as %d, want 1", st.what, cv.PID)
		}
		if h.Limits.MemoryMax != st.spec.MemoryMax {
			t.Errorf("%s: memory limit %d", st.what, h.Limits.MemoryMax)
		}
	}
}

// BenchmarkLabInPlaceToggle is the in-place case of the latency above:
// flip a pids limit and read both views.
func BenchmarkLabInPlaceToggle(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	eng := newLabEngine()
	defer eng.StopAll()
	c, err := eng.Start(isolate.Spec{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := c.Apply(isolate.Spec{PidsMax: int64(32 + i%2)}); err != nil {
			b.Fatal(err)
		}
		if _, err := c.HostView(); err != nil {
			b.Fatal(err)
		}
		if _, err := c.ChildView(); err != nil {
			b.Fatal(err)
		}
	}
}

// labTmux drives the built binary in a private tmux server.
type labTmux struct {
	t      *testing.T
	socket string
}

func (x labTmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (x labTmux) screen() string { return x.run("capture-pane", "-p", "-t", "lab") }

func (x labTmux) keys(keys ...string) { x.run(append([]string{"send-keys", "-t", "lab"}, keys...)...) }

// waitFor polls the screen until ok says yes, or fails after timeout.
func (x labTmux) waitFor(what string, timeout time.Duration, ok func(string) bool) string {
	x.t.Helper()
	deadline := time.Now().Add(timeout)
	var s string
	for time.Now().Before(deadline) {
		s = x.screen()
		if ok(s) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	x.t.Fatalf("waited %s for %s; screen:\n%s", timeout, what, s)
	return ""
}

// labRowLine is the side-by-side line whose label is label ("pid", "hostname").
func labRowLine(screen, label string) string {
	for _, l := range strings.Split(screen, "\n") {
		_, right, ok := strings.Cut(l, "│")
		if !ok {
			continue
		}
		f := strings.Fields(strings.TrimLeft(right, " ≠"))
		if len(f) > 0 && f[0] == label {
			return right
		}
	}
	return ""
}

// TestLabEndToEndInTmux opens `procbox lab` in a 120×40 tmux, toggles uts
// (with a hostname) and pid, runs the fork bomb under a pids limit, quits,
// and checks that no procbox process or cgroup of this run is left.
func TestLabEndToEndInTmux(t *testing.T) {
	labNeedRoot(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	bin := faultBuild(t)
	before := takeInventory(t)
	x := labTmux{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")} // in the temp dir: tmux leaves the socket file behind
	t.Cleanup(func() { exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
	x.run("new-session", "-d", "-s", "lab", "-x", "120", "-y", "40", "exec "+bin+" lab")
	pid, err := strconv.Atoi(strings.TrimSpace(x.run("display-message", "-p", "-t", "lab", "#{pane_pid}")))
	if err != nil {
		t.Fatalf("pane pid: %v", err)
	}
	x.waitFor("the first child", 15*time.Second, func(s string) bool {
		return strings.Contains(s, "started the child") && labRowLine(s, "hostname") != ""
	})

	// Switch rows: pid net mnt uts ipc user cgroup time hostname map-root memory pids ...
	x.keys("Down", "Down", "Down", "Space") // uts
	x.waitFor("uts on", 15*time.Second, func(s string) bool { return strings.Contains(s, "[x] uts") && strings.Contains(s, "≠uts ns") })
	x.keys("Down", "Down", "Down", "Down", "Down", "Enter") // hostname
	x.keys("-l", "e2ebox")
	x.keys("Enter")
	s := x.waitFor("the hostnames to differ", 15*time.Second, func(s string) bool {
		l := labRowLine(s, "hostname")
		return strings.Contains(l, "e2ebox") && strings.Contains(s, "≠hostname")
	})
	if host := strings.Fields(labRowLine(s, "hostname"))[1]; host == "e2ebox" {
		t.Fatalf("the host column shows the child's hostname:\n%s", s)
	}
	for range 8 {
		x.keys("Up")
	}
	x.keys("Space") // pid
	s = x.waitFor("the child to be pid 1", 15*time.Second, func(s string) bool {
		f := strings.Fields(labRowLine(s, "pid"))
		return len(f) == 3 && f[2] == "1" && f[1] != "1"
	})
	t.Logf("after uts+pid:\n%s", s)
	for range 11 {
		x.keys("Down")
	}
	x.keys("Enter") // pids
	x.keys("-l", "24")
	x.keys("Enter")
	x.waitFor("the pids limit", 15*time.Second, func(s string) bool { return strings.Contains(labRowLine(s, "tasks"), "/ 24") })
	x.keys("f")
	s = x.waitFor("the fork bomb's outcome", 30*time.Second, func(s string) bool { return strings.Contains(s, "fork bomb: ") })
	flat := strings.Join(strings.Fields(s), " ")
	if !strings.Contains(flat, "EAGAIN") && !strings.Contains(flat, "resource temporarily unavailable") {
		t.Fatalf("the fork bomb was not stopped by the pids limit:\n%s", s)
	}
	if i := strings.Index(s, "last change "); i >= 0 {
		t.Logf("header after the last toggle: %q", strings.Fields(s[i:])[:4])
	}

	x.keys("q")
	x.waitFor("the quit question", 5*time.Second, func(s string) bool { return strings.Contains(s, "quit and remove") })
	x.keys("q")
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
		t.Fatalf("procbox (pid %d) did not exit on q", pid)
	}
	if left := labProcessesOf(bin); len(left) > 0 {
		t.Errorf("processes of this procbox still running: %v", left)
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(pid)); len(leaks) > 0 {
		t.Errorf("left behind: %v", leaks)
	}
}

// labProcessesOf lists live processes whose executable is bin.
func labProcessesOf(bin string) []int {
	want, _ := filepath.EvalSymlinks(bin)
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink("/proc/" + e.Name() + "/exe")
		if err != nil {
			continue
		}
		exe = strings.TrimSuffix(exe, " (deleted)")
		if exe == want || exe == bin {
			if _, st, ok := leakcheck.PPIDState(p); ok && st != "Z" {
				pids = append(pids, p)
			}
		}
	}
	return pids
}

// TestLabSignalsLeaveNothing ends a Lab that has an isolated child with
// SIGTERM, and another by closing its terminal (tmux kills the pane: SIGHUP),
// and checks each time that procbox exited and took its child, cgroups and
// veth with it.
func TestLabSignalsLeaveNothing(t *testing.T) {
	labNeedRoot(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	bin := faultBuild(t)
	for _, how := range []string{"SIGTERM", "terminal closed"} {
		t.Run(how, func(t *testing.T) {
			before := takeInventory(t)
			x := labTmux{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
			t.Cleanup(func() { exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
			x.run("new-session", "-d", "-s", "lab", "-x", "100", "-y", "30",
				"exec "+bin+" lab --ns pid,uts,net --veth --hostname sig --pids 32 --mem 64M")
			pid, err := strconv.Atoi(strings.TrimSpace(x.run("display-message", "-p", "-t", "lab", "#{pane_pid}")))
			if err != nil {
				t.Fatalf("pane pid: %v", err)
			}
			x.waitFor("the child", 15*time.Second, func(s string) bool { return strings.Contains(s, "started the child") })
			kids := labProcessesOf(bin)
			if len(kids) < 2 {
				t.Fatalf("want procbox and its child running, found %v", kids)
			}
			switch how {
			case "SIGTERM":
				if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			default:
				x.run("kill-session", "-t", "lab")
			}
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) && len(labProcessesOf(bin)) > 0 {
				time.Sleep(100 * time.Millisecond)
			}
			if left := labProcessesOf(bin); len(left) > 0 {
				t.Fatalf("still running after %s: %v", how, left)
			}
			if leaks := before.leaksSince(takeInventory(t), ownedBy(append([]int{pid}, kids...)...)); len(leaks) > 0 {
				t.Errorf("left behind after %s: %v", how, leaks)
			}
		})
	}
}

// TestLabUsageErrors: a bad `procbox lab` call is one line on stderr and
// status 2, and starts nothing.
func TestLabUsageErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := faultBuild(t)
	cases := map[string][]string{
		"extra argument":     {"lab", "extra"},
		"unknown namespace":  {"lab", "--ns", "bogus"},
		"hostname alone":     {"lab", "--hostname", "x"},
		"bad size":           {"lab", "--mem", "lots"},
		"unknown flag":       {"lab", "--bogus"},
		"no terminal":        {"lab"},
		"no terminal + spec": {"lab", "--ns", "uts", "--hostname", "demo"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			r := faultExec(t, 20*time.Second, bin, args...)
			if r.err != nil {
				t.Fatalf("procbox %v: %v", args, r.err)
			}
			lines := stderrLines(r.stderr)
			if r.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "procbox: lab: ") {
				t.Fatalf("procbox %v: status %d, stderr %q; want status 2 and one line", args, r.code, r.stderr)
			}
			if left := labProcessesOf(bin); len(left) > 0 {
				t.Fatalf("procbox %v left processes: %v", args, left)
			}
		})
	}
}

// TestLabStopDuringRecreate quits while an Apply is re-creating the child:
// the new child must be stopped too, and a Start after StopAll must not leave
// one running.
func TestLabStopDuringRecreate(t *testing.T) {
	labNeedRoot(t)
	eng := labEngineForTest(t)
	c := labStart(t, eng, isolate.Spec{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Apply(isolate.Spec{Namespaces: []string{"pid", "uts"}, Hostname: "race"})
		done <- err
	}()
	time.Sleep(2 * time.Millisecond) // let the Apply begin; either order must end clean
	if err := c.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	<-done
	if pid := c.PID(); pid > 0 {
		if _, st, ok := leakcheck.PPIDState(pid); ok && st != "Z" {
			t.Errorf("child %d still running after Stop", pid)
		}
	}
	if _, err := c.Apply(isolate.Spec{MemoryMax: 64 << 20}); err == nil {
		t.Error("Apply after Stop should fail")
	}
	eng.StopAll()
	if late, err := eng.Start(isolate.Spec{}); err == nil {
		t.Errorf("Start after StopAll gave child %d", late.PID())
	}
}
