//go:build !linux

package isolate

// cgroups only exist on Linux. These stubs let the packages that use the
// isolate types (ui, lessons) build and test anywhere.

import "errors"

var errCgroupUnsupported = errors.New("cgroups need Linux")

// DetectCgroups reports no cgroups away from Linux.
func DetectCgroups(root string) (CgroupLayout, error) {
	return CgroupLayout{Mode: CgroupNone, Root: root}, nil
}

// NewCgroup fails away from Linux.
func NewCgroup(l CgroupLayout, spec Spec) (*Cgroup, []Step, error) {
	return nil, nil, errCgroupUnsupported
}

func (c *Cgroup) AddProc(pid int) (Step, error)       { return Step{}, errCgroupUnsupported }
func (c *Cgroup) DirFD() (fd int, ok bool, err error) { return -1, false, nil }
func (c *Cgroup) Update(spec Spec) ([]Step, error)    { return nil, errCgroupUnsupported }
func (c *Cgroup) Stats() (CgroupStats, error)         { return CgroupStats{}, errCgroupUnsupported }
func (c *Cgroup) Events() (CgroupEvents, error)       { return CgroupEvents{}, errCgroupUnsupported }
func (c *Cgroup) Procs() ([]int, error)               { return nil, errCgroupUnsupported }
func (c *Cgroup) Remove() error                       { return nil }

// PlanCgroup fails away from Linux.
func PlanCgroup(l CgroupLayout, spec Spec) ([]Step, error) { return nil, errCgroupUnsupported }

// Supports reports that no limit can be set away from Linux.
func (l CgroupLayout) Supports(spec Spec) error {
	if spec.MemoryMax > 0 || spec.PidsMax > 0 || spec.CPUMax > 0 {
		return errCgroupUnsupported
	}
	return nil
}

// treeProof tells a child's processes from foreign ones (tree_linux.go).
type treeProof struct{}
