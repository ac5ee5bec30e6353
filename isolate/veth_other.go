//go:build !linux

package isolate

import "errors"

// SetupVeth fails away from Linux: veth pairs and network namespaces are Linux's.
func SetupVeth(childPID int) (*Veth, []Step, error) {
	return nil, nil, errors.New("veth pairs need Linux")
}

func (v *Veth) Remove() error { return nil }
