//go:build linux

package isolate

import (
	"bytes"
	"debug/elf"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// startChild starts an agent and stops it at the end of the test.
func startChild(t *testing.T, spec Spec) *Child {
	t.Helper()
	c, err := Start(spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func TestLabViews(t *testing.T) {
	needRoot(t)
	needNS(t, NSPID, NSMnt, NSUTS, NSNet, NSIPC)
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSPID, NSMnt, NSUTS, NSNet, NSIPC}, Hostname: "procbox-lab", MemoryMax: 64 << 20})
	child, err := c.ChildView()
	if err != nil {
		t.Fatal(err)
	}
	host, err := c.HostView()
	if err != nil {
		t.Fatal(err)
	}
	if child.PID != 1 || host.PID != c.PID() || host.PID == 1 {
		t.Errorf("PIDs: child sees %d, host sees %d (agent %d)", child.PID, host.PID, c.PID())
	}
	if child.Hostname != "procbox-lab" || host.Hostname == "procbox-lab" {
		t.Errorf("hostnames: child %q host %q", child.Hostname, host.Hostname)
	}
	if len(child.Interfaces) != 1 || child.Interfaces[0].Name != "lo" || !child.Interfaces[0].Up {
		t.Errorf("child interfaces: %+v", child.Interfaces)
	}
	if child.ProcCount > 3 || host.ProcCount <= child.ProcCount {
		t.Errorf("procs: child %d host %d", child.ProcCount, host.ProcCount)
	}
	for _, ns := range []string{NSPID, NSMnt, NSUTS, NSNet, NSIPC} {
		if child.NSInodes[ns] == 0 || child.NSInodes[ns] == host.NSInodes[ns] {
			t.Errorf("%s namespace inode: child %d host %d", ns, child.NSInodes[ns], host.NSInodes[ns])
		}
	}
	if child.NSInodes[NSUser] != host.NSInodes[NSUser] {
		t.Error("user namespace should be shared")
	}
	if host.Limits.MemoryMax != 64<<20 || child.Limits.MemoryMax != 64<<20 {
		t.Errorf("limits: host %+v", host.Limits)
	}
	if !strings.HasPrefix(path.Base(host.CgroupPath), "procbox-") {
		t.Errorf("host cgroup path %q", host.CgroupPath)
	}
}

