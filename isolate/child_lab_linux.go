package isolate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"procbox/internal/termtext"
)

// agentTimeout bounds every question to the agent; experiments stop
// themselves within a few seconds, so this only catches a wedged child.
const agentTimeout = 15 * time.Second

// Child is a live agent child for the Lab and the lessons. Its methods are
// safe for concurrent use; questions to the agent are answered one at a time.
type Child struct {
	// mu serializes questions and changes. lmu guards l and stopped and is
	// never held across a blocking call, so Stop and PID answer at once even
	// while a 3-second experiment holds mu. l changes only with both held.
	mu         sync.Mutex
	lmu        sync.Mutex
	l          *launched
	stopped    bool
	recreating bool // Apply is replacing the child
	spec       Spec
	inPlace    []Step // steps applied to the running child since it started

	// The Lab asks ChildView and HostView back to back and both show the
	// cgroup's numbers: one read serves both within statsShareWindow.
	// Guarded by smu (never held across a question to the agent); Apply and
	// Experiment forget it (limits may change).
	smu      sync.Mutex
	stats    CgroupStats
	statsErr error
	statsAt  time.Time
	statsOf  *Cgroup // the cgroup the cached read is of (Apply may replace it)

	// lastChild is the child's last answer to the view question, guarded by
	// smu. While an experiment keeps the agent busy (a 3-second CPU burn, a
	// fork bomb), ChildView answers with it and fresh cgroup numbers instead
	// of waiting: the side-by-side keeps moving during the experiment.
	lastChild View
	haveLast  bool
	// experimenting is true while Experiment holds mu for its question;
	// guarded by vmu. A view that finds it true answers without mu (no
	// Apply can change the cgroup then), and holds vmu while it reads the
	// cgroup, so Experiment cannot hand mu to an Apply under its feet.
	vmu           sync.Mutex
	experimenting bool
}

// statsShareWindow is how long one cgroup read answers both views: far
// shorter than the Lab's refresh, far longer than the gap between its two asks.
const statsShareWindow = 250 * time.Millisecond

// cgroupStats reads the stats of cg (the child's cgroup), or reuses a read
// made within statsShareWindow.
func (c *Child) cgroupStats(cg *Cgroup) (CgroupStats, error) {
	c.smu.Lock()
	defer c.smu.Unlock()
	if now := time.Now(); c.statsOf != cg || c.statsAt.IsZero() || now.Sub(c.statsAt) > statsShareWindow || now.Before(c.statsAt) {
		c.stats, c.statsErr = cg.Stats()
		c.statsAt, c.statsOf = now, cg
	}
	return c.stats, c.statsErr
}

// forgetStats makes the next cgroupStats read the cgroup again.
func (c *Child) forgetStats() {
	c.smu.Lock()
	c.statsAt = time.Time{}
	c.smu.Unlock()
}

// setExperimenting marks the agent busy with an experiment, or free again.
func (c *Child) setExperimenting(on bool) {
	c.vmu.Lock()
	c.experimenting = on
	c.vmu.Unlock()
}

// Start starts a child isolated as spec says that becomes an agent: it stays
// alive and answers the Lab's questions until Stop.
func Start(spec Spec) (*Child, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := checkLabLimits(spec); err != nil {
		return nil, err
	}
	// The agent's stderr is kept (its last lines) to explain a child that
	// dies: a Go crash prints its reason there.
	tail := &tailWriter{max: 2048}
	l, err := launch(spec, modeAgent, nil, nil, nil, tail)
	if err != nil {
		return nil, err
	}
	l.stderr = tail
	c := &Child{l: l, spec: spec}
	if err := c.awaitReady(); err != nil {
		l.cleanup()
		return nil, err
	}
	return c, nil
}

