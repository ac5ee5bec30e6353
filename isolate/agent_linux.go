package isolate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

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
	TID     int      `json:"tid,omitempty"` // spin: the busy thread's id
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
	if len(b) >= maxControlLine {
		b = fitReply(v, b)
	}
	a.ctl.Write(append(b, '\n'))
}

// fitReply shortens an answer procbox would refuse as too long (see
// control_linux.go): a view's interface and process lists are cut, and the
// view says how many were left out. Anything else becomes an error answer.
func fitReply(v any, b []byte) []byte {
	if r, ok := v.(agentResponse); ok && r.View != nil {
		view := *r.View
		total := len(view.Interfaces)
		for len(b) >= maxControlLine && (len(view.Interfaces) > 0 || len(view.Procs) > 0) {
			if len(view.Interfaces) > 0 {
				view.Interfaces = view.Interfaces[:len(view.Interfaces)/2]
			} else {
				view.Procs = view.Procs[:len(view.Procs)/2]
			}
			errs := map[string]string{}
			for k, e := range view.Errors {
				errs[k] = e
			}
			errs["interfaces"] = fmt.Sprintf("%d of %d interfaces shown: the answer must stay under %d KiB", len(view.Interfaces), total, maxControlLine>>10)
			view.Errors = errs
			b, _ = json.Marshal(agentResponse{View: &view})
		}
		if len(b) < maxControlLine {
			return b
		}
	}
	b, _ = json.Marshal(agentResponse{Error: fmt.Sprintf("the answer is longer than %d KiB", maxControlLine>>10)})
	return b
}

func (a *agent) handle(req agentRequest) {
	switch req.Op {
	case "view":
		v := gatherView("child")
		if a.in.Spec.Has(NSTime) {
			if cur, kids := nsLink("time"), nsLink("time_for_children"); cur != kids {
				if v.Errors == nil {
					v.Errors = map[string]string{}
				}
				v.Errors["time"] = "this kernel did not move the agent into its time namespace on exec; only its children see the offset"
			}
		}
		a.reply(agentResponse{View: &v})
	case "experiment":
		if !knownExperiment(req.Name) {
			a.reply(agentResponse{Error: fmt.Sprintf("unknown experiment %q (valid: %s, %s)", req.Name,
				strings.Join(Experiments, ", "), strings.Join(LessonExperiments, ", "))})
			return
		}
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
	case "spin":
		a.reply(agentResponse{TID: spinThread(2 * time.Second)})
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

// nsLink reads /proc/self/ns/NAME ("time:[4026532300]").
func nsLink(name string) string {
	s, _ := os.Readlink("/proc/self/ns/" + name)
	return s
}

func knownExperiment(name string) bool {
	return slices.Contains(Experiments, name) || slices.Contains(LessonExperiments, name)
}

// spinThread starts a thread that computes for d and returns its id, so a
// register snapshot finds a program counter that moves. The goroutine stays
// locked to its thread and ends with it: the thread is gone when it returns.
func spinThread(d time.Duration) int {
	tid := make(chan int, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		tid <- unix.Gettid()
		sum := uint64(0)
		for end := time.Now().Add(d); time.Now().Before(end); {
			for i := uint64(0); i < 1000; i++ {
				sum = sum*31 + i
			}
		}
		spinSink.Store(sum)
	}()
	return <-tid
}

// spinSink keeps the busy loop's result, so the compiler cannot drop the loop.
var spinSink atomic.Uint64
