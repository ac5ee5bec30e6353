package isolate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The agent is the Lab's long-lived child. It runs with everything the spec
// asked for (namespaces, cgroup, caps, seccomp) and answers JSON lines on
// fd 3: one agentRequest in, one agentResponse out.

type agentRequest struct {
	Op       string   `json:"op"` // view, experiment, dropcaps, seccomp, hostname, shell
	Name     string   `json:"name,omitempty"`
	Caps     []string `json:"caps,omitempty"`
	Syscalls []string `json:"syscalls,omitempty"`
	Hostname string   `json:"hostname,omitempty"`
}

type agentResponse struct {
	Error   string   `json:"error,omitempty"`
	View    *View    `json:"view,omitempty"`
	Outcome *Outcome `json:"outcome,omitempty"`
}

// agent is the state of the agent process.
type agent struct {
	in  childInit
	ctl *os.File
	mu  sync.Mutex // guards kept
	// kept holds what lesson actions left running or open (a grandchild, a
	// file), so they stay visible until the child stops.
	kept []any
}

func agentMain() int {
	var a agent
	if err := json.Unmarshal([]byte(os.Getenv(agentInitEnv)), &a.in); err != nil {
		fmt.Fprintln(os.Stderr, "procbox agent: no spec:", err)
		return 125
	}
	// Nothing the agent starts (experiments, shells) should see the spec.
	os.Unsetenv(agentInitEnv)
	// Nor the control socket.
	unix.CloseOnExec(controlFD)
	// Non-blocking, so waiting for the next question parks a goroutine in the
	// poller instead of holding an OS thread in read(2): under a pids limit
	// the agent may not be able to start another thread.
	unix.SetNonblock(controlFD, true)
	a.ctl = os.NewFile(controlFD, "procbox-control")
	a.reply(childReply{Ready: true, PID: os.Getpid()})
	r := bufio.NewReader(a.ctl)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			// procbox closed the socket: the Lab is done with us.
			return 0
		}
		var req agentRequest
		if err := json.Unmarshal(line, &req); err != nil {
			a.reply(agentResponse{Error: "bad request: " + err.Error()})
			continue
		}
		a.handle(req)
	}
}

func (a *agent) reply(v any) {
	b, _ := json.Marshal(v)
	a.ctl.Write(append(b, '\n'))
}

func (a *agent) handle(req agentRequest) {
	switch req.Op {
	case "view":
		v := gatherView("child")
		a.reply(agentResponse{View: &v})
	case "experiment":
		o := a.experiment(req.Name)
		a.reply(agentResponse{Outcome: &o})
	case "hostname":
		if err := unix.Sethostname([]byte(req.Hostname)); err != nil {
			a.reply(agentResponse{Error: "sethostname: " + err.Error()})
			return
		}
		a.reply(agentResponse{})
	case "seccomp":
		// TSYNC puts the new filter on every thread of the agent.
		if err := loadSeccomp(req.Syscalls); err != nil {
			a.reply(agentResponse{Error: err.Error()})
			return
		}
		a.in.Spec.Seccomp = append(a.in.Spec.Seccomp, req.Syscalls...)
		a.reply(agentResponse{})
	case "dropcaps":
		a.dropCaps(req.Caps)
	case "shell":
		a.shell()
	default:
		a.reply(agentResponse{Error: "unknown op " + strconv.Quote(req.Op)})
	}
}

// dropCaps drops caps from this very process: capability sets are per thread,
// so the agent drops them on one locked thread and re-executes itself from it.
// The PID, namespaces, cgroup and filters stay; only the program image is
// new, and it starts with the smaller sets on every thread.
func (a *agent) dropCaps(caps []string) {
	runtime.LockOSThread() // never unlocked: this thread execs or the agent answers an error
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		a.reply(agentResponse{Error: "no_new_privs: " + err.Error()})
		return
	}
	if err := dropCapsThisThread(caps); err != nil {
		a.reply(agentResponse{Error: err.Error()})
		return
	}
	a.in.Spec.DropCaps = append(a.in.Spec.DropCaps, caps...)
	b, _ := json.Marshal(a.in)
	env := append(os.Environ(), agentInitEnv+"="+string(b))
	a.reply(agentResponse{})
	// Keep the socket across the exec; the new agent announces itself ready.
	if _, err := unix.FcntlInt(controlFD, unix.F_SETFD, 0); err != nil {
		a.reply(childReply{Error: "keep control socket: " + err.Error()})
		return
	}
	err := syscall.Exec(selfExe, []string{"procbox", agentMarker}, env)
	a.reply(childReply{Error: "re-exec agent: " + err.Error()})
	os.Exit(125)
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
	err = cmd.Run()
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
// terminal as its stdio and a socket to the agent on fd 3: it hands its stdio
// to the agent, waits for the shell to end and exits with its status.
func shellClientMain() int {
	conn := os.NewFile(controlFD, "procbox-shell")
	if err := sendFDs(conn, 0, 1, 2); err != nil {
		fmt.Fprintln(os.Stderr, "procbox shell:", err)
		return 125
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "procbox shell: the child went away")
		return 125
	}
	var code int
	if _, err := fmt.Sscanf(line, "exit %d", &code); err != nil {
		fmt.Fprintln(os.Stderr, "procbox shell:", line)
		return 127
	}
	return code
}
