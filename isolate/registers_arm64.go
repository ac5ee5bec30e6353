//go:build linux && arm64

package isolate

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// readRegisters reads a ptrace-stopped thread's general registers.
func readRegisters(tid int) (Registers, error) {
	var r unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &r); err != nil {
		return Registers{}, err
	}
	regs := []Register{{"pc", r.Pc}, {"sp", r.Sp}, {"pstate", r.Pstate}}
	for i, v := range r.Regs {
		regs = append(regs, Register{fmt.Sprintf("x%d", i), v})
	}
	return Registers{PC: r.Pc, SP: r.Sp, Regs: regs}, nil
}
