//go:build !linux

package inspect

// cgroupMode judges the tree by its layout alone: there is no statfs magic
// to ask off Linux (only fixture trees exist there).
func cgroupMode(root string) (string, []string) { return cgroupModeFromTree(root) }
