package inspect

import (
	"bytes"
	"errors"
	"strconv"
)

// policyNames names the scheduling policy of /proc/PID/stat field 41
// (sched(7)).
var policyNames = map[uint]string{
	0: "SCHED_OTHER", 1: "SCHED_FIFO", 2: "SCHED_RR", 3: "SCHED_BATCH",
	5: "SCHED_IDLE", 6: "SCHED_DEADLINE", 7: "SCHED_EXT",
}

func policyName(p uint) string {
	if n, ok := policyNames[p]; ok {
		return n
	}
	return "policy " + strconv.FormatUint(uint64(p), 10)
}

// statFields is what the process table needs from /proc/PID/stat.
type statFields struct {
	PID      int
	Comm     string
	State    byte
	PPID     int
	Flags    uint64 // PF_* flags; PF_KTHREAD marks a kernel thread
	Nice     int
	Threads  int
	RSSPages int64
	// StartTicks is when the process started, in clock ticks after boot:
	// with the PID it names one process for good, as PIDs are reused.
	StartTicks uint64
	// CPUTicks is the CPU time it used so far, user plus system (fields 14
	// and 15), in clock ticks: two scans make the picker's CPU%.
	CPUTicks uint64
}

var errStatFormat = errors.New("malformed /proc/PID/stat")

// pfKthread is PF_KTHREAD of include/linux/sched.h, set in the flags field
// (9) of /proc/PID/stat for kernel threads: they run only in the kernel, have
// no user memory, no user registers and no program of their own, and are
// never anyone's container even when a namespace differs (kdevtmpfs has its
// own mount namespace).
const pfKthread = 0x00200000

// isKernelThread reads PF_KTHREAD from the stat flags.
func isKernelThread(flags uint64) bool { return flags&pfKthread != 0 }

// parseStatFast parses the few fields of /proc/PID/stat (proc_pid_stat(5))
// the table needs, without allocating beyond the comm string. The snapshot
// uses parseStat for the full line; the table scan has its own
// parser because it runs over every process every second. comm may contain
// spaces and parentheses, so the fields after it are found from the LAST ')'.
func parseStatFast(b []byte) (statFields, error) {
	var s statFields
	open := bytes.IndexByte(b, '(')
	closing := bytes.LastIndexByte(b, ')')
	if open < 1 || closing < open || closing+2 >= len(b) || b[closing+1] != ' ' {
		return s, errStatFormat
	}
	pid, ok := atoiBytes(bytes.TrimSpace(b[:open]))
	if !ok {
		return s, errStatFormat
	}
	s.PID = pid
	s.Comm = string(b[open+1 : closing])
	rest := b[closing+2:]
	// Field numbers of proc_pid_stat(5); field 3 (state) is the first of rest.
	field := 3
	for len(rest) > 0 && field <= 24 {
		sp := bytes.IndexByte(rest, ' ')
		tok := rest
		if sp >= 0 {
			tok, rest = rest[:sp], rest[sp+1:]
		} else {
			rest = nil
		}
		tok = bytes.TrimRight(tok, "\n")
		switch field {
		case 3:
			if len(tok) != 1 || !(tok[0] >= 'A' && tok[0] <= 'Z' || tok[0] >= 'a' && tok[0] <= 'z') {
				return s, errStatFormat
			}
			s.State = tok[0]
		case 4:
			s.PPID, ok = atoiBytes(tok)
		case 9:
			s.Flags, ok = atouBytes(tok)
		case 14, 15:
			var t uint64
			t, ok = atouBytes(tok)
			s.CPUTicks += t
		case 19:
			s.Nice, ok = atoiBytes(tok)
		case 20:
			s.Threads, ok = atoiBytes(tok)
		case 22:
			s.StartTicks, ok = atouBytes(tok)
		case 24:
			var n int
			n, ok = atoiBytes(tok)
			s.RSSPages = int64(n)
		}
		if !ok {
			return s, errStatFormat
		}
		field++
	}
	if field <= 24 {
		return s, errStatFormat
	}
	return s, nil
}

// atoiBytes parses a signed decimal without converting to a string.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// procStat is what Snapshot shows from /proc/PID/stat.
type procStat struct {
	Comm       string
	State      string
	PPID       int
	Flags      uint64
	Priority   int
	Nice       int
	Threads    int
	StartTicks uint64
	VSizeBytes uint64
	RSSPages   int64
	Policy     uint
}

// atouBytes parses an unsigned decimal that may use all 64 bits (vsize,
// and fields such as rsslim print 18446744073709551615).
func atouBytes(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' || n > (1<<64-1)/10 {
			return 0, false
		}
		d := uint64(c - '0')
		if n*10 > 1<<64-1-d {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
