package isolate

import (
	"fmt"

	"procbox/internal/units"
)

// The child is a Go program until it execs the command (procbox run), and for
// its whole life in the Lab (the agent). Its runtime starts about five threads,
// and pids.max counts threads; it also needs a few MiB of memory. Below these
// floors the runtime itself would fail ("failed to create new OS thread") or
// be OOM-killed before the command ever ran.
const (
	// MinLabPids is the smallest pids limit the Lab's child accepts: its own
	// threads plus those of a helper it starts for an experiment.
	MinLabPids = 12
	// MinLabMemory is the smallest memory limit the Lab's child accepts.
	MinLabMemory = 16 << 20

	// runSetupPids and runSetupMemory are the limits `procbox run` sets
	// while its child sets itself up, when smaller ones were asked; the asked
	// limits are written the moment the command has been exec'd.
	runSetupPids   = 32
	runSetupMemory = 64 << 20
)

// checkLabLimits refuses limits the agent could not live under.
func checkLabLimits(spec Spec) error {
	if spec.PidsMax > 0 && spec.PidsMax < MinLabPids {
		return fmt.Errorf("--pids %d is too few for the Lab's child: it is a Go program with threads of its own and starts helpers; use at least %d (procbox run takes smaller limits)", spec.PidsMax, MinLabPids)
	}
	if spec.MemoryMax > 0 && spec.MemoryMax < MinLabMemory {
		return fmt.Errorf("--mem %s is too little for the Lab's child, a Go program; use at least %s (procbox run takes smaller limits)", units.Bytes(spec.MemoryMax), units.Bytes(MinLabMemory))
	}
	return nil
}

// setupLimits raises limits below what the Go child needs to reach exec.
// It reports whether anything was raised.
func setupLimits(spec Spec) (Spec, bool) {
	raised := false
	if spec.PidsMax > 0 && spec.PidsMax < runSetupPids {
		spec.PidsMax, raised = runSetupPids, true
	}
	if spec.MemoryMax > 0 && spec.MemoryMax < runSetupMemory {
		spec.MemoryMax, raised = runSetupMemory, true
	}
	return spec, raised
}
