package isolate

// The Lab's shell inside the child. `procbox __procbox_shell` (the client)
// is started by the Lab with the terminal as its stdio and a socket on fd 3;
// the other end of that socket was handed to the agent over the control
// socket. On a terminal, the client opens a new pseudo-terminal, sends its
// slave side to the agent as the shell's stdio (SCM_RIGHTS) and relays
// between the Lab's terminal and it (see pty_linux.go); the agent runs /bin/sh
// with that terminal as controlling terminal of a new session, so the shell
// has job control, Ctrl-C goes to its foreground job, and nothing in the child
// ever holds the Lab's own terminal. The agent reports the exit status back;
// the client returns only then.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ShellCmd is an interactive shell inside the child, for tea.ExecProcess:
// `procbox __procbox_shell` hands its stdio to the agent over a socket
// (SCM_RIGHTS) and the agent runs /bin/sh with them, so the shell has every
// namespace, the cgroup, the capabilities and the seccomp filter of the child
// — nsenter could not give it the last two. Returns nil if the child is gone.
func (c *Child) ShellCmd() *exec.Cmd {
	c.mu.Lock()
	defer c.mu.Unlock()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	ours := os.NewFile(uintptr(pair[0]), "procbox-shell")
	theirs := os.NewFile(uintptr(pair[1]), "procbox-shell-agent")
	defer theirs.Close()
	if _, err := c.call(agentRequest{Op: "shell"}); err != nil {
		ours.Close()
		return nil
	}
	if err := sendFDs(c.l.ctl, pair[1]); err != nil {
		ours.Close()
		return nil
	}
	if _, err := c.readResponse(); err != nil {
		ours.Close()
		return nil
	}
	cmd := exec.Command(selfExe, shellMarker)
	cmd.Args[0] = "procbox-shell"
	cmd.ExtraFiles = []*os.File{ours}
	return cmd
}

// readResponse reads one response without sending a request.
func (c *Child) readResponse() (agentResponse, error) {
	c.l.ctl.SetReadDeadline(time.Now().Add(agentTimeout))
	defer c.l.ctl.SetReadDeadline(time.Time{})
	return c.readAnswer()
}

// shell receives a socket over the control socket (SCM_RIGHTS), then, on
// that socket, the three stdio fds of a `procbox __procbox_shell` client, and
// runs a shell with them. The shell is the agent's child, so it has every
// namespace, the cgroup, the caps and the seccomp filter of the child.
func (a *agent) shell() {
	a.reply(agentResponse{}) // "send the socket"
	fds, err := recvFDs(a.ctl, 1)
	if err != nil {
		a.reply(agentResponse{Error: "receiving the shell socket: " + err.Error()})
		return
	}
	a.reply(agentResponse{})
	go serveShell(os.NewFile(uintptr(fds[0]), "procbox-shell"))
}

func serveShell(conn *os.File) {
	defer conn.Close()
	fds, err := recvFDs(conn, 3)
	if err != nil {
		fmt.Fprintf(conn, "error receiving stdio: %v\n", err)
		return
	}
	stdio := make([]*os.File, 3)
	for i, fd := range fds {
		stdio[i] = os.NewFile(uintptr(fd), "stdio")
		defer stdio[i].Close()
	}
	sh := ""
	for _, p := range []string{"/bin/sh", "/bin/bash", "/bin/busybox"} {
		if _, err := os.Stat(p); err == nil {
			sh = p
			break
		}
	}
	if sh == "" {
		fmt.Fprintln(conn, "error: this root filesystem has no /bin/sh")
		return
	}
	args := []string{"sh"}
	if sh == "/bin/busybox" {
		args = append(args, "sh")
	}
	cmd := &exec.Cmd{Path: sh, Args: args, Stdin: stdio[0], Stdout: stdio[1], Stderr: stdio[2],
		Env: append(os.Environ(), "PS1=[procbox child] # ")}
	// A session of its own, with the client's pseudo-terminal (if it sent
	// one) as controlling terminal: job control, and Ctrl-C for its jobs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for i, f := range stdio {
		if fileIsTerminal(f) {
			cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, i
			break
		}
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(conn, "error: %v\n", err)
		return
	}
	// The client sends nothing more: the socket ends only when the client
	// does (killed, or its terminal gone). Then no shell may live on reading
	// a terminal nobody watches: the whole session goes.
	exited := make(chan struct{})
	go func() {
		var b [1]byte
		conn.Read(b[:])
		select {
		case <-exited:
		default:
			unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
		}
	}()
	err = cmd.Wait()
	close(exited)
	code := 0
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	} else if err != nil {
		fmt.Fprintf(conn, "error: %v\n", err)
		return
	}
	fmt.Fprintf(conn, "exit %d\n", code)
}

