package isolate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// launched is a started child with everything procbox created for it. Run
// and Start share it; cleanup undoes it all and is safe to call twice.
type launched struct {
	spec   Spec
	cmd    *exec.Cmd
	ctl    *os.File      // our end of the control socket
	ctlR   *bufio.Reader // reads ctl
	cg     *Cgroup       // nil without cgroups
	veth   *Veth         // nil without --veth
	stderr *tailWriter   // the agent's stderr, when kept
	term   *ptyRelay     // run mode with a terminal: the child's own terminal, relayed
	// relaxed: the cgroup was created with larger limits than asked, to be
	// lowered once the command runs.
	relaxed bool
	// bornIn: on v1, the thread that forks the child joins this cgroup for
	// the fork, so the child starts inside it (see Cgroup.joinThread).
	bornIn *Cgroup
	steps  []Step        // what was done, as shell commands
	waited chan struct{} // closed when the child has been reaped
	state  *os.ProcessState
	werr   error

	proof      *treeProof // tells the child's processes from foreign ones
	treeRecord string     // the ownTree line claimed in the lock file
	notes      []string   // foreign processes cleanup moved out

	cleanOnce sync.Once
	cleanErr  error
}

// launch creates the cgroup, starts the child from a locked OS thread, places
// it, sets up the veth and sends the spec and "go". On error everything it
// created is gone again.
func launch(spec Spec, mode string, argv []string, stdin io.Reader, stdout, stderr io.Writer) (l *launched, err error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if err := privilegeRefused(spec); err != nil {
		return nil, err
	}
	l = &launched{spec: spec, waited: make(chan struct{})}
	defer func() {
		if err != nil {
			l.cleanup()
			l = nil
		}
	}()
	l.steps = namespaceSteps(spec)
	if spec.Has(NSMnt) && os.Geteuid() == 0 {
		// The lock directory must exist before the child starts, so the
		// child finds it masked (readonly_linux.go) instead of free to make
		// and fill with forged lock files.
		_ = ownerDirOpen(OwnerDir())
	}

	layout, lerr := DetectCgroups(cgroupRoot)
	// A SIGKILLed procbox leaves cgroups and veths behind; the next start
	// removes what the dead owners' lock files list (owner_linux.go). That
	// touches nothing of ours, so it runs while this child is being set up.
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		SweepOwned(false, false)
	}()
	defer func() { <-swept }()
	wantLimits := spec.MemoryMax > 0 || spec.PidsMax > 0 || spec.CPUMax > 0
	// A cgroup only where a limit is asked for, below the caller's own: every
	// limit the caller is under still holds (cgroup_parent_linux.go).
	if wantLimits && lerr == nil && layout.Mode != CgroupNone {
		// For `run`, tiny limits wait until the command is exec'd (see
		// tightenLimits); the Go child could not set itself up under them.
		first := spec
		if mode == modeRun {
			first, l.relaxed = setupLimits(spec)
		}
		cg, steps, cerr := NewCgroup(layout, first)
		switch {
		case cerr == nil:
			l.cg = cg
			l.steps = append(l.steps, steps...)
		case (errors.Is(cerr, os.ErrPermission) || errors.Is(cerr, unix.EROFS)) && os.Geteuid() != 0:
			return l, fmt.Errorf("cgroup limits need root or a delegated cgroup (%w)", cerr)
		default:
			return l, fmt.Errorf("cgroup: %w", cerr)
		}
	} else if wantLimits {
		return l, fmt.Errorf("cgroup limits need a cgroup filesystem under %s", cgroupRoot)
	}

	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return l, fmt.Errorf("socketpair: %w", err)
	}
	// Non-blocking, so os.File puts it in the poller and deadlines work.
	if err := unix.SetNonblock(pair[0], true); err != nil {
		unix.Close(pair[0])
		unix.Close(pair[1])
		return l, fmt.Errorf("socketpair: %w", err)
	}
	l.ctl = os.NewFile(uintptr(pair[0]), "procbox-control")
	l.ctlR = bufio.NewReaderSize(l.ctl, 4096)
	childEnd := os.NewFile(uintptr(pair[1]), "procbox-control-child")
	defer childEnd.Close()

	cmd := command(spec, mode, argv)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	// With a non-file stdout or stderr, Wait also waits for everything that
	// inherited the pipe; a forgotten grandchild must not hold up cleanup.
	cmd.WaitDelay = time.Second
	cmd.ExtraFiles = []*os.File{childEnd}
	var master, slave *os.File
	if mode == modeRun {
		stdio := stdioFiles(stdin, stdout, stderr)
		if master, slave, err = runTerminal(cmd, stdio); err != nil {
			return l, err
		}
		if slave != nil {
			defer slave.Close()
			// Until the relay owns it (or if the start fails).
			defer func() {
				if l.term == nil {
					master.Close()
				}
			}()
		}
		l.steps = append(l.steps, terminalStep(master != nil))
	}
	// A pids limit below what the Go child needs is written by the child itself
	// just before exec (execTightening), through this descriptor.
	pidsMaxFD := 0
	if l.relaxed && l.cg != nil && spec.PidsMax > 0 && spec.PidsMax < runSetupPids {
		if p := l.cg.pidsMaxFile(); p != "" {
			if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
				defer f.Close()
				cmd.ExtraFiles = append(cmd.ExtraFiles, f)
				pidsMaxFD = controlFD + len(cmd.ExtraFiles) - 1
			}
		}
	}
	placed := false
	if l.cg != nil {
		fd, ok, ferr := l.cg.DirFD()
		if ferr != nil {
			return l, ferr
		}
		if ok {
			// v2: clone3 starts the child inside its cgroup already.
			defer unix.Close(fd)
			cmd.SysProcAttr.UseCgroupFD = true
			cmd.SysProcAttr.CgroupFD = fd
			placed = true
			if dirs := l.cg.Dirs(); len(dirs) > 0 {
				l.steps = append(l.steps, Step{What: "the child is born in its cgroup (clone3 with CLONE_INTO_CGROUP)",
					Command: "sh -c 'echo $$ > " + dirs[0] + "/cgroup.procs && exec CMD'"})
			}
		}
	}
	if l.cg != nil && !placed && l.cg.canBearChild() {
		l.bornIn = l.cg
	}
	l.cmd = cmd
	if err := l.start(); err != nil {
		return l, err
	}
	childEnd.Close()
	if master != nil {
		// Our copy of the child's terminal must go, or reading the master
		// would never end when the child has exited.
		slave.Close()
		stdio := stdioFiles(stdin, stdout, stderr)
		var in, out *os.File
		if fileIsTerminal(stdio[0]) {
			in = stdio[0]
		}
		for _, f := range []*os.File{stdio[1], stdio[2], stdio[0]} {
			if out == nil && fileIsTerminal(f) {
				out = f
			}
		}
		if l.term, err = startPTYRelay(master, in, out); err != nil {
			return l, fmt.Errorf("relaying the child's terminal: %w", err)
		}
	}
	pid := cmd.Process.Pid
	// What proves a process is the child's, for cleanup (tree_linux.go);
	// the session part goes in the lock file for a sweep after a SIGKILL.
	l.proof = newTreeProof(pid)
	if rec := l.proof.record(); rec != "" && l.cg != nil {
		// Only a cgroup can hold what a sweep must judge: a run without one
		// makes no lock file at all.
		if err := Claim(ownTree, rec); err != nil {
			return l, err
		}
		l.treeRecord = rec
	}
	if l.cg != nil {
		l.cg.setProof(l.proof)
	}
	if l.bornIn != nil {
		placed = true
		add := l.cg.addProcStep("$$")
		l.steps = append(l.steps, Step{What: "the child is born in its cgroup (the thread that forks it joins the cgroup first)",
			Command: "sh -c '" + add.Command + " && exec CMD'"})
	}

	if l.cg != nil && !placed {
		step, aerr := l.cg.AddProc(pid)
		if aerr != nil {
			return l, fmt.Errorf("cgroup: %w", aerr)
		}
		l.steps = append(l.steps, step)
	}
	if spec.Veth {
		v, steps, verr := SetupVeth(pid)
		if verr != nil {
			return l, fmt.Errorf("veth: %w", verr)
		}
		l.veth = v
		l.steps = append(l.steps, steps...)
	}
	l.steps = append(l.steps, childSetupSteps(spec)...)
	if spec.Veth {
		// childSetupSteps predicts the veth commands; the real ones came from SetupVeth.
		l.steps = withoutPredictedVeth(l.steps)
	}

	b, err := json.Marshal(childInit{Spec: spec, HostPID: os.Getpid(), PidsMaxFD: pidsMaxFD})
	if err != nil {
		return l, fmt.Errorf("encoding the spec: %w", err)
	}
	if _, err := l.ctl.Write(append(b, '\n')); err != nil {
		return l, fmt.Errorf("sending the spec: %w", err)
	}
	if _, err := l.ctl.Write([]byte("go\n")); err != nil {
		return l, fmt.Errorf("releasing the child: %w", err)
	}
	return l, nil
}

