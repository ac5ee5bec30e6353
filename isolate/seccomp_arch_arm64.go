package isolate

// seccompAuditArch is AUDIT_ARCH_AARCH64, the value seccomp_data.arch holds for
// a native arm64 system call (a 32-bit compat call reports another one).
const seccompAuditArch = 0xc00000b7

// seccompX32Bit is 0: arm64 has no second ABI sharing its arch value.
const seccompX32Bit = 0
