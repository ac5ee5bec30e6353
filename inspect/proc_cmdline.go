package inspect

import "strings"

// parseCmdline splits /proc/PID/cmdline: arguments end with NUL bytes.
// Kernel threads and zombies have an empty file and get no arguments. A
// process that rewrote its argv (setproctitle) may leave a single string
// without NULs, or NULs in the middle: every NUL separates, trailing ones
// are dropped.
func parseCmdline(b []byte) []string {
	s := strings.TrimRight(string(b), "\x00")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\x00")
}
