package inspect

import (
	"strconv"

	"github.com/moby/sys/capability"
)

// capNames maps a capability bit to its lower-case name (cap_chown, ...), built
// from moby/sys/capability's list so new kernels' names arrive with the module.
// See capabilities(7).
var capNames = func() map[int]string {
	m := map[int]string{}
	for _, c := range capability.ListKnown() {
		m[int(c)] = "cap_" + c.String()
	}
	return m
}()

// decodeCaps turns a CapXxx mask of /proc/PID/status into names in bit order.
// Bits this build does not know show as cap_N so nothing is silently dropped.
func decodeCaps(mask uint64) []string {
	names := []string{}
	for bit := 0; bit < 64; bit++ {
		if mask&(1<<uint(bit)) == 0 {
			continue
		}
		if n, ok := capNames[bit]; ok {
			names = append(names, n)
		} else {
			names = append(names, "cap_"+strconv.Itoa(bit))
		}
	}
	return names
}
