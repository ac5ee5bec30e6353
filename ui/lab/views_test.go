package lab

import (
	"strings"
	"testing"

	"procbox/isolate"
)

// A child procbox made no cgroup for (no limit set) has nothing of its own
// to count: its rows say so instead of showing 0B and 0 tasks as readings.
func TestRowsWithoutCgroupSayNotCounted(t *testing.T) {
	v := isolate.View{Limits: isolate.NoCgroupStats()}
	for _, row := range []viewRow{memRow(v, v), pidsRow(v, v), cPURow(v, v, 0.5)} {
		for _, cell := range []string{row.host, row.child} {
			if cell != notCounted {
				t.Errorf("%s row: %q, want %q", row.label, cell, notCounted)
			}
		}
		if row.hostBar >= 0 || row.childBar >= 0 {
			t.Errorf("%s row draws a bar for what was not counted", row.label)
		}
	}
	counted := isolate.View{Limits: isolate.CgroupStats{Version: "v1", MemoryMax: 64 << 20, MemoryCurrent: 3 << 20, PidsMax: -1, CPUQuotaUsec: -1,
		Uncounted: []string{"pids", "cpu"}}}
	if row := memRow(counted, counted); row.child == notCounted || !strings.Contains(row.child, "64M") {
		t.Errorf("a counted memory row: %q", row.child)
	}
	if row := pidsRow(counted, counted); row.child != notCounted {
		t.Errorf("pids without a pids cgroup: %q", row.child)
	}
}