func TestLabExperiments(t *testing.T) {
	needRoot(t)
	needCgroup(t, "pids")
	needCgroup(t, "memory")
	checkNoLeaks(t)
	// The fork bomb gets a child of its own without a memory limit: under
	// -race every forked copy carries the race detector's shadow memory.
	// 40 leaves room for the threads of the agent and of the bomb helper
	// (more of them under -race), which count against pids.max too.
	bomb := startChild(t, Spec{Namespaces: []string{NSPID, NSMnt}, PidsMax: 40})
	c := startChild(t, Spec{Namespaces: []string{NSPID, NSMnt}, MemoryMax: 32 << 20, PidsMax: 20,
		DropCaps: []string{"cap_chown"}, Seccomp: []string{"mkdir"}})
	check := func(name string, allowed bool, errno, cause string) Outcome {
		t.Helper()
		cc := c
		if name == ExpForkBomb {
			cc = bomb
		}
		o, err := cc.Experiment(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if o.Allowed != allowed || (errno != "" && o.Errno != errno) || !strings.Contains(o.Cause, cause) {
			t.Errorf("%s: %+v; want allowed=%v errno=%s cause~%q", name, o, allowed, errno, cause)
		}
		return o
	}
	o := check(ExpForkBomb, false, "EAGAIN", "pids limit 40")
	if o.Count < 1 || o.Count >= 40 {
		t.Errorf("forkbomb reached %d processes under pids.max=40", o.Count)
	}
	if o := check(ExpMemoryHog, false, "", "memory limit"); !o.OOMKilled {
		t.Errorf("memhog under 32M should be OOM-killed: %+v", o)
	}
	check(ExpChown, false, "EPERM", "dropped cap_chown")
	check(ExpMkdir, false, "EPERM", "seccomp denies mkdir")
	check(ExpKillHost, false, "ESRCH", "pid namespace")
	check(ExpRawSocket, true, "", "")
	if o, _ := c.Experiment(ExpHostname); !strings.HasPrefix(o.Summary, "skipped") {
		t.Errorf("sethostname without uts must be skipped: %+v", o)
	}
	// The agent survives its own filter and limits.
	if _, err := c.ChildView(); err != nil {
		t.Errorf("the agent did not survive the experiments: %v", err)
	}
}

// TestLabFirstLimitInPlace: a child started without limits has no cgroup
// (procbox makes one only where a limit is asked for); its first limit makes
// one below procbox's own and moves the child in, in place, and a second limit
// on another controller does the same in that hierarchy.
func TestLabFirstLimitInPlace(t *testing.T) {
	needRoot(t)
	needCgroup(t, "pids")
	needCgroup(t, "memory")
	checkNoLeaks(t)
	c := startChild(t, Spec{})
	pid := c.PID()
	if v, _ := c.HostView(); strings.Contains(v.CgroupPath, "procbox-") {
		t.Errorf("a child without limits is in procbox cgroup %q", v.CgroupPath)
	}
	for _, side := range []func() (View, error){c.HostView, c.ChildView} {
		v, _ := side()
		for _, ctrl := range []string{"memory", "pids", "cpu"} {
			if v.Limits.Counted(ctrl) {
				t.Errorf("%s view: %s is reported counted with no cgroup of the child's own: %+v", v.Side, ctrl, v.Limits)
			}
		}
	}
	for _, spec := range []Spec{{PidsMax: 64}, {PidsMax: 64, MemoryMax: 64 << 20}} {
		ch, err := c.Apply(spec)
		if err != nil {
			t.Fatal(err)
		}
		if !ch.InPlace || ch.Recreate || c.PID() != pid {
			t.Errorf("%+v: want an in-place change: %+v (pid %d -> %d)", spec, ch, pid, c.PID())
		}
		v, _ := c.ChildView()
		if v.Limits.PidsMax != 64 || v.Limits.MemoryMax != spec.MemoryMax && spec.MemoryMax > 0 {
			t.Errorf("%+v: limits in force %+v", spec, v.Limits)
		}
		if !v.Limits.Counted("pids") || v.Limits.Counted("memory") != (spec.MemoryMax > 0) {
			t.Errorf("%+v: counted controllers wrong: uncounted %v", spec, v.Limits.Uncounted)
		}
		self := cgroupReadString("/proc/" + strconv.Itoa(pid) + "/cgroup")
		for _, ctrl := range []string{"pids", "memory"} {
			if ctrl == "memory" && spec.MemoryMax == 0 {
				continue
			}
			if !cgHasLineContaining(self, ctrl, "/procbox-") {
				t.Errorf("%+v: the child is not in a procbox %s cgroup:\n%s", spec, ctrl, self)
			}
		}
	}
}

// cgHasLineContaining reports whether /proc/PID/cgroup text has a line for
// v1 controller ctrl (or the v2 line when there is no v1 one) whose path holds sub.
func cgHasLineContaining(text, ctrl, sub string) bool {
	for _, l := range strings.Split(text, "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) == 3 && (slices.Contains(strings.Split(f[1], ","), ctrl) || f[1] == "" && f[0] == "0") && strings.Contains(f[2], sub) {
			return true
		}
	}
	return false
}

