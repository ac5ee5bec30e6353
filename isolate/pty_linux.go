package isolate

// The child's own pseudo-terminal. A process that holds a descriptor of the
// caller's terminal can push bytes into its input queue with ioctl TIOCSTI
// (CVE-2017-5226 for bwrap) when that terminal is its controlling terminal, or
// whenever it has CAP_SYS_ADMIN: after procbox exits, the caller's shell would
// read them as typed commands. So the child never gets the caller's terminal.
// It gets a new pseudo-terminal as controlling terminal of a new session
// (what `docker run -t` and runc's "terminal": true do), and procbox relays
// bytes between the two, with the caller's terminal in raw mode: Ctrl-C is
// then a byte that the child's terminal turns into SIGINT for the child's
// foreground job, and job control works inside. TIOCSTI from the child only
// reaches its own terminal. See pty(7), ioctl_tty(2), termios(3).

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a new pseudo-terminal pair. The slave is opened through the
// master (TIOCGPTPEER), so no path under /dev/pts is involved, and without
// O_NOCTTY being needed by the caller: the child makes it its controlling
// terminal itself (Setctty). The master is non-blocking, so Go's poller
// serves it and read deadlines work.
func openPTY() (master, slave *os.File, err error) {
	m, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil { // unlockpt(3)
		unix.Close(m)
		return nil, nil, err
	}
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER,
		uintptr(unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC))
	if errno != 0 {
		unix.Close(m)
		return nil, nil, errno
	}
	return os.NewFile(uintptr(m), "/dev/ptmx"), os.NewFile(s, "pty-slave"), nil
}

