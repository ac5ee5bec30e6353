package isolate

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/moby/sys/capability"

	"golang.org/x/sys/unix"
)

// Markers in os.Args[1] that turn a procbox binary (or a test binary) into one
// of the child's roles. ChildHook checks them before anything else runs.
const (
	childMarker = "__procbox_child" // set itself up, then exec CMD or become the agent
	agentMarker = "__procbox_agent" // the Lab's long-lived child, answering over fd 3
	shellMarker = "__procbox_shell" // hands its stdio to the agent, which runs a shell with it
)

// Roles of the child after setup.
const (
	modeRun   = "run"
	modeAgent = "agent"
)

// controlFD is where the child finds its end of the control socket
// (ExtraFiles[0]): the spec arrives on it, then "go", and the agent's
// questions and answers travel on it afterwards.
const controlFD = 3

// cloneFlags maps namespace kinds to the clone(2) flag the parent passes.
// cgroup and time are absent on purpose: the cgroup namespace must be created
// after the parent has moved the child into its cgroup (or that cgroup is not
// the child's "/"), and the time namespace needs its clock offsets written
// before any process lives in it, so the child unshares both itself.
var cloneFlags = map[string]uintptr{
	NSPID:  unix.CLONE_NEWPID,
	NSNet:  unix.CLONE_NEWNET,
	NSMnt:  unix.CLONE_NEWNS,
	NSUTS:  unix.CLONE_NEWUTS,
	NSIPC:  unix.CLONE_NEWIPC,
	NSUser: unix.CLONE_NEWUSER,
}

// Command builds the re-exec of procbox that becomes the isolated child running
// argv. It has no side effects: the caller attaches the control socket as
// ExtraFiles[0] (fd 3 in the child), sends the spec and, once the child sits
// in its cgroup, "go".
func Command(spec Spec, argv []string) (*exec.Cmd, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("no command to run")
	}
	return command(spec, modeRun, argv), nil
}

// selfExe is the binary to re-execute: /proc/self/exe is this very binary
// (procbox, or the test binary under go test), even if its path was replaced.
const selfExe = "/proc/self/exe"

func command(spec Spec, mode string, argv []string) *exec.Cmd {
	args := append([]string{childMarker, mode, "--"}, argv...)
	cmd := exec.Command(selfExe, args...)
	// os/exec uses Args[0] as argv[0]; show "procbox" in ps, not /proc/self/exe.
	cmd.Args[0] = "procbox"
	cmd.Env = os.Environ()

	attr := &syscall.SysProcAttr{
		// The child dies with the thread that started it (Run and Start lock
		// that thread for the child's whole life), so a SIGKILLed procbox
		// never leaves an isolated child behind.
		Pdeathsig: syscall.SIGKILL,
	}
	for _, ns := range AllNamespaces {
		if spec.Has(ns) {
			attr.Cloneflags |= cloneFlags[ns]
		}
	}
	if spec.Has(NSUser) && spec.MapRoot {
		// Root inside is the caller outside, one id wide: nothing else of the
		// host's id space is reachable.
		uid, gid := os.Getuid(), os.Getgid()
		if spec.MapRootTo > 0 {
			// Root inside is an unprivileged id outside (writing a map to
			// another id takes CAP_SETUID/CAP_SETGID in this namespace).
			uid, gid = spec.MapRootTo, spec.MapRootTo
			// The child still holds procbox's ids (0), which the map does
			// not cover; it becomes root inside, which is uid outside.
			attr.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
		}
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
		// An unprivileged caller may only map its gid after denying setgroups.
		attr.GidMappingsEnableSetgroups = false
	} else if spec.Has(NSUser) {
		// You stay yourself inside, like `unshare --user --map-user=$(id -u)`.
		// A non-root uid loses every capability at exec, so the setup that
		// follows (mounts, hostname, lo) would fail: carry the new namespace's
		// capabilities over the re-exec as ambient caps. The child clears them
		// again before it execs CMD or becomes the agent.
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getuid(), HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getgid(), HostID: os.Getgid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
		if os.Getuid() != 0 {
			attr.AmbientCaps = allCapNumbers()
		}
	}
	if mode == modeAgent {
		// The agent must not get the terminal's Ctrl-C: the Lab owns the terminal.
		attr.Setsid = true
	}
	cmd.SysProcAttr = attr
	return cmd
}

// allCapNumbers lists every capability the running kernel knows.
func allCapNumbers() []uintptr {
	last, err := capability.LastCap()
	if err != nil {
		last = capability.CAP_CHECKPOINT_RESTORE
	}
	var out []uintptr
	for c := 0; c <= int(last); c++ {
		out = append(out, uintptr(c))
	}
	return out
}
