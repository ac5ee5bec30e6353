package main

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

func int80(nr, a1, a2, a3 uint32) int32

// lowPath holds the path for the 32-bit entry, whose pointers are 32 bits:
// a static binary's data sits below 4 GiB, the heap does not.
var lowPath [256]byte

// otherABI makes mkdir(path, 0755) through another ABI than amd64's own:
// "i386" through int $0x80 (i386 mkdir is 39), "x32" through syscall with
// the x32 bit set (x32 mkdir is 83 | 0x40000000). A filter that judged these
// numbers by the amd64 table would let them pass. Prints "ok" or the errno;
// a filter that kills the process prints nothing.
func otherABI(abi, path string) string {
	switch abi {
	case "i386":
		addr := uintptr(unsafe.Pointer(&lowPath[0]))
		if addr >= 1<<32 || len(path) >= len(lowPath) {
			return "no 32-bit address for the path"
		}
		copy(lowPath[:], path)
		if r := int80(39, uint32(addr), 0o755, 0); r < 0 {
			return errName(unix.Errno(-r))
		}
		return "ok"
	case "x32":
		p, err := unix.BytePtrFromString(path)
		if err != nil {
			return errName(err)
		}
		_, _, e := unix.RawSyscall(0x40000000|83, uintptr(unsafe.Pointer(p)), 0o755, 0)
		if e != 0 {
			return errName(e)
		}
		return "ok"
	}
	return fmt.Sprintf("unknown ABI %s", abi)
}
