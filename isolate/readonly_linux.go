package isolate

// Read-only and masked kernel files in the child's mount namespace, as runc's
// default "readonlyPaths" and "maskedPaths" do. A root child that can write
// /sys/fs/cgroup moves itself out of its cgroup (echo $$ > …/cgroup.procs) or
// raises its own limits (echo max > …/pids.max); one that can write /proc/sys
// or /proc/sysrq-trigger changes the host's kernel. In its own mount
// namespace those trees are remounted read-only (EROFS), and files that only
// leak the host's secrets (/proc/kcore, /proc/keys, …) are covered.
//
// What this does not stop: a child that keeps CAP_SYS_ADMIN may remount
// them read-write, or mount cgroupfs again. runc's default drops that
// capability; procbox leaves it to --drop-caps (the explanation says so).

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// readonlyPaths are remounted read-only, with everything mounted below them.
var readonlyPaths = []string{"/sys", "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"}

// maskedFiles get /dev/null over them; maskedDirs an empty read-only tmpfs.
// ownerRunDir holds procbox's ownership locks (owner_linux.go): a root child
// that could write there could delete a live owner's lock file and forge one
// that gets the next sweep to remove that owner's cgroup.
var (
	maskedFiles = []string{"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/proc/latency_stats"}
	maskedDirs  = []string{"/proc/acpi", "/proc/scsi", "/sys/firmware", ownerRunDir}
)

// nullMounts are detached copies of the /dev/null mount, one per masked
// file, taken before pivot_root: a root filesystem may have no /dev, and
// after the pivot the old root is gone, so nothing could be bound from it.
type nullMounts []int

// cloneDevNull takes one open_tree(2) clone of /dev/null per masked file.
// On a kernel without open_tree (before 5.2) it returns none, and the files
// are masked from the /dev/null of the new root, if it has one.
func cloneDevNull() (nullMounts, error) {
	var out nullMounts
	for range maskedFiles {
		fd, err := unix.OpenTree(unix.AT_FDCWD, "/dev/null", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
		if errors.Is(err, unix.ENOSYS) {
			return out, nil
		}
		if err != nil {
			out.Close()
			return nil, fmt.Errorf("open_tree /dev/null: %v", err)
		}
		out = append(out, fd)
	}
	return out, nil
}

// Close closes the clones not attached.
func (n nullMounts) Close() {
	for _, fd := range n {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}

// protectKernelFiles applies readonlyPaths and the masks to this mount
// namespace. A path that does not exist here is skipped.
func protectKernelFiles(null nullMounts) error {
	// Masks first: the read-only remount of /sys would refuse the tmpfs.
	for i, p := range maskedFiles {
		if !pathExists(p) {
			continue
		}
		var err error
		switch {
		case i < len(null):
			err = unix.MoveMount(null[i], "", unix.AT_FDCWD, p, unix.MOVE_MOUNT_F_EMPTY_PATH)
		case pathExists("/dev/null"):
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		default:
			continue // an old kernel and a root filesystem without /dev/null
		}
		if err != nil {
			return fmt.Errorf("mount --bind /dev/null %s: %v", p, err)
		}
	}
	for _, p := range maskedDirs {
		if !pathExists(p) {
			continue
		}
		if err := unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=0"); err != nil {
			return fmt.Errorf("mount -t tmpfs -o ro tmpfs %s: %v", p, err)
		}
	}
	for _, p := range readonlyPaths {
		if !pathExists(p) {
			continue
		}
		// A bind of the path onto itself makes it a mount of its own, so
		// read-only applies to it and not to the rest of /proc.
		if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("mount --rbind %s %s: %v", p, p, err)
		}
		if err := readonlyTree(p); err != nil {
			return err
		}
	}
	return nil
}

// readonlyTree makes the mount at p and every mount below it read-only:
// /sys/fs/cgroup/pids and its siblings are mounts of their own, and a plain
// remount would leave them writable. mount_setattr(2) does it in one call
// (Linux 5.12); older kernels get one remount per mount.
func readonlyTree(p string) error {
	err := unix.MountSetattr(unix.AT_FDCWD, p, unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) {
		return fmt.Errorf("mount -o remount,bind,ro %s (recursive): %v", p, err)
	}
	for _, m := range mountsUnder(p) {
		var st unix.Statfs_t
		flags := uintptr(0)
		if unix.Statfs(m, &st) == nil {
			// A bind remount must keep the flags it cannot drop (nosuid, …).
			flags = uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_RELATIME | unix.MS_NODIRATIME)
		}
		if err := unix.Mount("", m, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|flags, ""); err != nil {
			return fmt.Errorf("mount -o remount,bind,ro %s: %v", m, err)
		}
	}
	return nil
}

// mountsUnder lists p and the mount points below it, from /proc/self/mountinfo.
func mountsUnder(p string) []string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return []string{p}
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		mp := unescapeMountinfo(f[4])
		if mp == p || strings.HasPrefix(mp, p+"/") {
			out = append(out, mp)
		}
	}
	if len(out) == 0 {
		out = []string{p}
	}
	return out
}

// unescapeMountinfo undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func pathExists(p string) bool {
	var st unix.Stat_t
	return unix.Lstat(p, &st) == nil
}
