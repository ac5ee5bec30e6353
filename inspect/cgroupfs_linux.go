package inspect

import "golang.org/x/sys/unix"

// cgroupMode detects the host's cgroup mode. statfs(2) tells a real cgroup2
// mount (CGROUP2_SUPER_MAGIC) from v1's tmpfs of controller mounts; anything
// else (a fixture directory in tests) is judged by its layout alone.
func cgroupMode(root string) (string, []string) {
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		_, ctrls := cgroupModeFromTree(root)
		return CgroupV2, ctrls
	}
	return cgroupModeFromTree(root)
}
