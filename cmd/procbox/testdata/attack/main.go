// Command attack is the hostile child of procbox's containment tests: each
// mode tries one way out and prints what the kernel answered, one line, so
// the test can assert the attempt failed. It is built by the tests (static,
// CGO_ENABLED=0) and never shipped.
//
//	attack tiocsti TEXT        push TEXT into fd 0's input queue (TIOCSTI)
//	attack syscalls NAME...    call each syscall with harmless arguments; print NAME=errno
//	attack write FILE TEXT     write TEXT to FILE; print "ok" or the errno
//	attack capeff              print this process's CapEff and CapInh from /proc/self/status
//	attack alloc MIB           allocate and touch MIB MiB; print "allocated MIB" if it lived
//	attack ls DIR              list DIR; print "ok N" or the errno
//	attack uring OP PATH       mkdir or unlink PATH, or make a socket, through an io_uring ring; print "ok" or the errno
//	attack getfd PID FD        copy PID's descriptor FD (pidfd_getfd); print "ok TARGET" or the errno
//	attack umount PATH         lazily unmount PATH (umount -l); print "ok" or the errno
//	attack cgroupfs DIR        mount a fresh v1 pids cgroupfs on DIR, then unmount it; print "ok" or the errno
//	attack abi i386|x32 PATH   mkdir PATH through another syscall ABI (int $0x80, the x32 bit); print "ok" or the errno
//	attack clonens             start /bin/true in a new user namespace by clone(CLONE_NEWUSER), not unshare; print "ok" or the errno
//	attack ptrace PID          attach to PID with ptrace, then detach; print "ok" or the errno
//	attack sigio PID           have the kernel send PID SIGKILL as a SIGIO owner (fcntl F_SETOWN, F_SETSIG)
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: attack tiocsti TEXT | syscalls NAME... | write FILE TEXT")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "tiocsti":
		tiocsti(os.Args[2])
	case "syscalls":
		for _, n := range os.Args[2:] {
			fmt.Printf("%s=%s\n", n, errName(call(n)))
		}
	case "write":
		err := os.WriteFile(os.Args[2], []byte(os.Args[3]), 0)
		if pe, ok := err.(*os.PathError); ok {
			err = pe.Err
		}
		fmt.Println(errName(err))
	case "capeff":
		b, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "CapEff:") || strings.HasPrefix(l, "CapInh:") {
				fmt.Println(strings.Join(strings.Fields(l), " "))
			}
		}
	case "alloc":
		n, _ := strconv.Atoi(os.Args[2])
		keep := make([][]byte, 0, n)
		for i := 0; i < n; i++ {
			b := make([]byte, 1<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = 1
			}
			keep = append(keep, b)
		}
		fmt.Println("allocated", len(keep))
	case "ls":
		ents, err := os.ReadDir(os.Args[2])
		if pe, ok := err.(*os.PathError); ok {
			err = pe.Err
		}
		if err == nil {
			fmt.Println("ok", len(ents))
		} else {
			fmt.Println(errName(err))
		}
	case "uring":
		fmt.Println(uring(os.Args[2], os.Args[3]))
	case "umount":
		fmt.Println(errName(unix.Unmount(os.Args[2], unix.MNT_DETACH)))
	case "cgroupfs":
		err := unix.Mount("none", os.Args[2], "cgroup", 0, "pids")
		if err == nil {
			unix.Unmount(os.Args[2], unix.MNT_DETACH)
		}
		fmt.Println(errName(err))
	case "abi":
		fmt.Println(otherABI(os.Args[2], os.Args[3]))
	case "clonens":
		c := exec.Command("/bin/true")
		c.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
		err := c.Run()
		var en syscall.Errno
		if errors.As(err, &en) {
			err = en
		}
		fmt.Println(errName(err))
	case "ptrace":
		pid, _ := strconv.Atoi(os.Args[2])
		fmt.Println(attach(pid))
	case "getfd":
		pid, _ := strconv.Atoi(os.Args[2])
		fd, _ := strconv.Atoi(os.Args[3])
		fmt.Println(getfd(pid, fd))
	case "sigio":
		pid, _ := strconv.Atoi(os.Args[2])
		fmt.Println(sigio(pid))
	default:
		fmt.Fprintln(os.Stderr, "attack: unknown mode", os.Args[1])
		os.Exit(2)
	}
}

// sigio names pid the owner of a socket with O_ASYNC and SIGKILL as its
// signal, then makes the socket readable: the kernel itself signals the
// owner, with no kill-family call (fcntl(2), F_SETOWN and F_SETSIG).
func sigio(pid int) string {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return "socketpair " + errName(err)
	}
	if _, err := unix.FcntlInt(uintptr(fds[0]), unix.F_SETOWN, pid); err != nil {
		return "F_SETOWN " + errName(err)
	}
	if _, err := unix.FcntlInt(uintptr(fds[0]), unix.F_SETSIG, int(unix.SIGKILL)); err != nil {
		return "F_SETSIG " + errName(err)
	}
	fl, err := unix.FcntlInt(uintptr(fds[0]), unix.F_GETFL, 0)
	if err == nil {
		_, err = unix.FcntlInt(uintptr(fds[0]), unix.F_SETFL, fl|unix.O_ASYNC)
	}
	if err != nil {
		return "O_ASYNC " + errName(err)
	}
	if _, err := unix.Write(fds[1], []byte{1}); err != nil {
		return "write " + errName(err)
	}
	return "sent"
}