// awaitReady reads the agent's first line: ready, or why setup failed.
func (c *Child) awaitReady() error {
	c.l.ctl.SetReadDeadline(time.Now().Add(agentTimeout))
	defer c.l.ctl.SetReadDeadline(time.Time{})
	r, err := c.l.readReply()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("the child exited during setup%s", c.l.lastWords())
		}
		return fmt.Errorf("waiting for the child: %w", err)
	}
	if r.Error != "" {
		return errors.New(r.Error)
	}
	if !r.Ready {
		return fmt.Errorf("the child did not say it was ready")
	}
	return nil
}

// call sends one request and reads one response. The caller holds c.mu.
func (c *Child) call(req agentRequest) (agentResponse, error) {
	if c.isStopped() {
		return agentResponse{}, fmt.Errorf("the child was stopped")
	}
	b, _ := json.Marshal(req)
	c.l.ctl.SetDeadline(time.Now().Add(agentTimeout))
	defer c.l.ctl.SetDeadline(time.Time{})
	if _, err := c.l.ctl.Write(append(b, '\n')); err != nil {
		return agentResponse{}, fmt.Errorf("the child is gone: %w%s", err, c.l.lastWords())
	}
	return c.readAnswer()
}

// readAnswer reads one bounded answer. An over-long or malformed one ends
// the child: the channel is out of step, and the child is hostile.
func (c *Child) readAnswer() (agentResponse, error) {
	line, err := readControlLine(c.l.ctlR, maxControlLine)
	if errors.Is(err, errControlTooLong) {
		return agentResponse{}, c.endHostile(err.Error())
	}
	if err != nil {
		return agentResponse{}, fmt.Errorf("the child is gone: %w%s", err, c.l.lastWords())
	}
	var resp agentResponse
	if err := json.Unmarshal(line, &resp); err != nil {
		return resp, c.endHostile("the child sent a malformed answer " + clipForLog(line))
	}
	if resp.Error != "" {
		return resp, errors.New(termtext.Printable(resp.Error))
	}
	return resp, nil
}

// endHostile stops the child (its tree, cgroup and veth go) and returns the
// log line that says why.
func (c *Child) endHostile(why string) error {
	c.lmu.Lock()
	c.stopped = true
	l := c.l
	c.lmu.Unlock()
	l.cleanup()
	return fmt.Errorf("%s: procbox ended the child (pid %d) and removed its cgroup", why, l.cmd.Process.Pid)
}

func (c *Child) isStopped() bool {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	return c.stopped
}

// PID is the agent's PID on the host.
func (c *Child) PID() int {
	c.lmu.Lock()
	defer c.lmu.Unlock()
	return c.l.cmd.Process.Pid
}

// Spec is the spec the child runs with now.
func (c *Child) Spec() Spec {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spec
}

// Steps are the equivalent commands of the current configuration.
func (c *Child) Steps() []Step {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(slices.Clone(c.l.steps), c.inPlace...)
}

// Stop kills the child tree and removes its cgroup and veth. Idempotent.
// It does not wait for a question in progress: killing the child ends it.
func (c *Child) Stop() error {
	c.lmu.Lock()
	c.stopped = true
	l, recreating := c.l, c.recreating
	c.lmu.Unlock()
	err := l.cleanup()
	if recreating {
		// Apply is starting a new child; it sees stopped and removes it.
		// Wait for that, so nothing outlives Stop.
		c.mu.Lock()
		c.mu.Unlock()
	}
	return err
}

// CleanupNotes name the foreign processes the last cleanup moved out of the
// child's cgroup instead of killing them (empty before Stop).
func (c *Child) CleanupNotes() []string {
	c.lmu.Lock()
	l, stopped := c.l, c.stopped
	c.lmu.Unlock()
	if !stopped {
		return nil
	}
	l.cleanup() // done already: this only waits for it to have finished
	return slices.Clone(l.notes)
}

