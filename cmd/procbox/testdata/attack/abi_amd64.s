#include "textflag.h"

// func int80(nr, a1, a2, a3 uint32) int32
// A system call through the 32-bit entry (int $0x80): the kernel takes it
// as an i386 call, with i386 numbers, whatever the process's own ABI.
TEXT ·int80(SB), NOSPLIT, $0-20
	MOVL nr+0(FP), AX
	MOVL a1+4(FP), BX
	MOVL a2+8(FP), CX
	MOVL a3+12(FP), DX
	INT $0x80
	MOVL AX, ret+16(FP)
	RET