// recvFDs reads one message carrying n file descriptors.
func recvFDs(f *os.File, n int) ([]int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fds []int
	var rerr error
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4*n))
	err = rc.Read(func(fd uintptr) bool {
		_, oobn, _, _, e := unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		if e == unix.EAGAIN {
			return false
		}
		if e != nil {
			rerr = e
			return true
		}
		msgs, e := unix.ParseSocketControlMessage(oob[:oobn])
		if e != nil {
			rerr = e
			return true
		}
		for _, m := range msgs {
			got, e := unix.ParseUnixRights(&m)
			if e == nil {
				fds = append(fds, got...)
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	if len(fds) != n {
		return nil, fmt.Errorf("got %d fds, want %d", len(fds), n)
	}
	return fds, nil
}

// sendFDs sends one byte carrying fds.
func sendFDs(f *os.File, fds ...int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		e := unix.Sendmsg(int(fd), []byte{0}, unix.UnixRights(fds...), nil, 0)
		if e == unix.EAGAIN {
			return false
		}
		serr = e
		return true
	})
	if err != nil {
		return err
	}
	return serr
}

// shellClientMain is `procbox __procbox_shell`, started by the Lab with the
// terminal as its stdio and a socket to the agent on fd 3. On a terminal it
// gives the shell a pseudo-terminal of its own and relays; otherwise it hands
// its stdio over as it is. It waits for the shell to end and exits with its
// status.
func shellClientMain() int {
	// The shell inside runs as our uid when the Lab has no user namespace;
	// not dumpable, we cannot be traced by it and made to type into the
	// Lab's terminal with TIOCSTI (untraceable_linux.go). We start no child.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	conn := os.NewFile(controlFD, "procbox-shell")
	stdio := [3]*os.File{os.Stdin, os.Stdout, os.Stderr}
	fds := []int{0, 1, 2}
	var relay *ptyRelay
	var in, out *os.File
	for i, f := range stdio {
		if fileIsTerminal(f) {
			if i == 0 {
				in = f
			} else if out == nil {
				out = f
			}
		}
	}
	if out == nil {
		out = in
	}
	if out != nil {
		master, slave, err := openPTY()
		if err != nil {
			fmt.Fprintln(os.Stderr, "procbox shell: opening a terminal:", err)
			return 125
		}
		for i, f := range stdio {
			if fileIsTerminal(f) {
				fds[i] = int(slave.Fd())
			}
		}
		err = sendFDs(conn, fds...)
		slave.Close() // the shell holds it now; EIO on the master means it is gone
		if err != nil {
			master.Close()
			fmt.Fprintln(os.Stderr, "procbox shell:", err)
			return 125
		}
		if relay, err = startPTYRelay(master, in, out); err != nil {
			master.Close()
			fmt.Fprintln(os.Stderr, "procbox shell:", err)
			return 125
		}
		defer relay.Close(ptyDrain)
		// Killed or hung up: put the Lab's terminal back before going (the
		// agent then ends the shell, seeing the socket close).
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
		go func() {
			sig := <-sigs
			relay.Close(0)
			os.Exit(128 + int(sig.(syscall.Signal)))
		}()
	} else if err := sendFDs(conn, fds...); err != nil {
		fmt.Fprintln(os.Stderr, "procbox shell:", err)
		return 125
	}
	// The agent's last word, bounded like every read from the child.
	b, err := readControlLine(bufio.NewReaderSize(conn, 256), 256)
	line := string(b)
	if relay != nil {
		relay.Close(ptyDrain) // all the shell said, then the terminal as it was
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "procbox shell: the child went away")
		return 125
	}
	var code int
	if _, err := fmt.Sscanf(line, "exit %d", &code); err != nil {
		fmt.Fprintln(os.Stderr, "procbox shell:", clipForLog(b))
		return 127
	}
	return code
}
