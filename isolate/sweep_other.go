//go:build !linux

package isolate

// SweepReport says what a sweep did.
type SweepReport struct {
	Removed []string
	Notes   []string
	Legacy  []string
}

// SweepOwned has nothing to sweep away from Linux.
func SweepOwned(listLegacy, removeLegacy bool) (SweepReport, error) { return SweepReport{}, nil }

// Claim records nothing away from Linux.
func Claim(kind, value string) error { return nil }

// Unclaim forgets nothing away from Linux.
func Unclaim(kind, value string) {}

// What a lock file can list (owner_linux.go).
const (
	OwnCgroup = "cgroup"
	OwnVeth   = "veth"
	OwnRootfs = "rootfs"
)

// DemoRootfsPrefix starts the name of every demo root filesystem directory.
const DemoRootfsPrefix = "procbox-rootfs-"
