package isolate

import (
	"fmt"
	"runtime"
	"unsafe"

	"procbox/internal/kernel"

	"golang.org/x/sys/unix"
)

// loadSeccomp installs a filter that fails the named syscalls (and their
// newer forms, see syscallAliases) with EPERM and allows everything else.
// TSYNC puts it on every thread of the process at once; filters only ever
// add up, so a later call can deny more but never allow again.
func loadSeccomp(names []string) error {
	denied := expandSyscalls(names)
	if len(denied) == 0 {
		return nil
	}
	if seccompAuditArch == 0 {
		return fmt.Errorf("seccomp filter denying %v: no syscall table for %s", denied, runtime.GOARCH)
	}
	nrs := make([]uint32, 0, len(denied))
	for _, n := range denied {
		nr, _ := kernel.SyscallNumber(n) // expandSyscalls keeps only names in the table
		nrs = append(nrs, uint32(nr))
	}
	var args []argDenial
	for _, c := range seccompArgCalls(denied) {
		nr, ok := kernel.SyscallNumber(c.Name)
		if !ok {
			return fmt.Errorf("seccomp filter denying %v: no %s on %s", denied, c.Name, runtime.GOARCH)
		}
		args = append(args, argDenial{Nr: uint32(nr), Arg: c.Arg, Value: c.Value, AnyBit: c.AnyBit, Always: c.Always, Errno: c.Errno})
	}
	prog := buildDenyFilter(seccompAuditArch, seccompX32Bit, nrs, args...)
	if len(prog) > bpfMaxInsn {
		return fmt.Errorf("seccomp filter denying %v: %d instructions, more than the kernel's %d", denied, len(prog), bpfMaxInsn)
	}
	// bpfInstruction has sock_filter's layout; copying keeps the pure builder
	// free of the unix package.
	filter := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = unix.SockFilter{Code: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}

	// Without no_new_privs only a holder of CAP_SYS_ADMIN may install a filter;
	// setting it again is harmless when the caller already did.
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("seccomp filter denying %v: prctl no_new_privs: %v", denied, err)
	}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	if errno != 0 {
		return fmt.Errorf("seccomp filter denying %v: %v", denied, errno)
	}
	if r != 0 {
		// With TSYNC a positive result is a thread that could not take the filter.
		return fmt.Errorf("seccomp filter denying %v: thread %d could not be synchronised", denied, r)
	}
	return nil
}
