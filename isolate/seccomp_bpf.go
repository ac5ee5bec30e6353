package isolate

// The seccomp filter as a classic BPF program, built here without any kernel
// call so tests can read it and run it (see seccomp_bpf_test.go). Installing it
// is seccomp_linux.go's job.

// bpfInstruction has the layout of the kernel's struct sock_filter.
type bpfInstruction struct {
	Code uint16
	Jt   uint8
	Jf   uint8
	K    uint32
}

// Classic BPF opcodes the filter uses (linux/bpf_common.h).
const (
	bpfLdWAbs  = 0x00 | 0x00 | 0x20 // BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset K
	bpfJeqK    = 0x05 | 0x10 | 0x00 // BPF_JMP | BPF_JEQ | BPF_K
	bpfJgeK    = 0x05 | 0x30 | 0x00 // BPF_JMP | BPF_JGE | BPF_K (unsigned)
	bpfRetK    = 0x06 | 0x00        // BPF_RET | BPF_K
	bpfMaxInsn = 4096               // BPF_MAXINSNS: the kernel refuses longer programs
)

// Offsets in struct seccomp_data { int nr; __u32 arch; __u64 ip; __u64 args[6]; }.
const (
	seccompDataNr   = 0
	seccompDataArch = 4
)

// Filter return values (linux/seccomp.h). The low 16 bits of ERRNO carry the errno.
const (
	seccompRetKillProcess = 0x80000000
	seccompRetErrno       = 0x00050000
	seccompRetAllow       = 0x7fff0000
	errnoEPERM            = 1
)

// buildDenyFilter returns a program that fails each of nrs with EPERM and
// allows every other call. A call from another ABI (another arch value, or the
// x32 bit when x32Bit is not 0) kills the process: its numbers mean other
// calls, so neither allowing nor denying by our list would be right.
//
// Layout: load arch; if it is not ours, kill. Load nr; (x32 check); then for
// each denied number a JEQ that falls into its own RET ERRNO when equal and
// skips it otherwise; finally RET ALLOW. Pairs keep every jump at 0 or 1, so
// the 8-bit jump offsets never overflow however long the list is.
func buildDenyFilter(auditArch, x32Bit uint32, nrs []uint32) []bpfInstruction {
	prog := []bpfInstruction{
		{Code: bpfLdWAbs, K: seccompDataArch},
		{Code: bpfJeqK, K: auditArch, Jt: 1, Jf: 0},
		{Code: bpfRetK, K: seccompRetKillProcess},
		{Code: bpfLdWAbs, K: seccompDataNr},
	}
	if x32Bit != 0 {
		prog = append(prog,
			bpfInstruction{Code: bpfJgeK, K: x32Bit, Jt: 0, Jf: 1},
			bpfInstruction{Code: bpfRetK, K: seccompRetKillProcess})
	}
	seen := map[uint32]bool{}
	for _, nr := range nrs {
		if seen[nr] {
			continue
		}
		seen[nr] = true
		prog = append(prog,
			bpfInstruction{Code: bpfJeqK, K: nr, Jt: 0, Jf: 1},
			bpfInstruction{Code: bpfRetK, K: seccompRetErrno | errnoEPERM})
	}
	return append(prog, bpfInstruction{Code: bpfRetK, K: seccompRetAllow})
}