func TestLabApplyInPlace(t *testing.T) {
	needRoot(t)
	needCgroup(t, "memory")
	checkNoLeaks(t)
	spec := Spec{Namespaces: []string{NSMnt, NSUTS}, Hostname: "one", MemoryMax: 32 << 20}
	c := startChild(t, spec)
	pid := c.PID()
	spec.MemoryMax = 64 << 20
	spec.Hostname = "two"
	spec.DropCaps = []string{"cap_net_raw"}
	ch, err := c.Apply(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.InPlace || ch.Recreate || c.PID() != pid {
		t.Errorf("want an in-place change: %+v (pid %d -> %d)", ch, pid, c.PID())
	}
	v, _ := c.ChildView()
	if v.Limits.MemoryMax != 64<<20 || v.Hostname != "two" {
		t.Errorf("after Apply: limit %d hostname %q", v.Limits.MemoryMax, v.Hostname)
	}
	for _, cp := range v.CapEff {
		if cp == "cap_net_raw" {
			t.Error("cap_net_raw still effective after an in-place drop")
		}
	}
	if o, _ := c.Experiment(ExpRawSocket); o.Allowed || o.Cause != "dropped cap_net_raw" {
		t.Errorf("raw socket after the drop: %+v", o)
	}
	// Seccomp filters can be added to a running child.
	spec.Seccomp = []string{"mkdir"}
	if ch, err := c.Apply(spec); err != nil || !ch.InPlace || c.PID() != pid {
		t.Errorf("adding a seccomp rule: %+v %v", ch, err)
	}
	if o, _ := c.Experiment(ExpMkdir); o.Allowed || o.Cause != "seccomp denies mkdir" {
		t.Errorf("mkdir after the in-place filter: %+v", o)
	}
	// Getting a cap back needs a new child.
	spec.DropCaps = nil
	ch, err = c.Apply(spec)
	if err != nil || !ch.Recreate || !strings.Contains(ch.Why, "regained") || ch.NewPID == pid {
		t.Errorf("regaining a cap: %+v %v", ch, err)
	}
}

func TestLabApplyRecreatesForPID(t *testing.T) {
	needRoot(t)
	needNS(t, NSPID, NSMnt)
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSMnt}})
	old := c.PID()
	ch, err := c.Apply(Spec{Namespaces: []string{NSPID, NSMnt}})
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Recreate || ch.OldPID != old || ch.NewPID != c.PID() || !strings.Contains(ch.Why, "pid namespace") {
		t.Errorf("want a re-created child with the reason: %+v", ch)
	}
	if unix.Kill(old, 0) == nil {
		t.Errorf("the old child %d still runs", old)
	}
	if v, _ := c.ChildView(); v.PID != 1 {
		t.Errorf("the new child should be PID 1, sees %d", v.PID)
	}
}

func TestLabShell(t *testing.T) {
	needRoot(t)
	needNS(t, NSPID, NSMnt, NSUTS)
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh on this host")
	}
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSPID, NSMnt, NSUTS}, Hostname: "procbox-sh", Seccomp: []string{"mkdir"}})
	cmd := c.ShellCmd()
	if cmd == nil {
		t.Fatal("ShellCmd returned nil")
	}
	var out bytes.Buffer
	cmd.Stdin = strings.NewReader("echo $$; hostname; grep Seccomp: /proc/self/status; exit 3\n")
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 3 {
		t.Errorf("the shell's exit status should come back: %v", err)
	}
	f := strings.Fields(out.String())
	if len(f) < 4 || f[1] != "procbox-sh" || f[3] != "2" {
		t.Errorf("the shell should run inside the child: %q", out.String())
	}
	// Small, but past the agent's own threads, which share the PID numbering.
	if pid, _ := strconv.Atoi(f[0]); pid < 2 || pid > 100 {
		t.Errorf("the shell's PID inside the child's pid namespace: %q", f[0])
	}
}

func TestLabRegisters(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSPID, NSMnt}})
	r, err := c.Registers()
	if err != nil {
		t.Fatal(err)
	}
	if r.PC == 0 || r.SP == 0 || len(r.Regs) == 0 {
		t.Errorf("registers: %+v", r)
	}
	// The thread read is a busy one: its PC moves between the two looks
	// (a parked thread would show the same futex wait both times).
	if r.TID == 0 || r.TID == c.PID() || !strings.Contains(r.Thread, "busy") {
		t.Errorf("read thread %d (%q) of %d: want the busy non-main thread", r.TID, r.Thread, c.PID())
	}
	if r.LaterPC == 0 || r.LaterPC == r.PC {
		t.Errorf("the PC did not move between the two looks: %#x then %#x", r.PC, r.LaterPC)
	}
	if r.Threads < 2 || r.SPIn == "" {
		t.Errorf("threads %d, SP in %q: want the thread count and the mapping of SP", r.Threads, r.SPIn)
	}
	if _, err := c.ChildView(); err != nil {
		t.Errorf("the child should keep running after the snapshot: %v", err)
	}
}

