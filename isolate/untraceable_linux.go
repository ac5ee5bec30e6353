package isolate

// procbox is not dumpable once it has a child: a child with procbox's uid and
// no user namespace (a normal user's `run`, or a Lab child without one) could
// otherwise PTRACE_ATTACH procbox, or open /proc/PID/mem, and have it make any
// syscall — outside the child's seccomp filter, and TIOCSTI on procbox's
// controlling terminal, the caller's, typing into the caller's shell (the
// CVE-2017-5226 class by another road). For a process that is not dumpable
// only CAP_SYS_PTRACE passes ptrace's access check (ptrace(2), "Ptrace
// access mode checking"); pidfd_getfd and process_vm_writev use the same one.

import (
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
)

// startUntraceable starts cmd and leaves procbox not dumpable. An
// unprivileged caller's user namespace is the exception during the start
// itself: Go writes the child's uid and gid maps into its /proc between fork
// and exec, and a child forked from a process that is not dumpable has
// root-owned /proc files until it execs. The window is that start; the exec
// makes the child dumpable again, and procbox closes behind it.
func startUntraceable(cmd *exec.Cmd) error {
	if os.Geteuid() != 0 && cmd.SysProcAttr != nil && len(cmd.SysProcAttr.UidMappings) > 0 {
		unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0)
	}
	err := cmd.Start()
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	return err
}
