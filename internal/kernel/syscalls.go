package kernel

import "strconv"

// SyscallName names system call nr of the running architecture (syscalls(2)),
// or "syscall_N" when this build's table does not know it.
func SyscallName(nr int) string {
	if n, ok := LookupSyscall(nr); ok {
		return n
	}
	return "syscall_" + strconv.Itoa(nr)
}

// LookupSyscall names system call nr of the running architecture; ok is
// false for numbers the table does not hold.
func LookupSyscall(nr int) (name string, ok bool) {
	if nr < 0 || nr >= len(syscallNames) || syscallNames[nr] == "" {
		return "", false
	}
	return syscallNames[nr], true
}

// SyscallNumber finds name in the running architecture's table. A linear
// scan of a few hundred strings costs microseconds and runs only for names a
// user typed, where a map would cost its build at every start.
func SyscallNumber(name string) (nr int, ok bool) {
	if name == "" {
		return 0, false
	}
	for nr, n := range syscallNames {
		if n == name {
			return nr, true
		}
	}
	return 0, false
}

// Syscalls calls yield with every system call of the running architecture's
// table, in number order, until yield returns false.
func Syscalls(yield func(nr int, name string) bool) {
	for nr, n := range syscallNames {
		if n != "" && !yield(nr, n) {
			return
		}
	}
}

// HaveSyscallTable reports whether this build has a table for the running
// architecture (amd64 and arm64 today).
func HaveSyscallTable() bool { return len(syscallNames) > 0 }