func TestLabStopIsIdempotent(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	c, err := Start(Spec{Namespaces: []string{NSPID, NSMnt}, PidsMax: 16})
	if err != nil {
		t.Fatal(err)
	}
	pid := c.PID()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if unix.Kill(pid, 0) == nil {
		t.Errorf("child %d still runs after Stop", pid)
	}
	if _, err := c.ChildView(); err == nil {
		t.Error("a stopped child should not answer")
	}
}

func TestLabTimeNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSTime)
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSTime}, TimeOffset: 24 * time.Hour})
	child, err := c.ChildView()
	if err != nil {
		t.Fatal(err)
	}
	host, _ := c.HostView()
	if d := child.Monotonic - host.Monotonic; d < 24*time.Hour-time.Minute || d > 24*time.Hour+time.Minute {
		t.Errorf("monotonic inside is %s ahead of the host, want 24h", d)
	}
	if d := child.Realtime.Sub(host.Realtime); d > time.Minute || d < -time.Minute {
		t.Errorf("the wall clock is not namespaced, yet differs by %s", d)
	}
}

func TestLabUserNamespaceMapRoot(t *testing.T) {
	needNS(t, NSUser)
	checkNoLeaks(t)
	c, err := Start(Spec{Namespaces: []string{NSUser, NSMnt, NSUTS}, MapRoot: true, Hostname: "procbox-user"})
	if err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("this host refuses an unprivileged user namespace: %v", err)
		}
		t.Fatal(err)
	}
	defer c.Stop()
	v, err := c.ChildView()
	if err != nil {
		t.Fatal(err)
	}
	if v.UID != 0 || v.UIDMap != "0 "+strconv.Itoa(os.Getuid())+" 1" || v.Hostname != "procbox-user" {
		t.Errorf("inside: uid %d uid_map %q hostname %q", v.UID, v.UIDMap, v.Hostname)
	}
	// Root inside is not root outside: the host's hostname is out of reach,
	// but the child's own is fine.
	if o, _ := c.Experiment(ExpHostname); !o.Allowed {
		t.Errorf("sethostname inside its own uts namespace: %+v", o)
	}
}

func TestLabRootfs(t *testing.T) {
	needRoot(t)
	needNS(t, NSPID, NSMnt)
	if dynamicallyLinked(t) {
		t.Skip("the agent re-executes this test binary inside an empty rootfs, and this build is dynamically linked (cgo, e.g. -race); run with CGO_ENABLED=0")
	}
	checkNoLeaks(t)
	root := t.TempDir()
	c := startChild(t, Spec{Namespaces: []string{NSPID, NSMnt}, Rootfs: root})
	v, err := c.ChildView()
	if err != nil {
		t.Fatalf("the agent should run from an empty rootfs (it re-executes /proc/self/exe): %v", err)
	}
	if v.MountCount > 3 {
		t.Errorf("inside a pivoted root only / and /proc are mounted, saw %d mounts", v.MountCount)
	}
	ents, _ := os.ReadDir(root)
	if len(ents) != 1 || ents[0].Name() != "proc" {
		t.Errorf("the rootfs should hold only the /proc mount point: %v", ents)
	}
	// No shell in an empty rootfs: the shell client says so.
	cmd := c.ShellCmd()
	if cmd == nil {
		t.Fatal("ShellCmd returned nil")
	}
	var out bytes.Buffer
	cmd.Stdin = strings.NewReader("exit\n")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run()
	if !strings.Contains(out.String(), "no /bin/sh") {
		t.Errorf("want a clear message about the missing shell, got %q", out.String())
	}
}