// fileIsTerminal reports whether f is a terminal.
func fileIsTerminal(f *os.File) bool {
	if f == nil {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// makeRaw turns off every kind of input and output processing, like
// cfmakeraw(3): the caller's terminal then passes each key as it comes, and
// the child's terminal does the processing (echo, line editing, Ctrl-C).
func makeRaw(t *unix.Termios) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
}

// ptyRelay copies the caller's terminal input to the child's pseudo-terminal
// and its output back, forwards window size changes, and puts the caller's
// terminal back as it was when it stops.
type ptyRelay struct {
	master *os.File
	in     *os.File // caller's stdin when it is a terminal, else nil
	out    *os.File // where the child's terminal output goes
	saved  *unix.Termios

	// intr receives the child terminal's interrupt or quit character each
	// time the caller types it (see Run: a pid namespace's init ignores it).
	intr chan byte

	wake      [2]int // a pipe that stops the input loop
	inDone    chan struct{}
	outDone   chan struct{}
	winch     chan os.Signal
	closeOnce sync.Once
	restore   sync.Once
}

// startPTYRelay starts relaying. in may be nil (stdin is not a terminal and
// goes to the child directly). The child's terminal starts with the caller's
// terminal settings and window size, so it behaves like the one it replaces.
func startPTYRelay(master, in, out *os.File) (*ptyRelay, error) {
	r := &ptyRelay{master: master, out: out, intr: make(chan byte, 8),
		inDone: make(chan struct{}), outDone: make(chan struct{})}
	ref := in
	if ref == nil {
		ref = out
	}
	if t, err := unix.IoctlGetTermios(int(ref.Fd()), unix.TCGETS); err == nil {
		_ = unix.IoctlSetTermios(int(master.Fd()), unix.TCSETS, t)
	}
	r.resize(ref)
	if in != nil {
		saved, err := unix.IoctlGetTermios(int(in.Fd()), unix.TCGETS)
		if err != nil {
			return nil, err
		}
		raw := *saved
		makeRaw(&raw)
		if err := unix.IoctlSetTermios(int(in.Fd()), unix.TCSETSW, &raw); err != nil {
			return nil, err
		}
		r.in, r.saved = in, saved
		if err := unix.Pipe2(r.wake[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
			r.restoreTerminal()
			return nil, err
		}
		go r.input()
	} else {
		close(r.inDone)
	}
	r.winch = make(chan os.Signal, 1)
	signal.Notify(r.winch, syscall.SIGWINCH)
	go func() {
		for range r.winch {
			r.resize(ref)
		}
	}()
	go r.output()
	return r, nil
}

// resize copies the caller's window size to the child's terminal; the kernel
// then sends SIGWINCH to the child's foreground job.
func (r *ptyRelay) resize(from *os.File) {
	if ws, err := unix.IoctlGetWinsize(int(from.Fd()), unix.TIOCGWINSZ); err == nil {
		_ = unix.IoctlSetWinsize(int(r.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// input copies keys to the child's terminal. It polls stdin together with
// the wake pipe rather than reading a blocking stdin: a read left pending
// when the child is gone would swallow the next key meant for the caller's
// shell (or the Lab).
func (r *ptyRelay) input() {
	defer close(r.inDone)
	buf := make([]byte, 4096)
	fds := []unix.PollFd{{Fd: int32(r.in.Fd()), Events: unix.POLLIN}, {Fd: int32(r.wake[0]), Events: unix.POLLIN}}
	for {
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			return
		}
		if fds[1].Revents != 0 {
			return
		}
		if fds[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) == 0 {
			continue
		}
		n, err := unix.Read(int(r.in.Fd()), buf)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil || n == 0 {
			return // the caller's terminal is gone
		}
		r.noteInterrupts(buf[:n])
		if _, err := r.master.Write(buf[:n]); err != nil {
			return
		}
	}
}

// noteInterrupts reports the interrupt and quit characters of the child's
// terminal (normally Ctrl-C and Ctrl-\) found in typed input.
func (r *ptyRelay) noteInterrupts(b []byte) {
	t, err := unix.IoctlGetTermios(int(r.master.Fd()), unix.TCGETS)
	if err != nil || t.Lflag&unix.ISIG == 0 {
		return
	}
	for _, c := range b {
		if c != 0 && (c == t.Cc[unix.VINTR] || c == t.Cc[unix.VQUIT]) {
			select {
			case r.intr <- c:
			default:
			}
		}
	}
}

// output copies the child's terminal output to the caller. It ends with EIO
// once no process holds the child's terminal any more, or at the deadline
// Close sets.
func (r *ptyRelay) output() {
	defer close(r.outDone)
	_, _ = io.Copy(r.out, r.master)
}

// Close stops the relay: input at once, output once the child's terminal
// has said everything (bounded by drain, for a grandchild that keeps it
// open), and restores the caller's terminal. Safe to call twice.
func (r *ptyRelay) Close(drain time.Duration) {
	r.closeOnce.Do(func() {
		if r.in != nil {
			unix.Write(r.wake[1], []byte{0})
			// A write to a terminal nobody reads (a leftover process holds
			// it) would block for ever.
			_ = r.master.SetWriteDeadline(time.Now())
			<-r.inDone
			unix.Close(r.wake[0])
			unix.Close(r.wake[1])
		}
		_ = r.master.SetReadDeadline(time.Now().Add(drain))
		<-r.outDone
		signal.Stop(r.winch)
		close(r.winch)
		r.master.Close()
		r.restoreTerminal()
	})
}

// restoreTerminal puts the caller's terminal back as it was.
func (r *ptyRelay) restoreTerminal() {
	r.restore.Do(func() {
		if r.saved != nil {
			_ = unix.IoctlSetTermios(int(r.in.Fd()), unix.TCSETSW, r.saved)
		}
	})
}

// foreground is the process group the child's terminal sends Ctrl-C to
// (its pid as procbox sees it), or 0.
func (r *ptyRelay) foreground() int {
	pg, err := unix.IoctlGetInt(int(r.master.Fd()), unix.TIOCGPGRP)
	if err != nil {
		return 0
	}
	return pg
}

// runTerminal decides how `procbox run`'s child meets the caller's terminal
// and sets cmd up for it. With a terminal on stdin, stdout or stderr, the
// child gets a new pseudo-terminal in place of each of them that is a
// terminal (a pipe or file stays what it is), as controlling terminal of a
// new session. Without any terminal it only gets a new session (setsid), so
// it has no controlling terminal at all. The relay starts once the child runs
// (see startTerminal); slave is the parent's copy, closed after the start.
func runTerminal(cmd *exec.Cmd, stdio [3]*os.File) (master, slave *os.File, err error) {
	cmd.SysProcAttr.Setsid = true
	ctty := -1
	for i, f := range stdio {
		if fileIsTerminal(f) && ctty < 0 {
			ctty = i
		}
	}
	if ctty < 0 {
		return nil, nil, nil
	}
	master, slave, err = openPTY()
	if err != nil {
		return nil, nil, fmt.Errorf("opening a terminal for the child: %w", err)
	}
	if fileIsTerminal(stdio[0]) {
		cmd.Stdin = slave
	}
	if fileIsTerminal(stdio[1]) {
		cmd.Stdout = slave
	}
	if fileIsTerminal(stdio[2]) {
		cmd.Stderr = slave
	}
	cmd.SysProcAttr.Setctty = true
	cmd.SysProcAttr.Ctty = ctty
	return master, slave, nil
}

// terminalStep says what runTerminal chose, and why, for --explain and the report.
func terminalStep(tty bool) Step {
	if tty {
		return Step{What: "the command gets its own terminal, the controlling terminal of a new session, and procbox relays " +
			"keys and output (docker run -t, runc \"terminal\": true): a TIOCSTI from inside only types into that terminal, " +
			"never into yours, while Ctrl-C and job control work as usual (bwrap --new-session also stops TIOCSTI, " +
			"but leaves the command no controlling terminal: no job control, and Ctrl-C never reaches it)",
			Command: "script -qec CMD /dev/null"}
	}
	return Step{What: "no terminal here: the command runs in a new session with no controlling terminal (bwrap --new-session), " +
		"so it cannot inject keystrokes anywhere",
		Command: "setsid CMD"}
}

// stdioFiles returns the three as files (nil for what is not an *os.File).
func stdioFiles(stdin io.Reader, stdout, stderr io.Writer) [3]*os.File {
	var out [3]*os.File
	for i, x := range []any{stdin, stdout, stderr} {
		if f, ok := x.(*os.File); ok {
			out[i] = f
		}
	}
	return out
}

// ExplainRun is Explain plus how `procbox run` would attach the command to
// these stdio files (its own terminal, or only a new session).
func ExplainRun(spec Spec, stdin io.Reader, stdout, stderr io.Writer) []Step {
	tty := false
	for _, f := range stdioFiles(stdin, stdout, stderr) {
		tty = tty || fileIsTerminal(f)
	}
	return append(Explain(spec), terminalStep(tty))
}
