package inspect

import (
	"os"
	"testing"

	"github.com/prometheus/procfs"
)

// procfs is the test oracle for the two files procbox still parses itself
// because procfs leaves out what procbox shows (status: groups, seccomp,
// no_new_privs; limits: hard limits): on the live /proc, every field both
// read must agree.

func TestStatusAgreesWithProcfs(t *testing.T) {
	p, err := procfs.Self()
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	want, err := p.NewStatus()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseStatus(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != want.Name || got.CapEff != want.CapEff || got.CapPrm != want.CapPrm || got.CapBnd != want.CapBnd ||
		got.CapInh != want.CapInh || got.CapAmb != want.CapAmb {
		t.Errorf("name/caps: own %+v, procfs %+v", got, want)
	}
	for i := range 4 {
		if uint64(got.UIDs[i]) != want.UIDs[i] || uint64(got.GIDs[i]) != want.GIDs[i] {
			t.Errorf("ids: own %v %v, procfs %v %v", got.UIDs, got.GIDs, want.UIDs, want.GIDs)
		}
	}
	// VmRSS moves between two reads; both must be in the same ballpark.
	if got.VmRSSBytes <= 0 || want.VmRSS == 0 {
		t.Errorf("VmRSS: own %d, procfs %d", got.VmRSSBytes, want.VmRSS)
	}
}

func TestLimitsAgreeWithProcfs(t *testing.T) {
	p, err := procfs.Self()
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	want, err := p.Limits()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseLimits(string(b))
	if err != nil {
		t.Fatal(err)
	}
	soft := map[string]int64{}
	for _, r := range got {
		soft[r.Name] = r.Soft
	}
	for name, w := range map[string]uint64{
		"Max open files": want.OpenFiles, "Max processes": want.Processes, "Max stack size": want.StackSize,
		"Max core file size": want.CoreFileSize, "Max locked memory": want.LockedMemory, "Max cpu time": want.CPUTime,
	} {
		g, ok := soft[name]
		if !ok {
			t.Errorf("own parser lacks %q", name)
			continue
		}
		// procfs gives unlimited as all ones; procbox as -1.
		if (g == -1) != (w == ^uint64(0)) || (g != -1 && uint64(g) != w) {
			t.Errorf("%s: own %d, procfs %d", name, g, w)
		}
	}
}
