package isolate

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"procbox/internal/leakcheck"
)

// TestFaultToggleStorm flips the Lab's switches at random on a live child:
// each sequence starts a child, applies a run of random changes (one switch at
// a time, as a person would, or many at once), checks the child answers and
// shows the switches it has, stops it, and then checks the host has no
// cgroup, mount, link or process left from it.
func TestFaultToggleStorm(t *testing.T) {
	faultNeedRoot(t)
	stormRun(t, 10, 5)
}

// TestSoakToggleStorm is the long form: hundreds of sequences.
func TestSoakToggleStorm(t *testing.T) {
	if os.Getenv("PROCBOX_SOAK") == "" {
		t.Skip("soak test: set PROCBOX_SOAK=1 (make soak)")
	}
	faultNeedRoot(t)
	stormRun(t, 300, 8)
}

func stormRun(t *testing.T, sequences, steps int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (sequences %d, up to %d changes each)", seed, sequences, steps)
	r := rand.New(rand.NewPCG(seed, 0x73746f726d))
	_, err := os.Stat("/proc/self/ns/time")
	hasTime := err == nil
	if !hasTime {
		t.Log("no time namespace on this kernel: the storm leaves it out")
	}
	for i := 0; i < sequences; i++ {
		specs := []Spec{stormRandomSpec(r, hasTime)}
		n := 1 + r.IntN(steps)
		for j := 0; j < n; j++ {
			prev := specs[len(specs)-1]
			if r.IntN(3) == 0 {
				specs = append(specs, stormRandomSpec(r, hasTime))
			} else {
				specs = append(specs, stormFlip(r, prev, hasTime))
			}
		}
		if !stormSequence(t, i, specs, r) {
			return // one failing sequence is enough to read; the leak check ran
		}
	}
}

// stormSequence runs one sequence and reports whether it went cleanly.
func stormSequence(t *testing.T, seq int, specs []Spec, r *rand.Rand) bool {
	t.Helper()
	before := takeFaultInventory(t)
	var pids []int
	failed := false
	errorf := func(format string, a ...any) {
		failed = true
		t.Errorf("sequence %d: %s\n  specs: %s", seq, fmt.Sprintf(format, a...), stormDescribe(specs))
	}

	c, err := Start(specs[0])
	if err != nil {
		errorf("Start(%s): %v", stormOne(specs[0]), err)
		return false
	}
	pids = append(pids, c.PID())

	// The Lab refreshes both views while a change is in flight: do the same,
	// to shake out races between Apply, the views and Stop.
	stop := make(chan struct{})
	var pollers sync.WaitGroup
	pollers.Add(1)
	go func() {
		defer pollers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			c.HostView()
			c.ChildView()
			time.Sleep(5 * time.Millisecond)
		}
	}()

	stormCheck(c, specs[0], errorf)
	for _, next := range specs[1:] {
		oldPID := c.PID()
		ch, err := c.Apply(next)
		if err != nil {
			errorf("Apply(%s): %v", stormOne(next), err)
			break
		}
		switch {
		case ch.Recreate:
			if ch.NewPID == 0 || ch.NewPID == oldPID || ch.Why == "" {
				errorf("Apply(%s): re-created but change is %+v", stormOne(next), ch)
			}
			if leakcheck.Alive(oldPID) {
				errorf("Apply(%s): the replaced child %d is still running", stormOne(next), oldPID)
			}
		case ch.InPlace:
			if c.PID() != oldPID {
				errorf("Apply(%s): in place, but the PID changed %d -> %d", stormOne(next), oldPID, c.PID())
			}
		default:
			errorf("Apply(%s): change is neither in place nor re-created: %+v", stormOne(next), ch)
		}
		pids = append(pids, c.PID())
		stormCheck(c, next, errorf)
		if r.IntN(3) == 0 {
			stormExperiment(c, next, errorf)
		}
	}

	close(stop)
	pollers.Wait()
	if err := c.Stop(); err != nil {
		errorf("Stop: %v", err)
	}
	if err := c.Stop(); err != nil {
		errorf("second Stop (must be a no-op): %v", err)
	}
	if leaks := before.leaks(takeFaultInventory(t), pids); len(leaks) > 0 {
		errorf("left on the host: %v", leaks)
	}
	return !failed
}

