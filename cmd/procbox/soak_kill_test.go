package main

import (
	"os"
	"testing"
)

// TestSoakKill is the long form of TestFaultKillAtEveryStep: a hundred kills at
// random points. `make soak` runs it (PROCBOX_SOAK=1).
func TestSoakKill(t *testing.T) {
	if os.Getenv("PROCBOX_SOAK") == "" {
		t.Skip("soak test: set PROCBOX_SOAK=1 (make soak)")
	}
	requireRoot(t)
	faultKillRounds(t, 100)
}
