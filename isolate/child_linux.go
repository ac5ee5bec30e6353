package isolate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childInit is the first line the parent sends on the control socket.
type childInit struct {
	Spec    Spec `json:"spec"`
	HostPID int  `json:"host_pid"` // procbox's own PID on the host, for the killhost experiment
	// PidsMaxFD, when not 0, is an inherited descriptor open on the cgroup's
	// pids.max: a pids limit too small for procbox's own setup is written
	// through it by the child itself, just before exec (see execTightening).
	PidsMaxFD int `json:"pids_max_fd,omitempty"`
}

// childReply is what the child sends back when setup fails (run mode) or when
// the agent is ready.
type childReply struct {
	Error string `json:"error,omitempty"`
	Code  int    `json:"code,omitempty"` // exit status for a command that could not be run
	Ready bool   `json:"ready,omitempty"`
	PID   int    `json:"pid,omitempty"` // the agent's PID as it sees itself
}

// agentInitEnv carries the childInit from the set-up child to the agent it
// execs into; the agent removes it from its environment at once.
const agentInitEnv = "PROCBOX_AGENT_INIT"

// ChildHook turns this process into one of procbox's child roles when
// os.Args[1] carries a marker, and never returns in that case. Otherwise it
// returns at once. Call it first thing: from init() in package main (the main
// goroutine is locked to the main thread during init, which the time
// namespace needs) and from an init() in test packages that start children.
func ChildHook() {
	if len(os.Args) < 2 {
		return
	}
	switch os.Args[1] {
	case childMarker:
		runtime.LockOSThread()
		os.Exit(childMain())
	case agentMarker:
		os.Exit(agentMain())
	case shellMarker:
		os.Exit(shellClientMain())
	case sleeperMarker:
		sleeperMain()
	case memhogMarker:
		os.Exit(memhogMain())
	case forkbombMarker:
		os.Exit(forkbombMain())
	}
}

