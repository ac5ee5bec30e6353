//go:build !linux

package isolate

// Sweep has nothing to sweep away from Linux.
func Sweep(l CgroupLayout) ([]string, error) { return nil, nil }