// ChildView asks the agent the Lab's questions from inside. While an
// experiment holds the agent (it runs for seconds), it answers at once with
// the child's last view and the cgroup's numbers read now.
func (c *Child) ChildView() (View, error) {
	c.vmu.Lock()
	if c.experimenting {
		c.smu.Lock()
		v, ok := c.lastChild, c.haveLast
		c.smu.Unlock()
		if ok {
			v.Limits = c.limitsNow()
			c.vmu.Unlock()
			return v, nil
		}
	}
	c.vmu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	resp, err := c.call(agentRequest{Op: "view"})
	if err != nil || resp.View == nil {
		return View{Side: "child"}, err
	}
	// Everything in the answer is the child's to choose: escaped for the terminal.
	v := resp.View.Printable()
	// Limits are a property of the cgroup, not of a side; the agent may not
	// even have the cgroup filesystem mounted, so both sides show the host's read.
	v.Limits = c.limitsNow()
	c.smu.Lock()
	c.lastChild, c.haveLast = v, true
	c.smu.Unlock()
	return v, nil
}

// HostView answers the same questions from procbox's side: the host's
// hostname, processes, interfaces and mounts, the child's PID and cgroup as
// the host sees them, and procbox's own credentials, caps and namespaces.
// It asks the agent nothing, so it does not wait for an experiment.
func (c *Child) HostView() (View, error) {
	// Host processes choose their names too.
	v := gatherView("host").Printable()
	c.vmu.Lock()
	if c.experimenting {
		defer c.vmu.Unlock()
		c.hostSide(&v)
		return v, nil
	}
	c.vmu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hostSide(&v)
	return v, nil
}

// hostSide adds the child's PID and cgroup as the host sees them. The caller
// holds mu, or vmu while an experiment runs: either keeps Apply away.
func (c *Child) hostSide(v *View) {
	v.PID = c.l.cmd.Process.Pid
	if c.l.cg != nil {
		v.CgroupPath = c.l.cg.Path()
	}
	v.Limits = c.limitsNow()
}

// limitsNow is the child's cgroup read, or, when procbox made none (no
// limit asked), stats that say nothing was counted rather than zeros. The
// caller holds mu, or vmu while an experiment runs.
func (c *Child) limitsNow() CgroupStats {
	if c.l.cg == nil {
		return NoCgroupStats()
	}
	s, _ := c.cgroupStats(c.l.cg)
	return s
}

// isExperimenting reports whether an experiment holds the agent now.
func (c *Child) isExperimenting() bool {
	c.vmu.Lock()
	defer c.vmu.Unlock()
	return c.experimenting
}

// Experiment runs one experiment inside the child. The host side adds what
// only it can see: the cgroup's OOM kill counter and CPU throttling.
func (c *Child) Experiment(name string) (Outcome, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setExperimenting(true)
	defer c.setExperimenting(false) // before mu goes: see vmu
	c.forgetStats()
	var before CgroupStats
	if c.l.cg != nil {
		before, _ = c.l.cg.Stats()
	}
	resp, err := c.call(agentRequest{Op: "experiment", Name: name})
	if err != nil || resp.Outcome == nil {
		return Outcome{Experiment: name}, err
	}
	o := resp.Outcome.Printable()
	if c.l.cg != nil {
		after, _ := c.l.cg.Stats()
		switch name {
		case ExpMemoryHog:
			if after.OOMKills > before.OOMKills {
				o.OOMKilled = true
			} else if o.OOMKilled && after.OOMKills == before.OOMKills && after.Version != "" {
				// SIGKILL without an OOM kill counted: say so rather than guess.
				o.Summary += " (SIGKILL; the cgroup counted no OOM kill)"
			}
		case ExpCPUBurner:
			d := after.ThrottledUsec - before.ThrottledUsec
			o.Summary = fmt.Sprintf("cpuburn: busy for 3 s, throttled %d times for %.2f s in total",
				after.NrThrottled-before.NrThrottled, float64(d)/1e6)
			if d > 0 {
				o.Cause = fmt.Sprintf("cpu quota %.2g", c.spec.CPUMax)
			}
		}
	}
	return o, nil
}

