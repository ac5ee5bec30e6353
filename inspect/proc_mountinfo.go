package inspect

import "strings"

// mountSuperOption finds the mount at mountPoint in /proc/PID/mountinfo
// (proc_pid_mountinfo(5)) and returns the value of option opt from its
// per-mount or superblock options ("hidepid=2" → "2", a bare flag → "on").
// The last mount at that point wins, as it is the one on top.
func mountSuperOption(mountinfo, mountPoint, opt string) (value string, found bool) {
	for _, line := range strings.Split(mountinfo, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f := strings.Fields(pre)
		p := strings.Fields(post)
		if len(f) < 6 || len(p) < 3 || f[4] != mountPoint {
			continue
		}
		found = true
		value = ""
		for _, o := range append(strings.Split(f[5], ","), strings.Split(p[2], ",")...) {
			k, v, hasV := strings.Cut(o, "=")
			if k != opt {
				continue
			}
			if hasV {
				value = v
			} else {
				value = "on"
			}
		}
	}
	return value, found
}
