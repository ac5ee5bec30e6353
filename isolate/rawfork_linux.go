package isolate

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// rawForkSleeper clones this process with a bare clone(2) and returns the new
// PID. The copy runs no Go code at all after the clone: it asks to die with
// its parent and blocks in ppoll forever. It is the smallest process a Go
// program can make without exec, which is what a fork bomb needs. nosplit and
// norace: in the copy there is no runtime to grow a stack or race-check with
// (the same rules os/exec's forkAndExecInChild follows).
//
//go:norace
//go:nosplit
func rawForkSleeper() (int, syscall.Errno) {
	r1, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	if r1 != 0 {
		return int(r1), 0
	}
	syscall.RawSyscall(syscall.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0)
	for {
		syscall.RawSyscall6(unix.SYS_PPOLL, 0, 0, 0, 0, 0, 0)
	}
}