// Apply moves the child to spec: in place where the kernel allows it on a
// running process, otherwise by replacing the child, and says which and why.
func (c *Child) Apply(spec Spec) (Change, error) {
	if err := spec.Validate(); err != nil {
		return Change{}, err
	}
	if err := checkLabLimits(spec); err != nil {
		return Change{}, err
	}
	// The lock is held through a re-creation too: a Stop that comes in
	// meanwhile waits, then stops the new child, so nothing is left behind.
	c.mu.Lock()
	defer c.mu.Unlock()
	// A view that does not wait for mu may have read the cgroup while the
	// change was half made: forget that read when the change is complete.
	defer c.forgetStats()
	c.forgetStats()
	if c.isStopped() {
		return Change{}, fmt.Errorf("the child was stopped")
	}
	old := c.spec
	oldPID := c.l.cmd.Process.Pid
	why := recreateReason(old, spec)
	limits := old.MemoryMax != spec.MemoryMax || old.PidsMax != spec.PidsMax || old.CPUMax != spec.CPUMax
	if why != "" {
		c.lmu.Lock()
		c.recreating = true
		c.lmu.Unlock()
		c.l.cleanup()
		// Foreign processes the old child had moved into its cgroup were
		// moved out, not killed: the Lab's log says so.
		moved := ""
		if len(c.l.notes) > 0 {
			moved = "; cleanup: " + strings.Join(c.l.notes, "; ")
		}
		n, err := Start(spec)
		c.lmu.Lock()
		c.recreating = false
		if err != nil {
			c.stopped = true
			c.lmu.Unlock()
			return Change{Recreate: true, Why: why, OldPID: oldPID}, fmt.Errorf("re-creating the child: %w", err)
		}
		if c.stopped {
			// Stop came in while the new child started: it must not outlive Stop.
			c.lmu.Unlock()
			n.l.cleanup()
			return Change{Recreate: true, Why: why, OldPID: oldPID}, fmt.Errorf("the child was stopped")
		}
		c.l = n.l
		c.lmu.Unlock()
		c.spec, c.inPlace = spec, nil
		return Change{Recreate: true, What: "child re-created" + moved, Why: why, OldPID: oldPID, NewPID: c.l.cmd.Process.Pid}, nil
	}
	var what []string
	if limits && c.l.cg == nil {
		steps, err := c.l.joinNewCgroup(spec)
		c.inPlace = append(c.inPlace, steps...)
		if err != nil {
			return Change{}, err
		}
		what = append(what, "a cgroup made and the child moved into it, in place")
	} else if limits {
		steps, err := c.l.cg.Update(spec)
		c.inPlace = append(c.inPlace, steps...)
		if err != nil {
			return Change{}, err
		}
		what = append(what, "cgroup limits changed in place")
	}
	if spec.Hostname != old.Hostname {
		if _, err := c.call(agentRequest{Op: "hostname", Hostname: spec.Hostname}); err != nil {
			return Change{}, err
		}
		c.inPlace = append(c.inPlace, Step{What: "new hostname inside", Command: "hostname " + spec.Hostname})
		what = append(what, "hostname changed in place")
	}
	if add := added(old.Seccomp, spec.Seccomp); len(add) > 0 {
		if _, err := c.call(agentRequest{Op: "seccomp", Syscalls: add}); err != nil {
			return Change{}, err
		}
		c.inPlace = append(c.inPlace, Step{What: "one more seccomp filter, on every thread (TSYNC)",
			Command: "# seccomp(SECCOMP_SET_MODE_FILTER, TSYNC, deny " + strings.Join(expandSyscalls(add), ",") + " -> EPERM)"})
		what = append(what, "seccomp filter added in place")
	}
	if add := added(old.DropCaps, spec.DropCaps); len(add) > 0 {
		if _, err := c.call(agentRequest{Op: "dropcaps", Caps: add}); err != nil {
			return Change{}, err
		}
		// The agent re-executes itself with the smaller sets; same PID.
		if err := c.awaitReady(); err != nil {
			return Change{}, err
		}
		c.inPlace = append(c.inPlace, Step{What: "capabilities dropped by the child itself",
			Command: "capsh --drop=" + strings.Join(add, ",") + " --"})
		what = append(what, "capabilities dropped in place")
	}
	c.spec = spec
	if len(what) == 0 {
		what = append(what, "nothing to change")
	}
	return Change{InPlace: true, What: strings.Join(what, "; "), OldPID: oldPID, NewPID: oldPID}, nil
}

