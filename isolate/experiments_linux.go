package isolate

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"procbox/internal/units"
)

// Markers for the agent's helper processes (see ChildHook).
const (
	sleeperMarker  = "__procbox_sleeper"  // sleeps, for envchild
	memhogMarker   = "__procbox_memhog"   // allocates and touches memory up to a cap
	forkbombMarker = "__procbox_forkbomb" // forks until fork fails, then kills its brood
)

// Bounds that keep every experiment harmless without a limit.
const (
	forkbombMaxProcs = 500
	forkbombMaxTime  = 3 * time.Second
	memhogMaxBytes   = 256 << 20
	memhogStep       = 4 << 20
	cpuburnTime      = 3 * time.Second
)

// experiment runs one experiment inside the agent and says what happened.
func (a *agent) experiment(name string) Outcome {
	start := time.Now()
	o := Outcome{Experiment: name}
	switch name {
	case ExpForkBomb:
		a.forkbomb(&o)
	case ExpMemoryHog:
		a.memhog(&o)
	case ExpCPUBurner:
		n := int64(0)
		for time.Since(start) < cpuburnTime {
			for i := 0; i < 1e6; i++ {
				n++
			}
		}
		o.Allowed, o.Count = true, n
		o.Summary = fmt.Sprintf("busy loop for %s", cpuburnTime)
	case ExpChown:
		o.try(a.chown(), a.in.Spec)
	case ExpBind80:
		o.try(bind80(), a.in.Spec)
	case ExpRawSocket:
		o.try(rawSocket(), a.in.Spec)
	case ExpMount:
		if !a.in.Spec.Has(NSMnt) {
			o.Summary = "skipped: would change the host's mounts; switch on mnt"
			break
		}
		o.try(mountTmpfs(), a.in.Spec)
	case ExpHostname:
		if !a.in.Spec.Has(NSUTS) {
			o.Summary = "skipped: would rename the host; switch on uts"
			break
		}
		o.try(renameHost(), a.in.Spec)
	case ExpKillHost:
		o.try(unix.Kill(a.in.HostPID, 0), a.in.Spec)
		o.Count = int64(a.in.HostPID)
	case ExpMkdir:
		o.try(mkdirTemp(), a.in.Spec)
	case ExpRenice:
		o.try(a.renice(&o), a.in.Spec)
	case ExpOpenFile:
		o.try(a.openFile(&o), a.in.Spec)
	case ExpEnvChild:
		o.try(a.envChild(&o), a.in.Spec)
	case ExpMountKeep:
		if !a.in.Spec.Has(NSMnt) {
			o.Summary = "skipped: would leave a mount on the host; switch on mnt"
			break
		}
		o.try(mountKeep(&o), a.in.Spec)
	case ExpIPCQueue:
		if !a.in.Spec.Has(NSIPC) {
			o.Summary = "skipped: would leave a message queue on the host; switch on ipc"
			break
		}
		o.try(ipcQueue(&o), a.in.Spec)
	default:
		o.Summary = "unknown experiment " + strconv.Quote(name)
	}
	o.Duration = time.Since(start)
	if o.Summary == "" {
		o.Summary = o.describe()
	}
	return o
}

// callErr names the syscall that failed inside an experiment, when it is not
// the experiment's main one (mount's mkdirat for its temp dir, say).
type callErr struct {
	call string
	err  error
}

func (e *callErr) Error() string { return e.call + ": " + e.err.Error() }
func (e *callErr) Unwrap() error { return e.err }

// try records err (nil: allowed) and finds the switch that caused a denial.
func (o *Outcome) try(err error, spec Spec) {
	if err == nil {
		o.Allowed = true
		return
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		o.Errno = errnoName(errno)
	} else {
		o.Errno = err.Error()
	}
	var ce *callErr
	if errors.As(err, &ce) && (errno == unix.EPERM || errno == unix.EACCES) {
		for _, d := range expandSyscalls(spec.Seccomp) {
			if d == ce.call {
				o.Cause = "seccomp denies " + d
				o.Errno += " (" + ce.call + ")"
				return
			}
		}
	}
	o.Cause = causeOf(o.Experiment, errno, spec)
}

func (o *Outcome) describe() string {
	if o.Allowed {
		return o.Experiment + ": allowed"
	}
	s := o.Experiment + ": denied (" + o.Errno + ")"
	if o.Cause != "" {
		s += " by " + o.Cause
	}
	return s
}

