package isolate

import (
	"encoding/binary"
	"slices"
	"testing"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/net/bpf"

	"procbox/internal/kernel"
)

// TestDenyFilterAgreesWithElastic holds procbox's own filter builder to
// elastic/go-seccomp-bpf, the library it stands in for: for several
// denylists, elastic's policy assembled for this machine and procbox's
// filter, both run in x/net/bpf's VM, give every system call number of this
// architecture the same verdict, EPERM or allow.
//
// Two answers differ on purpose and are left out: a call from another
// architecture (elastic lets its default action decide, allow; procbox
// kills, as its numbers would mean other calls), and an x32 call (elastic
// ENOSYS, procbox kills). TestBuildDenyFilterVerdicts checks those.
func TestDenyFilterAgreesWithElastic(t *testing.T) {
	if seccompAuditArch == 0 {
		t.Skip("no seccomp filter on this architecture")
	}
	maxNr := 0
	for nr := range kernel.Syscalls {
		maxNr = max(maxNr, nr)
	}
	for _, family := range []string{"mkdir", "kill", "mount", "open", "chown", "ptrace", "unshare", "setuid"} {
		t.Run(family, func(t *testing.T) {
			var names []string
			var nrs []uint32
			for _, n := range SeccompFamily(family) {
				nr, ok := kernel.SyscallNumber(n)
				if !ok {
					continue
				}
				names = append(names, n)
				nrs = append(nrs, uint32(nr))
			}
			policy := seccomp.Policy{DefaultAction: seccomp.ActionAllow,
				Syscalls: []seccomp.SyscallGroup{{Names: names, Action: seccomp.ActionErrno}}}
			theirs, err := policy.Assemble()
			if err != nil {
				t.Skipf("elastic cannot assemble %v on this architecture: %v", names, err)
			}
			vm, err := bpf.NewVM(theirs)
			if err != nil {
				t.Fatalf("the VM refuses elastic's filter: %v", err)
			}
			ours := buildDenyFilter(seccompAuditArch, seccompX32Bit, nrs)
			denied := 0
			for nr := 0; nr <= maxNr+16; nr++ {
				data := make([]byte, 64)
				binary.BigEndian.PutUint32(data[seccompDataNr:], uint32(nr))
				binary.BigEndian.PutUint32(data[seccompDataArch:], seccompAuditArch)
				want, err := vm.Run(data)
				if err != nil {
					t.Fatal(err)
				}
				got := runBPF(t, ours, int32(nr), seccompAuditArch)
				if got != uint32(want) {
					t.Errorf("%s (%d): procbox %#x, elastic %#x", kernel.SyscallName(nr), nr, got, want)
				}
				if got == seccompRetErrno|errnoEPERM {
					denied++
				}
			}
			if denied != len(slices.Compact(slices.Sorted(slices.Values(nrs)))) {
				t.Errorf("%d calls denied, want the %d of %v", denied, len(nrs), names)
			}
		})
	}
}