// recreateReason says why spec cannot reach a child started with old in
// place, or "" when it can.
func recreateReason(old, spec Spec) string {
	for _, ns := range AllNamespaces {
		if spec.Has(ns) && !old.Has(ns) {
			switch ns {
			case NSPID:
				return "a new pid namespace only applies to new processes"
			case NSUser:
				return "user namespaces need a single-threaded caller (Go is multi-threaded)"
			case NSTime:
				return "a new time namespace only applies to new processes"
			default:
				return "unshare(" + ns + ") in a running Go program changes one thread only; a new child gets it on every thread"
			}
		}
		if old.Has(ns) && !spec.Has(ns) {
			return "a process cannot leave its " + ns + " namespace for the host's again"
		}
	}
	if len(added(spec.DropCaps, old.DropCaps)) > 0 {
		return "caps cannot be regained once dropped"
	}
	if len(added(spec.Seccomp, old.Seccomp)) > 0 {
		return "seccomp filters can only be added, never removed"
	}
	if spec.MapRoot != old.MapRoot || spec.MapRootTo != old.MapRootTo {
		return "a user namespace's uid map can be written only once"
	}
	if spec.TimeOffset != old.TimeOffset {
		return "clock offsets can only be set before any process enters the time namespace"
	}
	if spec.Rootfs != old.Rootfs {
		return "the root filesystem is chosen once, by pivot_root at start"
	}
	if spec.Veth != old.Veth {
		return "the veth pair is set up when the child starts"
	}
	if spec.Hostname != old.Hostname && old.Hostname != "" && spec.Hostname == "" {
		return "the original hostname inside is set when the child starts"
	}
	// What the child would do to itself needs privileges it may no longer have.
	powerless := old.Has(NSUser) && !old.MapRoot
	if spec.Hostname != old.Hostname {
		if powerless {
			return "the child has no capabilities to rename itself (user namespace without --map-root)"
		}
		if slices.Contains(old.DropCaps, "cap_sys_admin") {
			return "the child dropped cap_sys_admin, which sethostname needs"
		}
	}
	if len(added(old.DropCaps, spec.DropCaps)) > 0 {
		if powerless {
			return "the child has no capabilities left to drop (user namespace without --map-root)"
		}
		if slices.Contains(old.DropCaps, "cap_setpcap") {
			return "the child dropped cap_setpcap, which dropping from the bounding set needs"
		}
	}
	return ""
}

// added lists what is in b but not in a.
func added(a, b []string) []string {
	var out []string
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if len(w.buf) > w.max {
		w.buf = w.buf[len(w.buf)-w.max:]
	}
	return len(p), nil
}

// lastLine is the last non-empty line written, or "".
func (w *tailWriter) lastLine() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(w.buf)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// joinNewCgroup gives a running child its first cgroup, when its first limit
// is set in the Lab: procbox makes a cgroup only where a limit is asked for
// (below its own cgroup, cgroup_parent_linux.go), and a process may be moved
// between cgroups at any time, so no new child is needed.
func (l *launched) joinNewCgroup(spec Spec) ([]Step, error) {
	layout, err := DetectCgroups(cgroupRoot)
	if err != nil {
		return nil, err
	}
	if layout.Mode == CgroupNone {
		return nil, fmt.Errorf("cgroup limits need a cgroup filesystem under %s", cgroupRoot)
	}
	cg, steps, err := NewCgroup(layout, spec)
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	if l.proof != nil {
		cg.setProof(l.proof)
	}
	st, err := cg.AddProc(l.cmd.Process.Pid)
	if err != nil {
		cg.Remove()
		return steps, fmt.Errorf("cgroup: %w", err)
	}
	l.cg = cg
	return append(steps, st), nil
}
