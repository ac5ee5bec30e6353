package inspect

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// cgroupReadOnly reports whether a cgroup filesystem under fs.Cgroup (the
// unified one, or any v1 hierarchy) is mounted read-only. The tmpfs that
// holds v1 hierarchies is read-only on many systemd hosts and does not count.
func (fs FS) cgroupReadOnly() bool {
	dirs := []string{fs.Cgroup}
	if ents, err := os.ReadDir(fs.Cgroup); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(fs.Cgroup, e.Name()))
			}
		}
	}
	for _, d := range dirs {
		var st unix.Statfs_t
		if unix.Statfs(d, &st) != nil {
			continue
		}
		if (st.Type == unix.CGROUP_SUPER_MAGIC || st.Type == unix.CGROUP2_SUPER_MAGIC) && st.Flags&unix.ST_RDONLY != 0 {
			return true
		}
	}
	return false
}

// delegatedControllers lists the controllers the current user may manage
// under its own cgroup. Root manages all. On v2 a cgroup is delegated when
// the user owns it; the controllers it may hand to children are those in its
// cgroup.controllers. On v1 (and hybrid hosts) it is every controller whose
// directory for our cgroup is writable.
func (fs FS) delegatedControllers(mode string, controllers []string, root bool) []string {
	out := []string{}
	if root {
		return append(out, controllers...)
	}
	p, err := procfsProc(fs.Proc, "self")
	if err != nil {
		return out
	}
	cgs, _ := readCgroups(p)
	switch mode {
	case CgroupV2:
		p, ok := cgroupPathFor(cgs, "")
		if !ok {
			return out
		}
		dir := filepath.Join(fs.Cgroup, p)
		var st syscall.Stat_t
		if syscall.Stat(dir, &st) != nil || int(st.Uid) != os.Geteuid() {
			return out
		}
		if c, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers")); err == nil {
			out = append(out, strings.Fields(string(c))...)
		}
	case CgroupV1, CgroupHybrid:
		for _, c := range controllers {
			p, ok := cgroupPathFor(cgs, c)
			if !ok {
				continue
			}
			if unix.Access(filepath.Join(fs.Cgroup, c, p), unix.W_OK) == nil {
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}
