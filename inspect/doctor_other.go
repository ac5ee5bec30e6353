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
