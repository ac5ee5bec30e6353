//go:build linux && !amd64 && !arm64

package isolate

import (
	"fmt"
	"runtime"
)

func readRegisters(tid int) (Registers, error) {
	return Registers{}, fmt.Errorf("registers: not written for %s yet", runtime.GOARCH)
}
