package inspect

import (
	"fmt"
	"strconv"
	"strings"

	"procbox/internal/kernel"
)

// parseSyscall decodes /proc/PID/syscall (proc_pid_syscall(5)):
//   - "running": the process is on a CPU, nothing to show;
//   - "-1 SP PC": blocked, but not in a system call;
//   - "NR A1 A2 A3 A4 A5 A6 SP PC": in system call NR with its six argument
//     registers, stack pointer and program counter (hex, 0x-prefixed).
func parseSyscall(text string) (Syscall, error) {
	f := strings.Fields(text)
	switch {
	case len(f) == 1 && f[0] == "running":
		return Syscall{Running: true, Number: -1}, nil
	case len(f) == 3 && f[0] == "-1":
		sp, err1 := parseHex(f[1])
		pc, err2 := parseHex(f[2])
		if err1 != nil || err2 != nil {
			return Syscall{}, fmt.Errorf("syscall %q: bad register", text)
		}
		return Syscall{Number: -1, SP: sp, PC: pc}, nil
	case len(f) == 9:
		nr, err := strconv.Atoi(f[0])
		if err != nil || nr < 0 {
			return Syscall{}, fmt.Errorf("syscall %q: bad number", text)
		}
		s := Syscall{Number: nr, Name: kernel.SyscallName(nr), Args: make([]uint64, 6)}
		for i := 0; i < 6; i++ {
			if s.Args[i], err = parseHex(f[1+i]); err != nil {
				return Syscall{}, fmt.Errorf("syscall %q: bad argument %d", text, i+1)
			}
		}
		if s.SP, err = parseHex(f[7]); err != nil {
			return Syscall{}, fmt.Errorf("syscall %q: bad stack pointer", text)
		}
		if s.PC, err = parseHex(f[8]); err != nil {
			return Syscall{}, fmt.Errorf("syscall %q: bad program counter", text)
		}
		return s, nil
	}
	return Syscall{}, fmt.Errorf("syscall %q: want running, -1 SP PC, or NR + 8 registers", text)
}

func parseHex(s string) (uint64, error) {
	return strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
}
