package isolate

import (
	"fmt"
	"strings"

	"procbox/internal/units"
)

// Result is what happened to a command run by Run.
type Result struct {
	ExitCode     int         `json:"exit_code"`             // the command's status; 128+signal when killed
	Signal       string      `json:"signal,omitempty"`      // "killed", "terminated"... when a signal ended it
	OOMKilled    bool        `json:"oom_killed,omitempty"`  // the OOM killer struck in the child's cgroup
	PeakMemory   int64       `json:"peak_memory,omitempty"` // bytes: the largest resident set of the child (setup included)
	ForkFailures int64       `json:"fork_failures,omitempty"`
	Stats        CgroupStats `json:"stats"` // the cgroup's counters just before removal
	HasCgroup    bool        `json:"has_cgroup"`
	Steps        []Step      `json:"steps"`
	// Foreign names processes that were in the child's cgroup without being
	// its own (the child moved them in): cleanup moved them out, not killed.
	Foreign []string `json:"foreign_moved_out,omitempty"`
}

// Report says in a few lines what was isolated, the limits, and what happened.
func (r Result) Report(spec Spec) string {
	var b strings.Builder
	if len(spec.Namespaces) > 0 {
		fmt.Fprintf(&b, "isolated: %s", strings.Join(spec.Namespaces, ", "))
	} else {
		b.WriteString("isolated: nothing (no namespaces)")
	}
	var lim []string
	if spec.MemoryMax > 0 {
		lim = append(lim, "memory "+units.Bytes(spec.MemoryMax))
	}
	if spec.PidsMax > 0 {
		lim = append(lim, fmt.Sprintf("pids %d", spec.PidsMax))
	}
	if spec.CPUMax > 0 {
		lim = append(lim, fmt.Sprintf("cpu %.2g", spec.CPUMax))
	}
	if len(lim) > 0 {
		fmt.Fprintf(&b, "; limits: %s", strings.Join(lim, ", "))
	}
	switch n := len(spec.DropCaps); {
	case n > 4:
		fmt.Fprintf(&b, "; dropped %d capabilities", n)
	case n > 0:
		fmt.Fprintf(&b, "; dropped %s", strings.Join(spec.DropCaps, ", "))
	}
	if len(spec.Seccomp) > 0 {
		fmt.Fprintf(&b, "; seccomp denies %s", strings.Join(spec.Seccomp, ", "))
	}
	b.WriteString("\n")
	switch {
	case r.OOMKilled:
		fmt.Fprintf(&b, "killed by the OOM killer at %s\n", units.Bytes(spec.MemoryMax))
	case r.Signal != "":
		fmt.Fprintf(&b, "killed by signal: %s (status %d)\n", r.Signal, r.ExitCode)
	default:
		fmt.Fprintf(&b, "exited with status %d\n", r.ExitCode)
	}
	switch {
	case r.ForkFailures == 1:
		fmt.Fprintf(&b, "fork failed once at pids.max=%d\n", spec.PidsMax)
	case r.ForkFailures > 1:
		fmt.Fprintf(&b, "fork failed %d times at pids.max=%d\n", r.ForkFailures, spec.PidsMax)
	}
	if r.Stats.NrThrottled > 0 {
		fmt.Fprintf(&b, "throttled %d times, %.1f s in total, by the cpu quota\n", r.Stats.NrThrottled, float64(r.Stats.ThrottledUsec)/1e6)
	}
	for _, f := range r.Foreign {
		fmt.Fprintf(&b, "cleanup: %s\n", f)
	}
	if r.PeakMemory > 0 {
		// ru_maxrss survives exec, so it also counts procbox's own setup.
		fmt.Fprintf(&b, "peak memory %s (largest process, procbox's setup before exec included)\n", units.Bytes(r.PeakMemory))
	}
	return b.String()
}
