package inspect

import "github.com/prometheus/procfs"

// mountOption reads /proc/self/mountinfo (proc_pid_mountinfo(5)) under the
// proc root through procfs, finds the mount at mountPoint and returns the
// value of option opt from its per-mount or superblock options ("hidepid=2"
// → "2", a bare flag → "on"). The last mount at that point wins, as it is
// the one on top.
func mountOption(procRoot, mountPoint, opt string) (value string, found bool) {
	pfs, err := procfs.NewFS(procRoot)
	if err != nil {
		return "", false
	}
	mounts, err := procfsCall("mountinfo", pfs.GetMounts)
	if err != nil {
		return "", false
	}
	for _, m := range mounts {
		if m == nil || m.MountPoint != mountPoint {
			continue
		}
		found, value = true, ""
		for _, opts := range []map[string]string{m.Options, m.SuperOptions} {
			if v, ok := opts[opt]; ok {
				value = v
				if v == "" {
					value = "on"
				}
			}
		}
	}
	return value, found
}
