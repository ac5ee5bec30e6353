package isolate

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"

	"procbox/internal/kernel"
)

// runBPF runs the filter on one seccomp_data (nr, arch) in golang.org/x/net/bpf's
// virtual machine, the test oracle for what the kernel would answer, and
// returns the verdict.
func runBPF(t *testing.T, prog []bpfInstruction, nr int32, arch uint32) uint32 {
	t.Helper()
	return runBPFArgs(t, prog, nr, arch, [6]uint64{})
}

// runBPFArgs is runBPF with the call's arguments. The kernel loads each
// 32-bit word of seccomp_data in the machine's byte order (args[i]'s low
// half at 16+8*i on a little-endian machine); the VM reads a packet
// big-endian, so the data is laid out big-endian with the same words at the
// same offsets. Only instructions seccomp accepts may appear: a 32-bit load
// from seccomp_data, jumps and returns (seccomp refuses packet loads such as
// byte, half-word and indirect ones).
func runBPFArgs(t *testing.T, prog []bpfInstruction, nr int32, arch uint32, args [6]uint64) uint32 {
	t.Helper()
	raw := make([]bpf.RawInstruction, len(prog))
	for i, in := range prog {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	insns, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatalf("the filter holds an instruction classic BPF does not know: %+v", prog)
	}
	for pc, in := range insns {
		switch in := in.(type) {
		case bpf.LoadAbsolute:
			if in.Size != 4 || in.Off%4 != 0 || in.Off >= 64 {
				t.Fatalf("pc %d: %v is not a word of seccomp_data", pc, in)
			}
		case bpf.JumpIf, bpf.Jump, bpf.RetConstant:
		default:
			t.Fatalf("pc %d: %v (%T) is not an instruction this filter should need", pc, in, in)
		}
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatalf("the VM refuses the filter: %v", err)
	}
	data := make([]byte, 64) // struct seccomp_data: nr, arch, ip, args[6]
	binary.BigEndian.PutUint32(data[seccompDataNr:], uint32(nr))
	binary.BigEndian.PutUint32(data[seccompDataArch:], arch)
	for i, a := range args {
		binary.BigEndian.PutUint32(data[seccompDataArgs+8*i:], uint32(a))
		binary.BigEndian.PutUint32(data[seccompDataArgs+8*i+4:], uint32(a>>32))
	}
	verdict, err := vm.Run(data)
	if err != nil {
		t.Fatalf("running the filter: %v", err)
	}
	return uint32(verdict)
}

const (
	testArchX86   = 0xc000003e
	testArchI386  = 0x40000003
	testArchArm64 = 0xc00000b7
)

