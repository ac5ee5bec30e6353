package isolate

import (
	"slices"

	"procbox/internal/kernel"
)

// syscallFamilies group the syscalls that do one job. Denying one name of a
// family denies all of it: a filter on kill alone still lets tgkill or
// pidfd_send_signal signal a host process, one on mount alone leaves the new
// mount API (fsopen, fsmount, move_mount, …), and libc and Go call the *at
// forms (mkdir is mkdirat on most systems); pidfd_getfd takes a copy of
// another process's file descriptor under ptrace's own access check. Names missing on this
// architecture (the 32-bit setuid32 on amd64, mkdir on arm64) are skipped.
// Docker's and runc's default profiles decide per family the same way.
var syscallFamilies = [][]string{
	{"kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo"},
	{"setuid", "setreuid", "setresuid", "setfsuid", "setuid32", "setreuid32", "setresuid32", "setfsuid32"},
	{"setgid", "setregid", "setresgid", "setfsgid", "setgroups", "setgid32", "setregid32", "setresgid32", "setfsgid32", "setgroups32"},
	{"mount", "fsopen", "fsmount", "fsconfig", "fspick", "move_mount", "open_tree", "mount_setattr"},
	{"umount2", "umount"},
	{"open", "creat", "openat", "openat2", "open_by_handle_at"},
	{"execve", "execveat"},
	{"fork", "vfork", "clone", "clone3"},
	{"mkdir", "mkdirat"},
	{"mknod", "mknodat"},
	{"chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32"},
	{"chmod", "fchmod", "fchmodat", "fchmodat2"},
	{"unlink", "unlinkat"},
	{"rmdir", "unlinkat"},
	{"rename", "renameat", "renameat2"},
	{"link", "linkat"},
	{"symlink", "symlinkat"},
	{"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd"},
	{"chroot", "pivot_root"},
	{"unshare"},
	{"setns"},
	{"io_uring_setup", "io_uring_enter", "io_uring_register"},
}

// ioURingJobs are the calls an io_uring ring also makes, where no filter on
// the call itself sees them: the kernel runs IORING_OP_OPENAT, _MKDIRAT,
// _UNLINKAT, _RENAMEAT, _LINKAT, _SYMLINKAT, _SOCKET, _BIND, _LISTEN,
// _CONNECT, _ACCEPT, _SENDMSG, _SHUTDOWN, _FTRUNCATE, _SETXATTR, … from the
// ring (io_uring_enter(2)). Denying one of these denies the ring as well
// (Docker's default profile denies io_uring outright); denying the ring
// alone denies only it. Calls the Go runtime needs (read, write, close) are
// never denied, so they need no entry.
var ioURingJobs = []string{
	"open", "creat", "openat", "openat2", "mkdir", "mkdirat", "unlink", "unlinkat", "rmdir",
	"rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat",
	"socket", "bind", "listen", "connect", "accept", "accept4", "sendto", "sendmsg", "sendmmsg",
	"recvfrom", "recvmsg", "shutdown", "setsockopt", "getsockopt",
	"statx", "fallocate", "fadvise64", "splice", "tee", "sync_file_range", "fsync", "fdatasync",
	"setxattr", "fsetxattr", "getxattr", "fgetxattr", "ftruncate", "pipe", "pipe2",
	"readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
}

// ioURing is the family io_uring(7) is set up and driven with.
var ioURing = []string{"io_uring_setup", "io_uring_enter", "io_uring_register"}

// argCall is one call denied only with one argument value, or whole with
// another errno (see argDenial).
type argCall struct {
	Name   string // the syscall
	Arg    int    // which argument, from 0
	Value  uint32 // its value (the same on amd64 and arm64)
	AnyBit bool   // any of Value's bits set, not equality
	Always bool   // the whole call, whatever its arguments
	Errno  uint32 // 0: EPERM
	Text   string // what --explain prints
}

// signalOwnerCalls do the kill family's job through the kernel: the owner of
// a file with O_ASYNC gets SIGIO, or any signal F_SETSIG names (SIGKILL
// too), each time the file becomes ready, and the kernel checks only the
// uid that named the owner, not CAP_KILL (fcntl(2) F_SETOWN). A child denied
// kill could otherwise make the owner a host process and write one byte.
var signalOwnerCalls = []argCall{
	{Name: "fcntl", Arg: 1, Value: 8, Text: "fcntl F_SETOWN"},
	{Name: "fcntl", Arg: 1, Value: 15, Text: "fcntl F_SETOWN_EX"},
	{Name: "ioctl", Arg: 1, Value: 0x8901, Text: "ioctl FIOSETOWN"},
	{Name: "ioctl", Arg: 1, Value: 0x8902, Text: "ioctl SIOCSPGRP"},
}

// newNamespaceCalls do unshare's job at fork: clone with any CLONE_NEW* flag
// makes the child's namespaces, a user namespace included, as unshare(2)
// would (CLONE_NEWNS 0x20000, CLONE_NEWCGROUP through CLONE_NEWNET
// 0x02000000-0x40000000). clone3 passes its flags in memory, where a filter
// cannot look, so it fails whole with ENOSYS, as in Docker's profile: libc
// then falls back to clone, and the Go runtime uses clone for its threads.
var newNamespaceCalls = []argCall{
	{Name: "clone", Arg: 0, Value: 0x7e020000, AnyBit: true, Text: "clone with a CLONE_NEW* flag"},
	{Name: "clone3", Always: true, Errno: 38, Text: "clone3 (ENOSYS: libc falls back to clone)"},
}

// seccompArgCalls lists the argument-checked calls denied along with the
// expanded syscall list denied: those that name a signal's owner when the
// kill family is denied, and clone's namespace flags with unshare.
func seccompArgCalls(denied []string) []argCall {
	var out []argCall
	if slices.Contains(denied, "kill") {
		out = append(out, signalOwnerCalls...)
	}
	if slices.Contains(denied, "unshare") {
		out = append(out, newNamespaceCalls...)
	}
	return out
}

// SeccompFamily lists what denying name denies on this architecture: every
// syscall of each family name belongs to (unlinkat is in unlink's and
// rmdir's) and the io_uring calls for a job a ring can do, or name alone. The Lab shows it; --explain prints it.
func SeccompFamily(name string) []string {
	var out []string
	add := func(n string) {
		if _, ok := kernel.SyscallNumber(n); ok && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	add(name)
	for _, f := range syscallFamilies {
		if slices.Contains(f, name) {
			for _, n := range f {
				add(n)
			}
		}
	}
	for _, n := range out {
		if slices.Contains(ioURingJobs, n) {
			for _, m := range ioURing {
				add(m)
			}
			break
		}
	}
	return out
}

// expandSyscalls returns the families of names, in order, without duplicates.
func expandSyscalls(names []string) []string {
	var out []string
	for _, n := range names {
		for _, m := range SeccompFamily(n) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}