// stormCheck asks the child what it has and compares with what spec says.
func stormCheck(c *Child, spec Spec, errorf func(string, ...any)) {
	if got := c.Spec(); !stormSameSpec(got, spec) {
		errorf("Spec() = %s, want %s", stormOne(got), stormOne(spec))
	}
	v, err := c.ChildView()
	if err != nil {
		errorf("ChildView with %s: %v", stormOne(spec), err)
		return
	}
	if spec.Has(NSPID) && v.PID != 1 {
		errorf("with a pid namespace the child sees itself as PID %d, want 1", v.PID)
	}
	if spec.Hostname != "" && v.Hostname != spec.Hostname {
		errorf("hostname inside %q, want %q", v.Hostname, spec.Hostname)
	}
	if len(spec.Seccomp) > 0 && v.Seccomp != 2 {
		errorf("seccomp %v asked, but the child's seccomp mode is %d", spec.Seccomp, v.Seccomp)
	}
	for _, cp := range spec.DropCaps {
		if slices.Contains(v.CapEff, cp) {
			errorf("dropped %s, but the child still has it: %v", cp, v.CapEff)
		}
	}
	if spec.MemoryMax > 0 && v.Limits.MemoryMax != spec.MemoryMax {
		errorf("memory limit %d asked, the child's cgroup says %d", spec.MemoryMax, v.Limits.MemoryMax)
	}
	if spec.PidsMax > 0 && v.Limits.PidsMax != spec.PidsMax {
		errorf("pids limit %d asked, the child's cgroup says %d", spec.PidsMax, v.Limits.PidsMax)
	}
}

// stormExperiment runs the quick mkdir experiment and checks seccomp decides it.
func stormExperiment(c *Child, spec Spec, errorf func(string, ...any)) {
	o, err := c.Experiment(ExpMkdir)
	if err != nil {
		errorf("Experiment(mkdir) with %s: %v", stormOne(spec), err)
		return
	}
	denied := slices.Contains(spec.Seccomp, "mkdir")
	switch {
	case denied && (o.Allowed || o.Errno != "EPERM"):
		errorf("seccomp denies mkdir, but the experiment says allowed=%v errno=%s", o.Allowed, o.Errno)
	case !denied && !spec.Has(NSUser) && !o.Allowed:
		errorf("nothing denies mkdir, but the experiment was refused: %+v", o)
	}
}

// stormCaps and stormSyscalls are the switches the storm flips.
var (
	stormCaps     = []string{"cap_chown", "cap_net_raw", "cap_net_bind_service", "cap_sys_admin", "cap_kill", "cap_setuid"}
	stormSyscalls = []string{"mkdir", "chown", "ptrace", "unshare", "mount"}
)

// stormRandomSpec is a valid random spec.
func stormRandomSpec(r *rand.Rand, hasTime bool) Spec {
	var s Spec
	for _, ns := range AllNamespaces {
		if (ns != NSTime || hasTime) && r.IntN(3) == 0 {
			s.Namespaces = append(s.Namespaces, ns)
		}
	}
	if s.Has(NSUTS) && r.IntN(2) == 0 {
		s.Hostname = fmt.Sprintf("procbox-storm-%d", r.IntN(100))
	}
	s.MapRoot = s.Has(NSUser) && r.IntN(2) == 0
	s.Veth = s.Has(NSNet) && r.IntN(4) == 0
	if s.Has(NSTime) && r.IntN(2) == 0 {
		s.TimeOffset = time.Duration(1+r.IntN(48)) * time.Hour
	}
	s.MemoryMax = []int64{0, 32 << 20, 64 << 20, 128 << 20}[r.IntN(4)]
	s.PidsMax = []int64{0, 16, 64}[r.IntN(3)]
	s.CPUMax = []float64{0, 0.2, 0.5}[r.IntN(3)]
	for _, cp := range stormCaps {
		if r.IntN(4) == 0 {
			s.DropCaps = append(s.DropCaps, cp)
		}
	}
	for _, sc := range stormSyscalls {
		if r.IntN(4) == 0 {
			s.Seccomp = append(s.Seccomp, sc)
		}
	}
	return s
}