// childMain reads the spec, waits for "go", isolates itself and execs.
func childMain() int {
	ctl := os.NewFile(controlFD, "procbox-control")
	if ctl == nil {
		fmt.Fprintln(os.Stderr, "procbox child: no control socket on fd 3")
		return 125
	}
	failCode := func(code int, err error) int {
		b, _ := json.Marshal(childReply{Error: err.Error(), Code: code})
		ctl.Write(append(b, '\n'))
		return code
	}
	fail := func(err error) int { return failCode(125, err) }
	if len(os.Args) < 4 || os.Args[3] != "--" {
		return fail(fmt.Errorf("child: bad arguments %q", os.Args[1:]))
	}
	mode, argv := os.Args[2], os.Args[4:]
	r := bufio.NewReader(ctl)
	line, err := r.ReadBytes('\n')
	if err != nil {
		return fail(fmt.Errorf("child: reading spec: %v", err))
	}
	var in childInit
	if err := json.Unmarshal(line, &in); err != nil {
		return fail(fmt.Errorf("child: bad spec: %v", err))
	}
	// Wait until the parent has placed us in our cgroup and set up the veth:
	// everything below must already happen under the limits.
	goLine, err := r.ReadString('\n')
	if err != nil || strings.TrimSpace(goLine) != "go" {
		return fail(fmt.Errorf("child: parent went away before go"))
	}
	// Orphans of the tree come to us while we live, so cleanup can still
	// tell them by their parent chain (reaper_linux.go).
	if err := becomeSubreaper(); err != nil {
		return fail(fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %v", err))
	}
	// The agent re-executes this binary after setup. Open it now: after
	// pivot_root the old root is detached and no path leads back to it.
	self := -1
	if mode == modeAgent {
		if self, err = unix.Open(selfExe, unix.O_PATH|unix.O_CLOEXEC, 0); err != nil {
			return fail(fmt.Errorf("open %s: %v", selfExe, err))
		}
	}
	if err := setupChild(in.Spec); err != nil {
		return fail(err)
	}
	switch mode {
	case modeRun:
		if len(argv) == 0 {
			return fail(fmt.Errorf("child: no command"))
		}
		// 127 and 126 as a shell would say: not found, found but not runnable.
		path, err := exec.LookPath(argv[0])
		if err != nil {
			code := 127
			if errors.Is(err, os.ErrPermission) {
				code = 126
			}
			return failCode(code, fmt.Errorf("%s: %v", argv[0], errNotFound(err)))
		}
		// The parent learns that exec worked when the socket closes; the
		// command gets stdio and nothing else (inherited_fds_linux.go).
		unix.CloseOnExec(controlFD)
		closeInheritedFrom(controlFD)
		execTightening(in)
		err = syscall.Exec(path, argv, os.Environ())
		code := 126
		if errors.Is(err, os.ErrNotExist) {
			code = 127
		}
		return failCode(code, fmt.Errorf("exec %s: %v", argv[0], err))
	case modeAgent:
		b, _ := json.Marshal(in)
		env := append(os.Environ(), agentInitEnv+"="+string(b))
		// The agent keeps its control socket (fd 3), nothing the caller left.
		closeInheritedFrom(controlFD + 1)
		// Re-exec so the agent starts from one thread that already carries every
		// namespace, capability set and filter set up above (most of them are
		// per thread until an exec makes them the whole process's).
		err := execFD(self, []string{"procbox", agentMarker}, env)
		if err == unix.ENOENT && in.Spec.Rootfs != "" {
			return fail(fmt.Errorf("exec agent inside %s: %v (this procbox is dynamically linked and the rootfs has no ELF interpreter; build with CGO_ENABLED=0)", in.Spec.Rootfs, err))
		}
		return fail(fmt.Errorf("exec agent: %v", err))
	}
	return fail(fmt.Errorf("child: unknown mode %q", mode))
}

func errNotFound(err error) error {
	if e, ok := err.(*exec.Error); ok {
		return e.Err
	}
	return err
}

// setupChild applies spec to this process, in an order where each step still
// has the privileges it needs and nothing can leak to the host. It runs on
// the locked main thread; the exec that follows makes every per-thread setting
// (capabilities, cgroup and time namespace) the new program's.
func setupChild(spec Spec) error {
	if spec.Has(NSMnt) {
		// Private first: with shared propagation (systemd's default) every mount
		// below would also appear on the host.
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			return fmt.Errorf("mount --make-rprivate /: %v", err)
		}
	}
	var null nullMounts
	if spec.Has(NSMnt) {
		// Taken now: the new root may have no /dev (see protectKernelFiles).
		var err error
		if null, err = cloneDevNull(); err != nil {
			return err
		}
		defer null.Close()
	}
	if spec.Rootfs != "" {
		// /proc goes into the new root before the pivot: in a user namespace
		// the kernel mounts a proc only while a fully visible one is in this
		// mount namespace (mount_too_revealing), and after the pivot the
		// host's is gone with the old root (runc mounts it first too).
		if err := pivotInto(spec.Rootfs); err != nil {
			return err
		}
	} else if spec.Has(NSMnt) && spec.Has(NSPID) {
		// A /proc mounted now shows our own pid namespace; the inherited one
		// still lists the host's processes.
		if err := mountProc("/proc"); err != nil {
			return err
		}
	}
	if spec.Has(NSMnt) {
		// Before the cgroup namespace and the capability drops: a root child
		// must not leave its cgroup or raise its limits through cgroupfs, nor
		// reach the host's kernel through /proc/sys (runc's readonly and
		// masked paths). Only this mount namespace's copies change.
		if err := protectKernelFiles(null); err != nil {
			return err
		}
	}
	if spec.Has(NSCgroup) {
		// Now, not at clone time: the parent has moved us into our cgroup, so it
		// becomes our "/" (on v1 it would otherwise show as /../..).
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return fmt.Errorf("unshare --cgroup: %v", err)
		}
	}
	if spec.Has(NSUTS) && spec.Hostname != "" {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return fmt.Errorf("hostname %s: %v", spec.Hostname, err)
		}
	}
	if spec.Has(NSNet) {
		// A new net namespace starts with lo down: even 127.0.0.1 would fail.
		if err := linkUp("lo"); err != nil {
			return fmt.Errorf("ip link set lo up: %v", err)
		}
	}
	if spec.Has(NSTime) {
		if err := enterTimeNamespace(spec.TimeOffset); err != nil {
			return err
		}
	}
	if len(spec.DropCaps) > 0 || len(spec.Seccomp) > 0 {
		// Without it a setuid binary could hand back what we drop below, and
		// an unprivileged process may not install a seccomp filter.
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("prctl no_new_privs: %v", err)
		}
	}
	if len(spec.DropCaps) > 0 {
		// On this thread; the exec that follows carries the reduced sets over
		// (for root, exec grants permitted = bounding | inheritable, so both
		// must lose the caps, not just the effective set).
		if err := dropCapsThisThread(spec.DropCaps); err != nil {
			return err
		}
	}
	if spec.Has(NSUser) && !spec.MapRoot {
		// The ambient caps only carried the setup over our re-exec; the program
		// that runs now is a plain user, as after `unshare --user`: no
		// ambient caps, and an empty inheritable set, or a binary with file
		// caps +ei would pick them up at exec.
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
			return fmt.Errorf("clear ambient caps: %v", err)
		}
		if err := clearInheritable(); err != nil {
			return err
		}
	}
	if len(spec.Seccomp) > 0 {
		// Last: the filter would otherwise deny our own setup calls.
		if err := loadSeccomp(spec.Seccomp); err != nil {
			return err
		}
	}
	return nil
}

