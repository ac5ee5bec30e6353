package isolate

import (
	"slices"

	"procbox/internal/kernel"
)

// syscallFamilies group the syscalls that do one job. Denying one name of a
// family denies all of it: a filter on kill alone still lets tgkill or
// pidfd_send_signal signal a host process, one on mount alone leaves the new
// mount API (fsopen, fsmount, move_mount, …), and libc and Go call the *at
// forms (mkdir is mkdirat on most systems). Names missing on this
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
	{"ptrace", "process_vm_readv", "process_vm_writev"},
	{"chroot", "pivot_root"},
	{"unshare"},
	{"setns"},
}

// SeccompFamily lists what denying name denies on this architecture: every
// syscall of each family name belongs to (unlinkat is in unlink's and
// rmdir's), or name alone. The Lab shows it; --explain prints it.
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