// attach seizes pid with ptrace and lets it go: a tracer can make the
// tracee run any syscall, such as TIOCSTI on its controlling terminal.
func attach(pid int) string {
	runtime.LockOSThread()
	if err := unix.PtraceSeize(pid); err != nil {
		return errName(err)
	}
	unix.PtraceDetach(pid)
	return "ok"
}

// getfd takes a copy of another process's descriptor, as ptrace would let a
// tracer do (pidfd_getfd(2)), and names what it points to.
func getfd(pid, fd int) string {
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return "pidfd_open " + errName(err)
	}
	nfd, err := unix.PidfdGetfd(pfd, fd, 0)
	if err != nil {
		return "pidfd_getfd " + errName(err)
	}
	target, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(nfd))
	return "ok " + target
}

// tiocsti types text into the terminal on fd 0, byte by byte, as CVE-2017-5226 did.
func tiocsti(text string) {
	var err error
	for i := 0; i < len(text) && err == nil; i++ {
		b := text[i]
		_, _, e := unix.Syscall(unix.SYS_IOCTL, 0, unix.TIOCSTI, uintptr(unsafe.Pointer(&b)))
		if e != 0 {
			err = e
		}
	}
	fmt.Println("tiocsti:", errName(err))
}

func errName(err error) string {
	if err == nil {
		return "ok"
	}
	if e, ok := err.(syscall.Errno); ok {
		if n := unix.ErrnoName(e); n != "" {
			return n
		}
	}
	return err.Error()
}

// call makes one raw syscall whose arguments make it harmless (signal 0,
// bad descriptors, ids that stay the same): without a filter it returns
// success or an errno other than EPERM; under procbox's filter, EPERM.
func call(name string) error {
	pid, tid := uintptr(os.Getpid()), uintptr(unix.Gettid())
	uid := uintptr(os.Getuid())
	none := ^uintptr(0) // -1: "leave unchanged"
	empty := []byte{0}
	p := uintptr(unsafe.Pointer(&empty[0]))
	var info [128]byte
	*(*int32)(unsafe.Pointer(&info[8])) = -1 // si_code SI_QUEUE
	var nr uintptr
	var a [6]uintptr
	switch name {
	case "kill":
		nr, a = unix.SYS_KILL, [6]uintptr{pid, 0}
	case "tkill":
		nr, a = unix.SYS_TKILL, [6]uintptr{tid, 0}
	case "tgkill":
		nr, a = unix.SYS_TGKILL, [6]uintptr{pid, tid, 0}
	case "pidfd_send_signal":
		nr, a = unix.SYS_PIDFD_SEND_SIGNAL, [6]uintptr{none, 0}
	case "rt_sigqueueinfo":
		nr, a = unix.SYS_RT_SIGQUEUEINFO, [6]uintptr{pid, 0, uintptr(unsafe.Pointer(&info[0]))}
	case "rt_tgsigqueueinfo":
		nr, a = unix.SYS_RT_TGSIGQUEUEINFO, [6]uintptr{pid, tid, 0, uintptr(unsafe.Pointer(&info[0]))}
	case "setuid":
		nr, a = unix.SYS_SETUID, [6]uintptr{uid}
	case "setreuid":
		nr, a = unix.SYS_SETREUID, [6]uintptr{none, none}
	case "setresuid":
		nr, a = unix.SYS_SETRESUID, [6]uintptr{none, none, none}
	case "setfsuid":
		// setfsuid never fails by itself; it returns the old fsuid. Under
		// the filter the raw call returns -EPERM instead.
		r, _, e := unix.RawSyscall(unix.SYS_SETFSUID, none, 0, 0)
		if e != 0 {
			return e
		}
		if int(r) != os.Getuid() {
			return fmt.Errorf("setfsuid returned %d", int(r))
		}
		return nil
	case "mount":
		nr, a = unix.SYS_MOUNT, [6]uintptr{p, p, p, 0, 0}
	case "fsopen":
		nr, a = unix.SYS_FSOPEN, [6]uintptr{p, 0}
	case "fsconfig":
		nr, a = unix.SYS_FSCONFIG, [6]uintptr{none, 0, 0, 0, 0}
	case "fsmount":
		nr, a = unix.SYS_FSMOUNT, [6]uintptr{none, 0, 0}
	case "move_mount":
		nr, a = unix.SYS_MOVE_MOUNT, [6]uintptr{none, p, none, p, 0}
	case "open_tree":
		nr, a = unix.SYS_OPEN_TREE, [6]uintptr{none, p, 0}
	case "mount_setattr":
		nr, a = unix.SYS_MOUNT_SETATTR, [6]uintptr{none, p, 0, 0, 0}
	default:
		return fmt.Errorf("no harmless call known for %s", name)
	}
	_, _, e := unix.RawSyscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if e != 0 {
		return e
	}
	return nil
}