// start runs cmd.Start and cmd.Wait on one goroutine locked to its OS thread
// and never unlocked: Pdeathsig fires when the thread that started the child
// exits, so that thread must live exactly as long as the child. (Go would
// otherwise reuse or retire the thread under the child's feet.)
func (l *launched) start() error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: when this goroutine returns, Go ends the thread.
		var leave func() error
		if l.bornIn != nil {
			var err error
			if leave, err = l.bornIn.joinThread(); err != nil {
				// launch moves the child in afterwards instead, the slow way,
				// which reports the error if it is the cgroup's fault.
				l.bornIn, leave = nil, nil
			}
		}
		err := startUntraceable(l.cmd)
		if leave != nil {
			if lerr := leave(); lerr != nil {
				// This thread is stuck in the child's cgroup, which could then
				// never be removed. Ending the thread takes it out; Pdeathsig
				// kills the child with it, which the cleanup expects anyway.
				if err == nil {
					go func() {
						l.werr = l.cmd.Wait()
						l.state = l.cmd.ProcessState
						close(l.waited)
					}()
					started <- fmt.Errorf("cgroup: %w", lerr)
					return
				}
				err = errors.Join(err, lerr)
			}
		}
		if err != nil {
			started <- err
			close(l.waited)
			return
		}
		started <- nil
		l.werr = l.cmd.Wait()
		l.state = l.cmd.ProcessState
		close(l.waited)
	}()
	if err := <-started; err != nil {
		if errors.Is(err, os.ErrPermission) && os.Geteuid() != 0 {
			if l.spec.Has(NSUser) {
				return fmt.Errorf("starting the child: %w (this host does not let unprivileged users create these namespaces; see procbox doctor)", err)
			}
			return fmt.Errorf("starting the child: %w (namespaces need root, or add --ns user --map-root)", err)
		}
		return fmt.Errorf("starting the child: %w", err)
	}
	return nil
}

