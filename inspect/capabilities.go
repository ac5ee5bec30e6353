package inspect

import "procbox/internal/kernel"

// decodeCaps turns a CapXxx mask of /proc/PID/status into names in bit order
// (capabilities(7)). Bits this build does not know show as cap_N so nothing
// is silently dropped.
func decodeCaps(mask uint64) []string { return kernel.CapsFromMask(mask) }
