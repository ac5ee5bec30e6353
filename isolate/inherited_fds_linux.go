package isolate

// The child closes, at its exec, every descriptor procbox's own caller left
// open without close-on-exec. Go opens its own files close-on-exec, but a
// descriptor the calling shell inherited (`exec 9</` in a script, a
// harness's pipe) would otherwise reach the command: with --rootfs, a
// directory descriptor leads back to the host's / through /proc/self/fd/N,
// past pivot_root and every mask (the class of runc's CVE-2024-21626, which
// runc answers the same way: nothing but stdio crosses into the container).

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// closeInheritedFrom marks every descriptor from first up close-on-exec,
// with close_range(2) (Linux 5.11), or one by one from /proc/self/fd.
func closeInheritedFrom(first int) {
	if unix.CloseRange(uint(first), ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd >= first {
			unix.CloseOnExec(fd)
		}
	}
}