// readReply reads one line from the child. io.EOF means the child closed the
// socket: in run mode, that its exec succeeded.
func (l *launched) readReply() (childReply, error) {
	line, err := readControlLine(l.ctlR, maxControlLine)
	if errors.Is(err, errControlTooLong) {
		l.signal(syscall.SIGKILL)
		return childReply{}, fmt.Errorf("%w: ended it", err)
	}
	if err != nil {
		return childReply{}, err
	}
	var r childReply
	if err := json.Unmarshal(line, &r); err != nil {
		l.signal(syscall.SIGKILL)
		return childReply{}, fmt.Errorf("bad reply from the child, ended it: %s", clipForLog(line))
	}
	return r, nil
}

// signal sends sig to the child if it still runs.
func (l *launched) signal(sig os.Signal) {
	select {
	case <-l.waited:
	default:
		if l.cmd != nil && l.cmd.Process != nil {
			l.cmd.Process.Signal(sig)
		}
	}
}

// cleanup kills the child's own tree, moves anything foreign out of its
// cgroup, then removes the cgroup and the veth. Safe to call twice and from
// any goroutine.
//
// The cgroup is emptied while the child still lives, so its descendants can
// still be told by their parent chain; then the child itself goes (if it
// was not in its cgroup any more). With a pid namespace, killing the child
// (its init) makes the kernel kill the rest.
func (l *launched) cleanup() error {
	l.cleanOnce.Do(func() {
		var errs []error
		if l.proof != nil && l.proof.pidNS == 0 {
			// No pid namespace to take the tree down with its init: find
			// the tree's processes wherever they are (a root child may move
			// them out of its cgroup; with no limit there is no cgroup).
			killDescendants(l.proof)
		}
		if l.cg != nil {
			if err := l.cg.Remove(); err != nil {
				errs = append(errs, fmt.Errorf("cgroup: %w", err))
			}
			l.notes = append(l.notes, l.cg.Notes()...)
		}
		if l.cmd != nil && l.cmd.Process != nil {
			l.signal(syscall.SIGKILL)
			<-l.waited
		}
		if l.ctl != nil {
			l.ctl.Close()
		}
		if l.term != nil {
			// Run has normally drained it already; this puts the caller's
			// terminal back on every other way out.
			l.term.Close(ptyDrain)
		}
		if l.veth != nil {
			if err := l.veth.Remove(); err != nil {
				errs = append(errs, fmt.Errorf("veth: %w", err))
			} else if err := waitLinkGone(l.veth.HostName(), 3*time.Second); err != nil {
				errs = append(errs, err)
			}
		}
		if l.treeRecord != "" {
			Unclaim(ownTree, l.treeRecord)
		}
		l.cleanErr = errors.Join(errs...)
	})
	return l.cleanErr
}

// withoutPredictedVeth drops the veth commands childSetupSteps predicts once
// SetupVeth has returned the real ones.
func withoutPredictedVeth(steps []Step) []Step {
	var out []Step
	for _, s := range steps {
		if strings.Contains(s.Command, "pbxPID") || strings.Contains(s.Command, "10.200.X.") {
			continue
		}
		out = append(out, s)
	}
	return out
}

// waitLinkGone waits until a link has left the host. The kernel tears down a
// dead child's network namespace in the background, and the veth's host end
// can outlive the delete call by a few milliseconds.
func waitLinkGone(name string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if _, err := net.InterfaceByName(name); err != nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("veth %s is still there after %s", name, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lastWords is ": " plus the child's last stderr line, or "" — the reason a
// Go child that crashed gives.
func (l *launched) lastWords() string {
	if l.stderr == nil {
		return ""
	}
	select {
	case <-l.waited:
	case <-time.After(200 * time.Millisecond):
	}
	if line := l.stderr.lastLine(); line != "" {
		return " (" + line + ")"
	}
	return ""
}

// tightenLimits writes the limits asked for, once the command has been
// exec'd: from then on only the command counts against them. (It may have
// run for some microseconds under the setup limits.)
func (l *launched) tightenLimits() error {
	if !l.relaxed || l.cg == nil {
		return nil
	}
	steps, err := l.cg.Update(l.spec)
	for i := range steps {
		steps[i].What += " (now that CMD runs: procbox's own setup, a Go program, needed more)"
	}
	l.steps = append(l.steps, steps...)
	l.relaxed = false
	return err
}