// stormFlip changes one switch of s, as a person in the Lab would, keeping
// the spec valid (switching a namespace off takes its dependants with it).
func stormFlip(r *rand.Rand, s Spec, hasTime bool) Spec {
	s.Namespaces = slices.Clone(s.Namespaces)
	s.DropCaps = slices.Clone(s.DropCaps)
	s.Seccomp = slices.Clone(s.Seccomp)
	switch r.IntN(7) {
	case 0, 1:
		ns := AllNamespaces[r.IntN(len(AllNamespaces))]
		if ns == NSTime && !hasTime {
			ns = NSUTS
		}
		if i := slices.Index(s.Namespaces, ns); i >= 0 {
			s.Namespaces = slices.Delete(s.Namespaces, i, i+1)
		} else {
			s.Namespaces = append(s.Namespaces, ns)
		}
	case 2:
		if s.Has(NSUTS) {
			s.Hostname = fmt.Sprintf("procbox-flip-%d", r.IntN(100))
		} else {
			s.Namespaces = append(s.Namespaces, NSUTS)
		}
	case 3:
		s.MemoryMax = []int64{0, 32 << 20, 64 << 20, 128 << 20}[r.IntN(4)]
	case 4:
		s.PidsMax = []int64{0, 16, 64}[r.IntN(3)]
		s.CPUMax = []float64{0, 0.2, 0.5}[r.IntN(3)]
	case 5:
		cp := stormCaps[r.IntN(len(stormCaps))]
		if i := slices.Index(s.DropCaps, cp); i >= 0 {
			s.DropCaps = slices.Delete(s.DropCaps, i, i+1)
		} else {
			s.DropCaps = append(s.DropCaps, cp)
		}
	case 6:
		sc := stormSyscalls[r.IntN(len(stormSyscalls))]
		if i := slices.Index(s.Seccomp, sc); i >= 0 {
			s.Seccomp = slices.Delete(s.Seccomp, i, i+1)
		} else {
			s.Seccomp = append(s.Seccomp, sc)
		}
	}
	if !s.Has(NSUTS) {
		s.Hostname = ""
	}
	if !s.Has(NSUser) {
		s.MapRoot = false
	}
	if !s.Has(NSNet) {
		s.Veth = false
	}
	if !s.Has(NSTime) {
		s.TimeOffset = 0
	}
	if len(s.Namespaces) == 0 {
		s.Namespaces = nil
	}
	if len(s.DropCaps) == 0 {
		s.DropCaps = nil
	}
	if len(s.Seccomp) == 0 {
		s.Seccomp = nil
	}
	return s
}

// stormSameSpec compares specs as sets where order does not matter.
func stormSameSpec(a, b Spec) bool {
	set := func(x []string) string {
		y := slices.Clone(x)
		slices.Sort(y)
		return fmt.Sprint(y)
	}
	return set(a.Namespaces) == set(b.Namespaces) && set(a.DropCaps) == set(b.DropCaps) &&
		set(a.Seccomp) == set(b.Seccomp) && a.Hostname == b.Hostname && a.MapRoot == b.MapRoot &&
		a.MemoryMax == b.MemoryMax && a.PidsMax == b.PidsMax && a.CPUMax == b.CPUMax &&
		a.Rootfs == b.Rootfs && a.Veth == b.Veth && a.TimeOffset == b.TimeOffset
}