// expCap is the capability each experiment needs, and the syscalls it makes.
var expNeeds = map[string]struct {
	cap      string
	syscalls []string
}{
	ExpChown:     {"cap_chown", []string{"chown", "fchownat", "fchown", "lchown"}},
	ExpBind80:    {"cap_net_bind_service", []string{"bind"}},
	ExpRawSocket: {"cap_net_raw", []string{"socket"}},
	ExpMount:     {"cap_sys_admin", []string{"mount"}},
	ExpHostname:  {"cap_sys_admin", []string{"sethostname"}},
	ExpKillHost:  {"cap_kill", []string{"kill"}},
	ExpMkdir:     {"", []string{"mkdir", "mkdirat"}},
	ExpRenice:    {"", []string{"setpriority"}},
	ExpOpenFile:  {"", []string{"open", "openat"}},
	ExpMountKeep: {"cap_sys_admin", []string{"mount"}},
	ExpIPCQueue:  {"", []string{"msgget"}},
}

// causeOf names the switch behind a denial: a seccomp rule, a dropped cap, a
// namespace or a limit.
func causeOf(exp string, errno syscall.Errno, spec Spec) string {
	need := expNeeds[exp]
	if errno == unix.EPERM || errno == unix.EACCES {
		for _, s := range need.syscalls {
			for _, d := range expandSyscalls(spec.Seccomp) {
				if s == d {
					return "seccomp denies " + d
				}
			}
		}
		for _, c := range spec.DropCaps {
			if need.cap != "" && c == need.cap {
				return "dropped " + c
			}
		}
		if spec.Has(NSUser) && !spec.MapRoot {
			return "user namespace without --map-root: no capabilities inside"
		}
		if exp == ExpKillHost && spec.Has(NSUser) {
			return "user namespace: host processes belong to another owner"
		}
	}
	if errno == unix.ESRCH && exp == ExpKillHost && spec.Has(NSPID) {
		return "pid namespace hides host PIDs"
	}
	if errno == unix.EAGAIN && spec.PidsMax > 0 {
		return fmt.Sprintf("pids limit %d", spec.PidsMax)
	}
	return ""
}

func errnoName(e syscall.Errno) string {
	if n := unix.ErrnoName(e); n != "" {
		return n
	}
	return e.Error()
}

// tempDir is a writable directory inside the child (a bare rootfs may lack /tmp).
func tempDir() string {
	for _, d := range []string{os.TempDir(), "/dev/shm", "/"} {
		if f, err := os.CreateTemp(d, "procbox-probe-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return d
		}
	}
	return os.TempDir()
}

func (a *agent) chown() error {
	f, err := os.CreateTemp(tempDir(), "procbox-chown-*")
	if err != nil {
		return &callErr{"openat", err}
	}
	f.Close()
	defer os.Remove(f.Name())
	if err := os.Chown(f.Name(), 1, 1); err != nil {
		return err
	}
	return os.Chown(f.Name(), os.Getuid(), os.Getgid())
}

func bind80() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	err = unix.Bind(fd, &unix.SockaddrInet4{Port: 80})
	if err == unix.EADDRINUSE {
		return nil // the permission check passed; something else holds the port
	}
	return err
}

func rawSocket() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

func mountTmpfs() error {
	dir, err := os.MkdirTemp(tempDir(), "procbox-mnt-*")
	if err != nil {
		return &callErr{"mkdirat", err}
	}
	defer os.Remove(dir)
	if err := unix.Mount("procbox", dir, "tmpfs", 0, "size=1m"); err != nil {
		return err
	}
	return unix.Unmount(dir, 0)
}

func renameHost() error {
	old, err := os.Hostname()
	if err != nil {
		return err
	}
	if err := unix.Sethostname([]byte("procbox-probe")); err != nil {
		return err
	}
	return unix.Sethostname([]byte(old))
}

func mkdirTemp() error {
	dir := filepath.Join(tempDir(), fmt.Sprintf("procbox-mkdir-%d", os.Getpid()))
	if err := unix.Mkdirat(unix.AT_FDCWD, dir, 0o700); err != nil {
		return err
	}
	return os.Remove(dir)
}