func TestBuildDenyFilterInstructions(t *testing.T) {
	got := buildDenyFilter(testArchX86, 0x40000000, []uint32{83, 258, 83})
	want := []bpfInstruction{
		{Code: bpfLdWAbs, K: 4},
		{Code: bpfJeqK, K: testArchX86, Jt: 1},
		{Code: bpfRetK, K: 0x80000000},
		{Code: bpfLdWAbs, K: 0},
		{Code: bpfJgeK, K: 0x40000000, Jf: 1},
		{Code: bpfRetK, K: 0x80000000},
		{Code: bpfJeqK, K: 83, Jf: 1},
		{Code: bpfRetK, K: 0x50001},
		{Code: bpfJeqK, K: 258, Jf: 1},
		{Code: bpfRetK, K: 0x50001},
		{Code: bpfRetK, K: 0x7fff0000},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d instructions, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("instruction %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Without an x32 bit (arm64) the two x32 instructions are left out.
	if n := len(buildDenyFilter(testArchArm64, 0, []uint32{34})); n != 4+2+1 {
		t.Errorf("arm64 filter for one call has %d instructions, want 7", n)
	}
}

func TestBuildDenyFilterVerdicts(t *testing.T) {
	const eperm = 0x50001
	prog := buildDenyFilter(testArchX86, 0x40000000, []uint32{83, 258})
	cases := []struct {
		name string
		nr   int32
		arch uint32
		want uint32
	}{
		{"mkdir denied", 83, testArchX86, eperm},
		{"mkdirat denied", 258, testArchX86, eperm},
		{"read allowed", 0, testArchX86, 0x7fff0000},
		{"getpid allowed", 39, testArchX86, 0x7fff0000},
		{"number next to a denied one allowed", 84, testArchX86, 0x7fff0000},
		{"x32 mkdir killed", 0x40000000 | 83, testArchX86, 0x80000000},
		{"i386 call killed", 39, testArchI386, 0x80000000},
		{"negative number killed (above the x32 bit unsigned)", -1, testArchX86, 0x80000000},
	}
	for _, c := range cases {
		if got := runBPF(t, prog, c.nr, c.arch); got != c.want {
			t.Errorf("%s: verdict %#x, want %#x", c.name, got, c.want)
		}
	}
}

// TestBuildDenyFilterEveryCall denies every call of this architecture's
// table (the longest filter possible) and checks it stays within the
// kernel's limit and still denies the last one: jumps never overflow.
func TestBuildDenyFilterEveryCall(t *testing.T) {
	var nrs []uint32
	for nr := range kernel.Syscalls {
		nrs = append(nrs, uint32(nr))
	}
	if len(nrs) == 0 {
		t.Skip("no syscall table for this architecture")
	}
	prog := buildDenyFilter(seccompAuditArch, seccompX32Bit, nrs)
	if len(prog) > bpfMaxInsn {
		t.Fatalf("%d instructions, over the kernel's %d", len(prog), bpfMaxInsn)
	}
	last := nrs[len(nrs)-1]
	if got := runBPF(t, prog, int32(last), seccompAuditArch); got != seccompRetErrno|errnoEPERM {
		t.Errorf("last call %d: verdict %#x, want EPERM", last, got)
	}
}

// TestBuildDenyFilterArgs: a call denied with one argument value only (fcntl
// F_SETOWN, the kill family's way round through SIGIO) fails with that value
// and no other, and the blocks after one that did not match still see the
// syscall number (each block loads it back).
func TestBuildDenyFilterArgs(t *testing.T) {
	const (
		eperm, allow        = 0x50001, 0x7fff0000
		fcntl, ioctl, mkdir = 72, 16, 83
	)
	prog := buildDenyFilter(testArchX86, 0x40000000, []uint32{mkdir},
		argDenial{Nr: fcntl, Arg: 1, Value: 8}, argDenial{Nr: fcntl, Arg: 1, Value: 15},
		argDenial{Nr: ioctl, Arg: 1, Value: 0x8901})
	cases := []struct {
		name string
		nr   int32
		args [6]uint64
		want uint32
	}{
		{"fcntl F_SETOWN denied", fcntl, [6]uint64{3, 8, 1234}, eperm},
		{"fcntl F_SETOWN_EX denied", fcntl, [6]uint64{3, 15}, eperm},
		{"F_SETOWN with high bits set denied (the kernel reads 32)", fcntl, [6]uint64{3, 1<<32 | 8}, eperm},
		{"fcntl F_GETFL allowed", fcntl, [6]uint64{3, 3}, allow},
		{"fcntl with 8 in another argument allowed", fcntl, [6]uint64{8, 4, 8}, allow},
		{"ioctl FIOSETOWN denied", ioctl, [6]uint64{3, 0x8901}, eperm},
		{"ioctl TCGETS allowed", ioctl, [6]uint64{0, 0x5401}, allow},
		{"mkdir still denied", mkdir, [6]uint64{}, eperm},
		{"a call whose number equals F_SETOWN allowed", 8, [6]uint64{3, 8}, allow},
	}
	for _, c := range cases {
		if got := runBPFArgs(t, prog, c.nr, testArchX86, c.args); got != c.want {
			t.Errorf("%s: verdict %#x, want %#x", c.name, got, c.want)
		}
	}
}

// TestBuildDenyFilterNamespaceFlags: with unshare denied, clone fails when
// any CLONE_NEW* flag is set (a bit test, not equality) and works for a
// thread or a fork; clone3 fails whole with ENOSYS so libc falls back.
func TestBuildDenyFilterNamespaceFlags(t *testing.T) {
	const (
		clone, clone3, unshare = 56, 435, 272
		eperm, enosys, allow   = 0x50001, 0x50026, 0x7fff0000
		thread                 = 0x003d0f00 // CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|…
	)
	var args []argDenial
	for _, c := range newNamespaceCalls {
		nr := map[string]uint32{"clone": clone, "clone3": clone3}[c.Name]
		args = append(args, argDenial{Nr: nr, Arg: c.Arg, Value: c.Value, AnyBit: c.AnyBit, Always: c.Always, Errno: c.Errno})
	}
	prog := buildDenyFilter(testArchX86, 0x40000000, []uint32{unshare}, args...)
	for _, c := range []struct {
		name  string
		nr    int32
		flags uint64
		want  uint32
	}{
		{"unshare", unshare, 0, eperm},
		{"clone CLONE_NEWUSER", clone, 0x10000000 | 17, eperm},
		{"clone CLONE_NEWNS", clone, 0x20000 | 17, eperm},
		{"clone CLONE_NEWNET|CLONE_NEWPID", clone, 0x60000000, eperm},
		{"clone CLONE_NEWCGROUP", clone, 0x02000000, eperm},
		{"clone for a thread", clone, thread, allow},
		{"fork through clone (SIGCHLD)", clone, 17, allow},
		{"vfork through clone", clone, 0x4100 | 17, allow},
		{"clone3", clone3, 0, enosys},
	} {
		if got := runBPFArgs(t, prog, c.nr, testArchX86, [6]uint64{c.flags}); got != c.want {
			t.Errorf("%s: verdict %#x, want %#x", c.name, got, c.want)
		}
	}
}
