package isolate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Run runs argv in a child isolated as spec says, with stdin, stdout and
// stderr passed through, and waits for it. SIGINT, SIGTERM, SIGHUP and
// SIGQUIT received meanwhile reach the child (see the loop below for how).
// Everything created for the child (its cgroup, veth, leftover processes) is
// removed before Run returns, whatever happened, panics included.
func Run(spec Spec, argv []string, stdin io.Reader, stdout, stderr io.Writer) (res Result, err error) {
	if len(argv) == 0 {
		return res, fmt.Errorf("no command to run")
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)

	l, err := launch(spec, modeRun, argv, stdin, stdout, stderr)
	if err != nil {
		return res, err
	}
	reaper := int(reaperPID.Load())
	if reaper != 0 && l.proof != nil {
		l.proof.reaper = reaper
	}
	defer func() {
		// What the tree left reparented to us, killed and reaped: before the
		// cleanup, so no zombie keeps the cgroup, and after it, for what the
		// child still had when cleanup killed it.
		if reaper != 0 {
			reapOrphans(l.cmd.Process.Pid)
		}
		if cerr := l.cleanup(); cerr != nil && err == nil {
			err = fmt.Errorf("cleanup: %w", cerr)
		}
		if reaper != 0 {
			reapOrphans(l.cmd.Process.Pid)
		}
		res.Foreign = l.notes
	}()

	// The socket closes when the child's exec succeeds; a line means setup
	// failed. Read it aside, so a signal during the child's setup still counts.
	type replyMsg struct {
		r   childReply
		err error
	}
	replies := make(chan replyMsg, 1)
	go func() {
		r, err := l.readReply()
		replies <- replyMsg{r, err}
	}()

	// Signals. The command is in a session of its own, so nothing the
	// caller's terminal sends reaches it directly: a signal procbox gets is
	// passed on. With its own terminal, Ctrl-C and Ctrl-\ are bytes that
	// terminal turns into SIGINT and SIGQUIT for its foreground job. A
	// command that is PID 1 of a pid namespace never gets a signal it has no
	// handler for (init's protection), so there procbox sends SIGKILL at once:
	// Ctrl-C must always end `procbox run`. A second SIGTERM or SIGHUP means
	// it, too.
	var intr chan byte
	if l.term != nil {
		intr = l.term.intr
	}
	terms := 0
	var setupErr error
	gotReply := false
	for done := false; !done; {
		select {
		case m := <-replies:
			gotReply = true
			if m.err == nil && m.r.Error != "" {
				setupErr = replyError(m.r)
			} else if m.err != nil && !errors.Is(m.err, io.EOF) && !errors.Is(m.err, os.ErrClosed) {
				setupErr = fmt.Errorf("waiting for the child: %w", m.err)
			} else if err := l.tightenLimits(); err != nil {
				// The command runs, but not under the limits asked: stop it.
				setupErr = fmt.Errorf("cgroup: setting the asked limits: %w", err)
				l.signal(syscall.SIGKILL)
			}
		case c := <-intr:
			// Typed Ctrl-C (or Ctrl-\): the child's terminal delivers it,
			// except to a pid namespace's init without a handler.
			ssig := syscall.SIGINT
			if t, err := unix.IoctlGetTermios(int(l.term.master.Fd()), unix.TCGETS); err == nil && c == t.Cc[unix.VQUIT] {
				ssig = syscall.SIGQUIT
			}
			pid := l.cmd.Process.Pid
			if spec.Has(NSPID) && l.term.foreground() == pid && !catches(pid, ssig) {
				l.signal(syscall.SIGKILL)
			}
		case sig := <-sigs:
			ssig, _ := sig.(syscall.Signal)
			if ssig == syscall.SIGTERM || ssig == syscall.SIGHUP {
				terms++
			}
			switch {
			case terms > 1:
				l.signal(syscall.SIGKILL)
			case spec.Has(NSPID) && !catches(l.cmd.Process.Pid, ssig):
				l.signal(syscall.SIGKILL)
			default:
				l.signal(sig)
			}
		case <-l.waited:
			done = true
		}
	}
	if l.term != nil {
		// Everything the command wrote before it exited reaches the caller,
		// then the caller's terminal is restored.
		l.term.Close(ptyDrain)
	}
	if !gotReply {
		// The child may have exited before its reply was read.
		select {
		case m := <-replies:
			if m.err == nil && m.r.Error != "" {
				setupErr = replyError(m.r)
			}
		case <-time.After(time.Second):
		}
	}
	res.Steps = l.steps
	if setupErr != nil {
		var ce *CommandError
		if errors.As(setupErr, &ce) {
			res.ExitCode = ce.Code
		}
		return res, setupErr
	}

	counted := false // the cgroup counts OOM kills itself
	if l.cg != nil {
		res.HasCgroup = true
		res.Stats, _ = l.cg.Stats()
		if ev, eerr := l.cg.Events(); eerr == nil {
			res.ForkFailures = ev.PidsMaxHits
			res.OOMKilled = ev.OOMKills > 0
			counted = true
		}
	}
	st := l.state
	if st == nil {
		return res, fmt.Errorf("child: %v", l.werr)
	}
	res.PeakMemory = peakRSS(st)
	res.ExitCode = st.ExitCode()
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Signal = ws.Signal().String()
		res.ExitCode = 128 + int(ws.Signal())
		if !counted && ws.Signal() == syscall.SIGKILL && spec.MemoryMax > 0 && res.PeakMemory >= spec.MemoryMax*9/10 {
			// Hosts without an oom_kill counter: a SIGKILL at the limit is the OOM killer.
			res.OOMKilled = true
		}
	}
	return res, nil
}

// ptyDrain bounds how long procbox keeps copying the child's terminal output
// after the child has exited: a process the command left behind may hold
// that terminal open for ever.
const ptyDrain = time.Second

// peakRSS is the largest resident set of the child or any descendant it
// waited for, in bytes (ru_maxrss is in KiB on Linux).
func peakRSS(st *os.ProcessState) int64 {
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}

// CommandError says the command itself could not be run (not found, not
// executable); Code is the status a shell would give (127, 126).
type CommandError struct {
	Code int
	Msg  string
}

func (e *CommandError) Error() string { return e.Msg }

func replyError(r childReply) error {
	if r.Code == 126 || r.Code == 127 {
		return &CommandError{Code: r.Code, Msg: r.Error}
	}
	return errors.New(r.Error)
}

// catches reports whether process pid has a handler for sig (SigCgt in
// /proc/PID/status).
func catches(pid int, sig syscall.Signal) bool {
	st, err := readStatusOf(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false
	}
	mask, err := strconv.ParseUint(st["SigCgt"], 16, 64)
	if err != nil || sig < 1 || sig > 64 {
		return false
	}
	return mask&(1<<(uint(sig)-1)) != 0
}
