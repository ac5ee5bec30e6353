//go:build linux

package isolate

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSweepRefusesInsidePIDNamespace: from the host the sweep may judge
// owners; from inside a pid namespace (a procbox run by procbox, or in a
// container) it must refuse, or it would take a live procbox's PID for dead
// and remove its cgroups.
func TestSweepRefusesInsidePIDNamespace(t *testing.T) {
	needRoot(t)
	if !sweepSeesAllPIDs() {
		t.Skip("this test process itself runs inside a pid namespace")
	}
	checkNoLeaks(t)
	t.Setenv("PROCBOX_TEST_SWEEP_NESTED", "1")
	out, res := runArgv(t, Spec{Namespaces: []string{NSPID, NSMnt}}, selfExe, "-test.run=^TestHelperSweepNested$", "-test.v")
	if res.ExitCode != 0 || !strings.Contains(out, "sees-all=false") || !strings.Contains(out, "sweep-refused") {
		t.Fatalf("inside a pid namespace the sweep must refuse: %q %+v", out, res)
	}
}

func TestHelperSweepNested(t *testing.T) {
	if os.Getenv("PROCBOX_TEST_SWEEP_NESTED") == "" {
		t.Skip("helper for TestSweepRefusesInsidePIDNamespace")
	}
	fmt.Printf("sees-all=%v\n", sweepSeesAllPIDs())
	l, err := DetectCgroups("/sys/fs/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sweep(l); err == errSweepNested {
		if _, verr := SweepVeths(); verr == errSweepNested {
			fmt.Println("sweep-refused")
		}
	}
}
