//go:build !linux

package ui

import "time"

// processCPU is not measured off Linux: the picker paces by wall time alone.
func processCPU() time.Duration { return 0 }