// dynamicallyLinked reports whether this binary needs an ELF interpreter.
func dynamicallyLinked(t *testing.T) bool {
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

func TestLabLessonActions(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSMnt}, PidsMax: 64})
	pid := c.PID()

	o, err := c.Experiment(ExpRenice)
	if err != nil || !o.Allowed {
		t.Fatalf("renice: %+v %v", o, err)
	}
	stat, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	if len(f) < 17 || f[16] != strconv.FormatInt(o.Count, 10) {
		t.Errorf("nice seen from the host %v, want %d", f[16:17], o.Count)
	}

	o, err = c.Experiment(ExpOpenFile)
	if err != nil || !o.Allowed {
		t.Fatalf("openfile: %+v %v", o, err)
	}
	if _, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + strconv.FormatInt(o.Count, 10)); err != nil {
		t.Errorf("the new fd %d is not visible from the host: %v", o.Count, err)
	}

	o, err = c.Experiment(ExpEnvChild)
	if err != nil || !o.Allowed {
		t.Fatalf("envchild: %+v %v", o, err)
	}
	env, err := os.ReadFile("/proc/" + strconv.FormatInt(o.Count, 10) + "/environ")
	if err != nil || !strings.Contains(string(env), "PROCBOX_DEMO=1") {
		t.Errorf("the grandchild should carry PROCBOX_DEMO=1: %v", err)
	}
	if own, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ"); strings.Contains(string(own), "PROCBOX_DEMO=1") {
		t.Error("the agent itself must not carry PROCBOX_DEMO")
	}
}

func TestLabRefusesTinyLimits(t *testing.T) {
	if _, err := Start(Spec{PidsMax: 5}); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Errorf("pids 5: %v", err)
	}
	if _, err := Start(Spec{MemoryMax: 4 << 20}); err == nil || !strings.Contains(err.Error(), "at least 16 MiB") {
		t.Errorf("mem 4M: %v", err)
	}
}

func TestLabUnknownExperiment(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	c := startChild(t, Spec{})
	if _, err := c.Experiment("teleport"); err == nil || !strings.Contains(err.Error(), "forkbomb") {
		t.Errorf("want an error listing the experiments, got %v", err)
	}
	if _, err := c.ChildView(); err != nil {
		t.Errorf("the child should still answer: %v", err)
	}
}

// TestLabMapRootToNobody: with MapRootTo, root inside the user namespace is
// uid 65534 outside, and the child still starts and answers.
func TestLabMapRootToNobody(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSUser}, MapRoot: true, MapRootTo: 65534})
	v, err := c.ChildView()
	if err != nil {
		t.Fatal(err)
	}
	if v.UIDMap != "0 65534 1" || v.UID != 0 {
		t.Errorf("inside: uid %d, map %q; want root inside mapped to 65534", v.UID, v.UIDMap)
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(c.PID()) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Uid:\t65534\t65534\t65534\t65534") {
		t.Errorf("outside the child is not uid 65534:\n%s", b)
	}
}

// TestLabViewsMoveDuringExperiment: while a CPU burn keeps the agent busy
// for seconds, both views still answer, and the cgroup's CPU usage in them
// grows (the side-by-side used to freeze for the whole experiment).
func TestLabViewsMoveDuringExperiment(t *testing.T) {
	needRoot(t)
	needCgroup(t, "cpu")
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSPID, NSUTS}, Hostname: "busy", CPUMax: 0.5})
	if _, err := c.ChildView(); err != nil { // the view that stands in while busy
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := c.Experiment(ExpCPUBurner); err != nil {
			t.Errorf("cpuburn: %v", err)
		}
	}()
	// Wait until the experiment holds the agent.
	for !c.isExperimenting() {
		select {
		case <-done:
			t.Fatal("the experiment ended before it was seen running")
		case <-time.After(time.Millisecond):
		}
	}
	first, err := c.ChildView()
	if err != nil {
		t.Fatalf("ChildView during the experiment: %v", err)
	}
	if first.Hostname != "busy" || first.PID != 1 {
		t.Errorf("the child's rows during the experiment: hostname %q pid %d", first.Hostname, first.PID)
	}
	var grew bool
	for !grew {
		select {
		case <-done:
			t.Fatal("no view answered during the experiment showed the CPU usage growing")
		case <-time.After(300 * time.Millisecond): // past statsShareWindow: a fresh read
		}
		host, err := c.HostView()
		if err != nil {
			t.Fatalf("HostView during the experiment: %v", err)
		}
		v, err := c.ChildView()
		if err != nil {
			t.Fatalf("ChildView during the experiment: %v", err)
		}
		if !c.isExperimenting() { // the experiment is over: these views prove nothing
			continue
		}
		grew = v.Limits.CPUUsageUsec > first.Limits.CPUUsageUsec && host.Limits.CPUUsageUsec > first.Limits.CPUUsageUsec
	}
	<-done
}