// pivotInto makes dir the root of this mount namespace, with a /proc of this
// pid namespace mounted in it first, and forgets the old root.
func pivotInto(dir string) error {
	// pivot_root needs the new root to be a mount point of its own.
	if err := unix.Mount(dir, dir, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("mount --bind %s %s: %v", dir, dir, err)
	}
	if err := unix.Chdir(dir); err != nil {
		return fmt.Errorf("cd %s: %v", dir, err)
	}
	// Relative to the new root, before the pivot (see setupChild): a /proc
	// of our own pid namespace.
	if err := mountProc("proc"); err != nil {
		return err
	}
	// pivot_root(".", ".") stacks the old root on top of the new one, so no
	// put_old directory is needed inside the rootfs; unmounting "." drops it.
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root %s: %v", dir, err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("umount -l old root: %v", err)
	}
	return unix.Chdir("/")
}

// mountProc mounts a proc filesystem of this pid namespace at dir (made if
// missing): the inherited /proc still lists the host's processes.
func mountProc(dir string) error {
	if err := os.MkdirAll(dir, 0o555); err != nil {
		return fmt.Errorf("mkdir /proc: %v", err)
	}
	if err := unix.Mount("proc", dir, "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount -t proc proc /proc: %v", err)
	}
	return nil
}

// linkUp sets IFF_UP on an interface with the classic ioctl (what ifconfig does).
func linkUp(name string) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// enterTimeNamespace creates a time namespace for our next program and shifts
// its clocks. The offsets can only be written while no process lives in the
// namespace yet; the exec that follows moves us in: recent kernels switch a
// task to its time_for_children namespace on exec (checked on 6.18; older
// ones only on fork, where only CMD's children would see the offset — the
// agent reports that case in its view's errors).
func enterTimeNamespace(offset time.Duration) error {
	if unix.Gettid() != unix.Getpid() {
		// /proc/self/timens_offsets belongs to the main thread.
		return fmt.Errorf("time namespace: setup must run on the main thread")
	}
	if err := unix.Unshare(unix.CLONE_NEWTIME); err != nil {
		return fmt.Errorf("unshare --time: %v", err)
	}
	if offset <= 0 {
		return nil
	}
	secs, nsecs := int64(offset/time.Second), int64(offset%time.Second)
	text := fmt.Sprintf("monotonic %d %d\nboottime %d %d\n", secs, nsecs, secs, nsecs)
	if err := os.WriteFile("/proc/self/timens_offsets", []byte(text), 0); err != nil {
		return fmt.Errorf("write /proc/self/timens_offsets: %v", unwrapPathError(err))
	}
	return nil
}

// execFD executes the program open on fd (execveat with AT_EMPTY_PATH): it
// works even when no path to the file exists in this mount namespace.
func execFD(fd int, argv, env []string) error {
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return err
	}
	empty := []byte{0}
	_, _, e := syscall.Syscall6(unix.SYS_EXECVEAT, uintptr(fd), uintptr(unsafe.Pointer(&empty[0])),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH, 0)
	return e
}

// execTightening writes a pids limit that was too small for procbox's Go setup
// (it ran under a larger one) as the very last step before exec, so the
// command never runs a moment under the larger limit: a command that forks at
// once would otherwise get those forks. Lowering pids.max below the current
// count is allowed: it only refuses new forks, and exec ends our extra
// threads. If the write fails (a user namespace may not write the host's
// cgroupfs), the parent's own write after exec still lands, as before.
func execTightening(in childInit) {
	if in.PidsMaxFD <= 0 {
		return
	}
	_, _ = unix.Write(in.PidsMaxFD, []byte(strconv.FormatInt(in.Spec.PidsMax, 10)))
	unix.Close(in.PidsMaxFD)
}
