//go:build !linux

package inspect

// delegatedControllers: off Linux nothing is delegated, except that root
// would manage every controller of a (fixture) tree.
func (fs FS) delegatedControllers(mode string, controllers []string, root bool) []string {
	if root {
		return append([]string{}, controllers...)
	}
	return []string{}
}

// cgroupReadOnly: off Linux there is no cgroup filesystem to be read-only.
func (fs FS) cgroupReadOnly() bool { return false }