// renice lowers the agent's priority by 5 (nice +5). setpriority with our PID
// changes the main thread, the one ps and /proc/PID/stat report.
func (a *agent) renice(o *Outcome) error {
	cur, err := unix.Getpriority(unix.PRIO_PROCESS, os.Getpid())
	if err != nil {
		return err
	}
	nice := 20 - cur // the raw syscall returns 20-nice
	if err := unix.Setpriority(unix.PRIO_PROCESS, os.Getpid(), nice+5); err != nil {
		return err
	}
	o.Count = int64(nice + 5)
	o.Summary = fmt.Sprintf("renice: nice %d -> %d", nice, nice+5)
	return nil
}

// openFile opens a file and keeps it open until the child stops.
func (a *agent) openFile(o *Outcome) error {
	f, err := os.CreateTemp(tempDir(), "procbox-demo-*")
	if err != nil {
		return err
	}
	os.Remove(f.Name()) // the open fd keeps it alive; nothing is left on disk
	a.mu.Lock()
	a.kept = append(a.kept, f)
	a.mu.Unlock()
	o.Count = int64(f.Fd())
	o.Summary = fmt.Sprintf("openfile: fd %d now open on %s", f.Fd(), f.Name())
	return nil
}

// mountKeep mounts a small tmpfs on /mnt and leaves it mounted: the mount
// lives as long as the child's mount namespace, so it needs no cleanup, and
// it covers /mnt for the child only (the classic `mount -t tmpfs tmpfs /mnt`).
// It creates no directory: a mount point made for it on the host's /tmp
// would outlive the child, since nobody outside the namespace can see that
// it is unused. Only run with a mount namespace of the child's own (the
// caller checks).
func mountKeep(o *Outcome) error {
	const dir = "/mnt"
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return &callErr{"mount", fmt.Errorf("%s is not a directory in this root filesystem", dir)}
	}
	if err := unix.Mount("procbox-demo", dir, "tmpfs", 0, "size=1m"); err != nil {
		return err
	}
	o.Summary = "mountkeep: tmpfs procbox-demo mounted on " + dir + ", inside the child only"
	return nil
}

// ipcQueue creates a private System V message queue and keeps it: it goes
// away with the child's IPC namespace. Only run with an IPC namespace of the
// child's own (the caller checks).
func ipcQueue(o *Outcome) error {
	id, _, errno := unix.Syscall(unix.SYS_MSGGET, 0 /* IPC_PRIVATE */, unix.IPC_CREAT|0o600, 0)
	if errno != 0 {
		return errno
	}
	o.Count = int64(id)
	o.Summary = fmt.Sprintf("ipcqueue: message queue %d created in the child's IPC namespace", id)
	return nil
}

