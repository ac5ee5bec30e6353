package isolate

// seccompAuditArch is AUDIT_ARCH_X86_64, the value seccomp_data.arch holds for
// a native 64-bit system call; the 32-bit int 0x80 entry reports another one
// and numbers its calls differently, so the filter must not judge it by ours.
const seccompAuditArch = 0xc000003e

// seccompX32Bit marks x32-ABI calls: they arrive with the x86-64 arch value
// and nr|0x40000000, so without this check mkdir could slip past as x32 mkdir.
const seccompX32Bit = 0x40000000
