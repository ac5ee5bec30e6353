package isolate

import (
	"strings"
	"testing"
)

func TestResultReport(t *testing.T) {
	spec := Spec{Namespaces: []string{NSPID, NSNet}, MemoryMax: 32 << 20, PidsMax: 10, DropCaps: []string{"cap_chown"}}
	cases := []struct {
		res  Result
		want []string
	}{
		{Result{OOMKilled: true, Signal: "killed", ExitCode: 137}, []string{"isolated: pid, net", "limits: memory 32 MiB, pids 10", "dropped cap_chown", "killed by the OOM killer at 32 MiB"}},
		{Result{ForkFailures: 41}, []string{"exited with status 0", "fork failed 41 times at pids.max=10"}},
		{Result{Signal: "terminated", ExitCode: 143}, []string{"killed by signal: terminated (status 143)"}},
		{Result{Stats: CgroupStats{NrThrottled: 12, ThrottledUsec: 1500000}}, []string{"throttled 12 times, 1.5 s in total"}},
	}
	for _, c := range cases {
		got := c.res.Report(spec)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("report lacks %q:\n%s", w, got)
			}
		}
	}
	if got := (Result{}).Report(Spec{}); !strings.Contains(got, "isolated: nothing") {
		t.Errorf("plain run: %s", got)
	}
}