// envChild starts a grandchild with PROCBOX_DEMO=1 in its environment.
func (a *agent) envChild(o *Outcome) error {
	cmd := exec.Command(selfExe, sleeperMarker)
	cmd.Args[0] = "procbox-demo"
	cmd.Env = append(os.Environ(), "PROCBOX_DEMO=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	a.mu.Lock()
	a.kept = append(a.kept, cmd)
	a.mu.Unlock()
	o.Count = int64(cmd.Process.Pid)
	o.Summary = fmt.Sprintf("envchild: pid %d started with PROCBOX_DEMO=1", cmd.Process.Pid)
	return nil
}

// sleeperMain is a grandchild that only waits (bounded, in case it is forgotten).
func sleeperMain() {
	volunteerForOOM()
	time.Sleep(10 * time.Minute)
	os.Exit(0)
}

// bombResult is what the forkbomb helper reports on its stdout.
type bombResult struct {
	Count int64  `json:"count"`
	Errno string `json:"errno,omitempty"`
}

// forkbomb runs the bomb in a helper process: if the pids limit also stops a
// Go runtime thread from starting, it is the helper that dies, not the agent.
//
// The agent reads the helper's answer before it waits for the helper: the
// pipe is read through the poller, while a blocking wait could make Go start
// another OS thread just when the pids limit allows none, which is fatal to a
// Go program.
func (a *agent) forkbomb(o *Outcome) {
	cmd := exec.Command(selfExe, forkbombMarker)
	pipe, err := cmd.StdoutPipe()
	var out []byte
	if err == nil {
		if err = cmd.Start(); err == nil {
			out, _ = io.ReadAll(pipe)
			err = cmd.Wait()
		}
	}
	var r bombResult
	if jerr := json.Unmarshal(out, &r); jerr != nil {
		o.Errno = "helper failed"
		if err != nil {
			o.Errno = err.Error()
			var errno syscall.Errno
			if errors.As(err, &errno) {
				o.Errno = errnoName(errno)
				o.Cause = causeOf(ExpForkBomb, errno, a.in.Spec)
			}
		}
		o.Summary = "forkbomb: " + o.Errno
		return
	}
	o.Count = r.Count
	if r.Errno == "" {
		o.Allowed = true
		o.Summary = fmt.Sprintf("forkbomb: %d processes, stopped by procbox's own bound", r.Count)
		return
	}
	o.Errno = r.Errno
	if r.Errno == "EAGAIN" {
		o.Cause = causeOf(ExpForkBomb, unix.EAGAIN, a.in.Spec)
	}
	o.Summary = fmt.Sprintf("forkbomb: fork failed with %s after %d processes", r.Errno, r.Count)
	if o.Cause != "" {
		o.Summary += " (" + o.Cause + ")"
	}
}

// forkbombMain forks sleepers with a bare clone until fork fails or the bound
// is reached, then kills and reaps them all. The sleepers run no Go code after
// the clone, only pause(2): they cost a process slot and a few pages each.
func forkbombMain() int {
	volunteerForOOM()
	runtime.LockOSThread()
	var pids []int
	var errno syscall.Errno
	start := time.Now()
	for len(pids) < forkbombMaxProcs && time.Since(start) < forkbombMaxTime {
		pid, e := rawForkSleeper()
		if e != 0 {
			errno = e
			break
		}
		pids = append(pids, pid)
	}
	for _, pid := range pids {
		unix.Kill(pid, unix.SIGKILL)
	}
	for _, pid := range pids {
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, 0, nil)
	}
	r := bombResult{Count: int64(len(pids))}
	if errno != 0 {
		r.Errno = errnoName(errno)
	}
	b, _ := json.Marshal(r)
	os.Stdout.Write(b)
	return 0
}

// memhogMain allocates and touches memory in steps up to the byte count in
// os.Args[2], printing the total after each step.
func memhogMain() int {
	if len(os.Args) < 3 {
		return 2
	}
	max, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		return 2
	}
	volunteerForOOM()
	var keep [][]byte
	w := bufio.NewWriter(os.Stdout)
	for total := int64(0); total < max; total += memhogStep {
		b := make([]byte, memhogStep)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1 // touch every page: untouched pages cost nothing
		}
		keep = append(keep, b)
		fmt.Fprintln(w, total+memhogStep)
		w.Flush()
	}
	runtime.KeepAlive(keep)
	return 0
}

// memhog runs the hog in a helper process and reads how far it got.
func (a *agent) memhog(o *Outcome) {
	max := int64(memhogMaxBytes)
	if l := a.in.Spec.MemoryMax; l > 0 && 2*l < max {
		max = 2 * l
	}
	cmd := exec.Command(selfExe, memhogMarker, strconv.FormatInt(max, 10))
	out, err := cmd.StdoutPipe()
	if err != nil {
		o.Errno = err.Error()
		return
	}
	if err := cmd.Start(); err != nil {
		o.try(err, a.in.Spec)
		return
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if n, err := strconv.ParseInt(strings.TrimSpace(sc.Text()), 10, 64); err == nil {
			o.Count = n
		}
	}
	cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
		o.OOMKilled = true
		o.Errno = "SIGKILL"
		o.Cause = "memory limit " + units.Bytes(a.in.Spec.MemoryMax)
		o.Summary = fmt.Sprintf("memhog: killed by the OOM killer after %s", units.Bytes(o.Count))
	case ws.Exited() && ws.ExitStatus() == 0:
		o.Allowed = true
		o.Summary = fmt.Sprintf("memhog: reached %s, procbox's own bound", units.Bytes(o.Count))
	default:
		o.Errno = cmd.ProcessState.String()
		o.Summary = "memhog: " + o.Errno + " after " + units.Bytes(o.Count)
	}
}

// volunteerForOOM makes this helper the OOM killer's first choice in the
// child's cgroup, so a hog is killed rather than the agent next to it.
// Raising one's own score needs no privilege.
func volunteerForOOM() {
	os.WriteFile("/proc/self/oom_score_adj", []byte("1000"), 0)
}
