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
	bpfJsetK   = 0x05 | 0x40 | 0x00 // BPF_JMP | BPF_JSET | BPF_K: jump if A & K != 0
	bpfRetK    = 0x06 | 0x00        // BPF_RET | BPF_K
	bpfMaxInsn = 4096               // BPF_MAXINSNS: the kernel refuses longer programs
)

// Offsets in struct seccomp_data { int nr; __u32 arch; __u64 ip; __u64 args[6]; }.
const (
	seccompDataNr   = 0
	seccompDataArch = 4
	seccompDataArgs = 16 // args[i] at 16+8*i; its low 32 bits first on a little-endian machine
)

// Filter return values (linux/seccomp.h). The low 16 bits of ERRNO carry the errno.
const (
	seccompRetKillProcess = 0x80000000
	seccompRetErrno       = 0x00050000
	seccompRetAllow       = 0x7fff0000
	errnoEPERM            = 1
	errnoENOSYS           = 38
)

// argDenial fails syscall Nr only when the low 32 bits of its argument Arg
// match Value: equal to it (fcntl(fd, F_SETOWN, …) but not F_GETFL), or,
// with AnyBit, sharing a set bit with it (clone with any CLONE_NEW* flag).
// The kernel reads int and unsigned int arguments from those 32 bits alone.
// With Always the call fails whatever its arguments. Errno 0 means EPERM.
type argDenial struct {
	Nr     uint32
	Arg    int
	Value  uint32
	AnyBit bool
	Always bool
	Errno  uint32
}

// buildDenyFilter returns a program that fails each of nrs, and each call
// args describes, with EPERM and allows every other call. A call from another ABI (another arch value, or the
// x32 bit when x32Bit is not 0) kills the process: its numbers mean other
// calls, so neither allowing nor denying by our list would be right.
//
// Layout: load arch; if it is not ours, kill. Load nr; (x32 check); then for
// each denied number a JEQ that falls into its own RET ERRNO when equal and
// skips it otherwise; each argDenial a block of five: JEQ nr (else skip the
// block), load the argument, JEQ (or JSET) value into RET ERRNO, load nr
// back; one that is Always, a pair like the plain denials. Then
// RET ALLOW. Every jump stays at most 4, so the 8-bit offsets never overflow
// however long the lists are.
func buildDenyFilter(auditArch, x32Bit uint32, nrs []uint32, args ...argDenial) []bpfInstruction {
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
	for _, d := range args {
		errno := d.Errno
		if errno == 0 {
			errno = errnoEPERM
		}
		if d.Always {
			prog = append(prog,
				bpfInstruction{Code: bpfJeqK, K: d.Nr, Jt: 0, Jf: 1},
				bpfInstruction{Code: bpfRetK, K: seccompRetErrno | errno})
			continue
		}
		match := uint16(bpfJeqK)
		if d.AnyBit {
			match = bpfJsetK
		}
		prog = append(prog,
			bpfInstruction{Code: bpfJeqK, K: d.Nr, Jt: 0, Jf: 4},
			bpfInstruction{Code: bpfLdWAbs, K: uint32(seccompDataArgs + 8*d.Arg)},
			bpfInstruction{Code: match, K: d.Value, Jt: 0, Jf: 1},
			bpfInstruction{Code: bpfRetK, K: seccompRetErrno | errno},
			bpfInstruction{Code: bpfLdWAbs, K: seccompDataNr})
	}
	return append(prog, bpfInstruction{Code: bpfRetK, K: seccompRetAllow})
}
