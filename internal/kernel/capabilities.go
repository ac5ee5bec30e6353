package kernel

import (
	"sort"
	"strconv"

	"github.com/moby/sys/capability"
)

// Capability names follow capabilities(7) in lower case with the cap_
// prefix ("cap_chown"), and come from moby/sys/capability's list, so a new
// kernel's capabilities arrive with the module.

// CapName names capability bit as "cap_chown"; a bit this build does not
// know is "cap_N", so nothing is silently dropped.
func CapName(bit int) string {
	for _, c := range capability.ListKnown() {
		if int(c) == bit {
			return "cap_" + c.String()
		}
	}
	return "cap_" + strconv.Itoa(bit)
}

// CapNumber finds the bit of a "cap_" name; ok is false for names this build
// does not know.
func CapNumber(name string) (bit int, ok bool) {
	for _, c := range capability.ListKnown() {
		if "cap_"+c.String() == name {
			return int(c), true
		}
	}
	return 0, false
}

// CapNames lists every capability this build knows, sorted by name.
func CapNames() []string {
	var names []string
	for _, c := range capability.ListKnown() {
		names = append(names, "cap_"+c.String())
	}
	sort.Strings(names)
	return names
}

// CapsFromMask names the bits set in a capability mask (CapEff and friends
// of /proc/PID/status), in bit order.
func CapsFromMask(mask uint64) []string {
	names := []string{}
	for bit := 0; bit < 64; bit++ {
		if mask&(1<<uint(bit)) != 0 {
			names = append(names, CapName(bit))
		}
	}
	return names
}
