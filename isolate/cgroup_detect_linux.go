package isolate

// Telling what cgroup filesystems a host has (v1, v2, hybrid, or a test's
// temp-dir tree) and whether a spec's limits can be set there. See cgroups(7).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// DetectCgroups reads the layout under root (statfs on live mounts; directory layout on a
// temp-dir fixture, so tests can fake v1, v2 and hybrid). An empty root means /sys/fs/cgroup.
func DetectCgroups(root string) (CgroupLayout, error) {
	if root == "" {
		root = "/sys/fs/cgroup"
	}
	l := CgroupLayout{Mode: CgroupNone, Root: root, V1: map[string]string{}}
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return l, nil
		}
		return l, fmt.Errorf("cannot inspect %s: %w", root, err)
	}
	// A cgroup2 filesystem at the root is a pure v2 host.
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		l.Mode, l.Unified = CgroupV2, root
		return l, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return l, fmt.Errorf("cannot list %s: %w", root, err)
	}
	// v1 and hybrid hosts mount a tmpfs at the root and one filesystem per
	// hierarchy below it. Symlinks ("cpu" -> "cpu,cpuacct") are aliases of a
	// directory that is listed anyway, so they are skipped.
	live := false
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		var sub unix.Statfs_t
		if unix.Statfs(dir, &sub) != nil {
			continue
		}
		switch sub.Type {
		case unix.CGROUP_SUPER_MAGIC:
			live = true
			for _, ctrl := range strings.Split(e.Name(), ",") {
				l.V1[ctrl] = dir
			}
		case unix.CGROUP2_SUPER_MAGIC:
			live = true
			l.Unified = dir
		}
	}
	if !live {
		cgroupInferFixture(&l, entries)
	}
	switch {
	case len(l.V1) > 0 && l.Unified != "":
		l.Mode = CgroupHybrid
	case len(l.V1) > 0:
		l.Mode = CgroupV1
	case l.Unified != "":
		l.Mode = CgroupV2
	default:
		l.fixture = false
	}
	return l, nil
}

// cgroupInferFixture reads a plain directory tree the way a kernel would lay it
// out: cgroup.controllers marks a v2 hierarchy (at the root: pure v2; in a
// subdirectory: the unified half of a hybrid host), cgroup.procs alone a v1 one.
func cgroupInferFixture(l *CgroupLayout, entries []fs.DirEntry) {
	l.fixture = true
	if cgroupFileExists(filepath.Join(l.Root, "cgroup.controllers")) {
		l.Unified = l.Root
		return
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(l.Root, e.Name())
		switch {
		case cgroupFileExists(filepath.Join(dir, "cgroup.controllers")):
			l.Unified = dir
		case cgroupFileExists(filepath.Join(dir, "cgroup.procs")):
			for _, ctrl := range strings.Split(e.Name(), ",") {
				l.V1[ctrl] = dir
			}
		}
	}
}

// Supports says, without creating anything, whether the limits in spec can be
// set on this layout: nil, or an error naming the missing controller. A spec
// without limits is always supported (the cgroup then only serves statistics).
func (l CgroupLayout) Supports(spec Spec) error {
	need := []struct {
		ctrl string
		on   bool
	}{{"memory", spec.MemoryMax > 0}, {"pids", spec.PidsMax > 0}, {"cpu", spec.CPUMax > 0}}
	var available []string
	switch l.limitsOn() {
	case CgroupV2:
		available = strings.Fields(cgroupReadString(filepath.Join(l.Unified, "cgroup.controllers")))
	case CgroupNone:
		for _, n := range need {
			if n.on {
				return fmt.Errorf("a %s limit needs cgroups, and no cgroup filesystem is mounted under %s", n.ctrl, l.Root)
			}
		}
		return nil
	}
	for _, n := range need {
		if !n.on {
			continue
		}
		if l.limitsOn() == CgroupV1 && l.V1[n.ctrl] == "" {
			return fmt.Errorf("cgroup v1 %s controller not mounted under %s", n.ctrl, l.Root)
		}
		if l.limitsOn() == CgroupV2 && !cgroupContains(available, n.ctrl) {
			return fmt.Errorf("cgroup v2 %s controller not available in %s/cgroup.controllers", n.ctrl, l.Unified)
		}
	}
	return nil
}
