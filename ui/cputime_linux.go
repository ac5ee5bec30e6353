package ui

import (
	"syscall"
	"time"
)

// processCPU is the CPU time procbox has used so far, every thread counted.
// The picker paces its scans by it: a scan that fans out over several
// cores costs more CPU than its wall time says.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
