package isolate

import (
	"testing"

	"procbox/internal/kernel"
)

// runBPF interprets the few classic BPF instructions buildDenyFilter emits on
// one seccomp_data (nr, arch), the way the kernel would, and returns the
// filter's verdict. Any other opcode fails the test: the builder must not
// emit what this proof does not check.
func runBPF(t *testing.T, prog []bpfInstruction, nr int32, arch uint32) uint32 {
	t.Helper()
	return runBPFArgs(t, prog, nr, arch, [6]uint64{})
}

// runBPFArgs is runBPF with the call's arguments: a load of args[i] reads
// its low 32 bits, as on a little-endian machine.
func runBPFArgs(t *testing.T, prog []bpfInstruction, nr int32, arch uint32, args [6]uint64) uint32 {
	t.Helper()
	var a uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case bpfLdWAbs:
			switch in.K {
			case seccompDataNr:
				a = uint32(nr)
			case seccompDataArch:
				a = arch
			case seccompDataArgs, seccompDataArgs + 8, seccompDataArgs + 16, seccompDataArgs + 24, seccompDataArgs + 32, seccompDataArgs + 40:
				a = uint32(args[(in.K-seccompDataArgs)/8])
			default:
				t.Fatalf("pc %d: load from offset %d", pc, in.K)
			}
		case bpfJeqK:
			if a == in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case bpfJsetK:
			if a&in.K != 0 {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case bpfJgeK:
			if a >= in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case bpfRetK:
			return in.K
		default:
			t.Fatalf("pc %d: opcode %#x not expected", pc, in.Code)
		}
	}
	t.Fatalf("program ran off its end")
	return 0
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
