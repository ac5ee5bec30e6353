package isolate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"procbox/internal/kernel"
)

// ReadUnifiedGroup reads the group at path below mount, the cgroup2 mount
// (a test's temp dir stands in for it). A file the group lacks leaves its
// field at the "none" value; a file that exists but cannot be read is an
// error. Observe reads a process's group with it; it is exported so that
// the lessons' tests can read a temp-dir v2 tree the same way.
func ReadUnifiedGroup(mount, path string) (UnifiedGroup, error) {
	g := UnifiedGroup{Path: path, CPUUsageUsec: -1, CPUSomeUsec: -1, MemorySomeUsec: -1, IOSomeUsec: -1}
	dir := filepath.Join(mount, path)
	var errs []error
	read := func(name string) (string, bool) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			// EOPNOTSUPP: a pressure file of a kernel booted with psi=0.
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, unix.EOPNOTSUPP) {
				errs = append(errs, fmt.Errorf("cannot read %s: %w", filepath.Join(dir, name), cgroupErrno(err)))
			}
			return "", false
		}
		return string(b), true
	}
	if s, ok := read("cgroup.controllers"); ok {
		g.Controllers = strings.Fields(s)
	}
	if s, ok := read("cgroup.subtree_control"); ok {
		g.SubtreeControl = strings.Fields(s)
	}
	if s, ok := read("cpu.stat"); ok {
		if n, found := kernel.ParseFlatKeyed(s)["usage_usec"]; found {
			g.CPUUsageUsec = n
		}
	}
	for name, dst := range map[string]*int64{"cpu.pressure": &g.CPUSomeUsec, "memory.pressure": &g.MemorySomeUsec, "io.pressure": &g.IOSomeUsec} {
		if s, ok := read(name); ok {
			if n, ok := psiSomeTotal(s); ok {
				*dst = n
			}
		}
	}
	if s, ok := read("memory.high"); ok {
		n, err := parseCgroupValue(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Join(dir, "memory.high"), err))
		}
		g.MemoryHigh = n
	}
	if s, ok := read("memory.events"); ok {
		g.MemoryHighEvents = kernel.ParseFlatKeyed(s)["high"]
	}
	if s, ok := read("cpu.weight"); ok {
		if n, err := parseCgroupValue(s); err == nil {
			g.CPUWeight = n
		}
	}
	return g, errors.Join(errs...)
}