// stormOne is a spec as the SPEC flags that make it, for messages.
func stormOne(s Spec) string {
	out := fmt.Sprintf("--ns %v", s.Namespaces)
	if s.Hostname != "" {
		out += " --hostname " + s.Hostname
	}
	if s.MapRoot {
		out += " --map-root"
	}
	if s.Veth {
		out += " --veth"
	}
	if s.TimeOffset != 0 {
		out += " --time-offset " + s.TimeOffset.String()
	}
	if s.MemoryMax > 0 {
		out += fmt.Sprintf(" --mem %d", s.MemoryMax)
	}
	if s.PidsMax > 0 {
		out += fmt.Sprintf(" --pids %d", s.PidsMax)
	}
	if s.CPUMax > 0 {
		out += fmt.Sprintf(" --cpu %g", s.CPUMax)
	}
	if len(s.DropCaps) > 0 {
		out += fmt.Sprintf(" --drop-caps %v", s.DropCaps)
	}
	if len(s.Seccomp) > 0 {
		out += fmt.Sprintf(" --seccomp %v", s.Seccomp)
	}
	return out
}

func stormDescribe(specs []Spec) string {
	out := ""
	for i, s := range specs {
		if i > 0 {
			out += " => "
		}
		out += "[" + stormOne(s) + "]"
	}
	return out
}

// TestFaultStopDuringApply stops the child while an Apply that re-creates it
// is in flight — the Lab's quit key pressed during a toggle. Whatever the
// interleaving, after both calls return nothing may be left running.
func TestFaultStopDuringApply(t *testing.T) {
	faultNeedRoot(t)
	for i, delay := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond} {
		before := takeFaultInventory(t)
		c, err := Start(Spec{MemoryMax: 64 << 20})
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		pids := []int{c.PID()}
		var wg sync.WaitGroup
		var ch Change
		var applyErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A new pid namespace always means a new child.
			ch, applyErr = c.Apply(Spec{Namespaces: []string{NSPID}, MemoryMax: 64 << 20})
		}()
		time.Sleep(delay)
		stopErr := c.Stop()
		wg.Wait()
		if ch.NewPID != 0 {
			pids = append(pids, ch.NewPID)
		}
		// The Lab calls Stop once on quit and never again: that must be enough.
		time.Sleep(50 * time.Millisecond)
		if leaks := before.leaks(takeFaultInventory(t), pids); len(leaks) > 0 {
			t.Errorf("round %d (Stop %v after Apply began; Apply: %+v, err %v; Stop err %v): left on the host: %v",
				i, delay, ch, applyErr, stopErr, leaks)
			c.Stop() // clean up for the next round
		}
	}
}

// TestFaultHostnameAfterCapDrop changes the hostname of a child that has
// dropped cap_sys_admin — a sequence the storm found. sethostname needs that
// capability, so the change cannot be made in place by the child itself; the
// engine must still reach the new hostname (by re-creating the child) rather
// than fail.
func TestFaultHostnameAfterCapDrop(t *testing.T) {
	faultNeedRoot(t)
	before := takeFaultInventory(t)
	c, err := Start(Spec{Namespaces: []string{NSUTS}, Hostname: "procbox-a", DropCaps: []string{"cap_sys_admin"}})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	pids := []int{c.PID()}
	ch, err := c.Apply(Spec{Namespaces: []string{NSUTS}, Hostname: "procbox-b", DropCaps: []string{"cap_sys_admin"}})
	pids = append(pids, c.PID())
	if err != nil {
		t.Errorf("Apply(new hostname) after dropping cap_sys_admin: %v", err)
	} else if v, err := c.ChildView(); err != nil || v.Hostname != "procbox-b" {
		t.Errorf("after Apply %+v the child's hostname is %q (%v), want procbox-b", ch, v.Hostname, err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if leaks := before.leaks(takeFaultInventory(t), pids); len(leaks) > 0 {
		t.Errorf("left on the host: %v", leaks)
	}
}
