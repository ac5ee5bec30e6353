//go:build linux && amd64

package isolate

import "golang.org/x/sys/unix"

// readRegisters reads a ptrace-stopped thread's general registers.
func readRegisters(tid int) (Registers, error) {
	var r unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &r); err != nil {
		return Registers{}, err
	}
	regs := []Register{
		{"rip", r.Rip}, {"rsp", r.Rsp}, {"rbp", r.Rbp}, {"rax", r.Rax}, {"rbx", r.Rbx},
		{"rcx", r.Rcx}, {"rdx", r.Rdx}, {"rsi", r.Rsi}, {"rdi", r.Rdi}, {"r8", r.R8},
		{"r9", r.R9}, {"r10", r.R10}, {"r11", r.R11}, {"r12", r.R12}, {"r13", r.R13},
		{"r14", r.R14}, {"r15", r.R15}, {"eflags", r.Eflags}, {"orig_rax", r.Orig_rax},
		{"fs_base", r.Fs_base},
	}
	return Registers{PC: r.Rip, SP: r.Rsp, Regs: regs}, nil
}
