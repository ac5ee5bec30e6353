package lab

import (
	"fmt"
	"regexp"
	"strings"

	"procbox/internal/units"
	"procbox/isolate"
)

// errnoMeanings says what the errnos experiments meet mean, in the words
// strerror(3) uses, so a learner need not look them up.
var errnoMeanings = map[string]string{
	"EAGAIN": "resource temporarily unavailable",
	"EPERM":  "operation not permitted",
	"EACCES": "permission denied",
	"ESRCH":  "no such process",
	"ENOMEM": "cannot allocate memory",
}

// capNeeds says why the kernel refuses an experiment to a process without the
// capability, for a denial that names no switch as its cause (a normal
// user's Lab: nothing was dropped, the capability was never there).
var capNeeds = map[string]string{
	isolate.ExpBind80:    "ports below 1024 need cap_net_bind_service",
	isolate.ExpRawSocket: "raw sockets need cap_net_raw",
	isolate.ExpChown:     "giving a file away needs cap_chown",
	isolate.ExpMount:     "mount needs cap_sys_admin",
	isolate.ExpHostname:  "sethostname needs cap_sys_admin",
	isolate.ExpKillHost:  "signalling another user's process needs cap_kill",
}

// outcomeText is one log line for an experiment; bad marks a denial.
// The engine's summary often says the verdict, errno and cause already
// ("chown: denied (EPERM) by dropped cap_chown"); they are not repeated.
func outcomeText(label string, o isolate.Outcome, spec isolate.Spec) (string, bool) {
	body := strings.TrimSpace(strings.TrimPrefix(o.Summary, o.Experiment+":"))
	if strings.HasPrefix(body, "skipped") {
		// Not run, so neither allowed nor denied: the engine says why.
		return label + ": " + body, false
	}
	var verdict string
	switch {
	case o.OOMKilled:
		verdict = "OOM-killed"
	case o.Allowed:
		verdict = "allowed"
	default:
		verdict = "denied"
	}
	var b strings.Builder
	b.WriteString(label + ": ")
	if !strings.HasPrefix(body, "allowed") && !strings.HasPrefix(body, "denied") {
		b.WriteString(verdict)
		if o.Errno != "" && !strings.Contains(body, o.Errno) && !o.OOMKilled {
			b.WriteString(" (" + o.Errno + ")")
		}
		if o.Cause != "" && !strings.Contains(body, o.Cause) {
			if o.Allowed {
				b.WriteString(", limited by " + o.Cause)
			} else {
				b.WriteString(" by " + o.Cause)
			}
		}
		if body != "" {
			b.WriteString(" — ")
		}
	}
	b.WriteString(body)
	text := explainErrno(b.String(), o.Errno)
	if why := capNeeds[o.Experiment]; why != "" && !o.Allowed && o.Cause == "" && (o.Errno == "EPERM" || o.Errno == "EACCES") {
		text += " — " + why
	}
	// Without a pids limit nothing stopped the bomb but its own bound: the
	// processes it made came out of the host's budget.
	if o.Experiment == isolate.ExpForkBomb && spec.PidsMax == 0 && !strings.Contains(text, "host") {
		text += "; the host shared that cost"
		if o.Count > 0 && !strings.Contains(text, fmt.Sprint(o.Count)) {
			text += fmt.Sprintf(" (%d processes)", o.Count)
		}
	}
	return text, !o.Allowed
}

// explainErrno adds the meaning after the first mention of errno:
// "(EPERM)" becomes "(EPERM: operation not permitted)", a bare "EAGAIN"
// becomes "EAGAIN (resource temporarily unavailable)".
func explainErrno(text, errno string) string {
	meaning := errnoMeanings[errno]
	if meaning == "" || strings.Contains(text, meaning) {
		return text
	}
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(errno) + `\b(\))?`)
	done := false
	return re.ReplaceAllStringFunc(text, func(m string) string {
		if done {
			return m
		}
		done = true
		if strings.HasSuffix(m, ")") {
			return errno + ": " + meaning + ")"
		}
		return errno + " (" + meaning + ")"
	})
}

// causeInForce rewrites a limit named in o.Cause with the limit in force when
// the experiment ran: the child's cgroup as read right after it (limits,
// when known), else the spec the child last accepted. The child reports the
// limits it was started with, which a change made in place since then (the
// Lab's memory, pids and cpu switches) has made stale.
func causeInForce(o isolate.Outcome, spec isolate.Spec, limits *isolate.CgroupStats) isolate.Outcome {
	mem, pids, cpu := spec.MemoryMax, spec.PidsMax, spec.CPUMax
	if limits != nil {
		mem, pids = max(limits.MemoryMax, 0), max(limits.PidsMax, 0)
		if limits.CPUQuotaUsec > 0 && limits.CPUPeriodUsec > 0 {
			cpu = float64(limits.CPUQuotaUsec) / float64(limits.CPUPeriodUsec)
		}
	}
	switch {
	case strings.HasPrefix(o.Cause, "memory limit") && mem > 0:
		o.Cause = "memory limit " + units.Bytes(mem)
	case strings.HasPrefix(o.Cause, "pids limit") && pids > 0:
		o.Cause = fmt.Sprintf("pids limit %d", pids)
	case strings.HasPrefix(o.Cause, "cpu quota") && cpu > 0:
		o.Cause = fmt.Sprintf("cpu quota %.2g", cpu)
	}
	return o
}
