package inspect

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prometheus/procfs"
)

// Per-process files are read through github.com/prometheus/procfs where it
// has a parser: stat, cmdline, exe, environ, cgroup, ns, maps, and /proc/stat
// (btime). procbox keeps its own code only where procfs does not parse what
// procbox shows, each named at its file:
//
//   - status (proc_status.go): procfs's ProcStatus has no Groups,
//     NoNewPrivs, Seccomp or Seccomp_filters;
//   - limits (proc_limits.go): procfs keeps the soft limit only;
//   - fd (proc_fd.go): procfs's FileDescriptorTargets drops a descriptor it
//     may not read, which would turn EACCES into "no open files";
//   - net tables (proc_net.go), syscall, uid_map and gid_map, attr/current:
//     not parsed by procfs for a process;
//   - the process table's scan of every /proc/PID/stat (table.go,
//     parseStatFast): the measured hot path, see BenchmarkTable.
//
// procfs trusts the kernel's formats: v0.23 slices past the end of a stat
// line with nothing after the comm. Every call goes through procfsCall,
// which turns a panic into an error for that section, so no malformed file
// (a fixture, a FUSE-mounted /proc, a future kernel) can crash procbox.

// errProcfsPanic marks a file procfs could not parse without panicking.
var errProcfsPanic = errors.New("malformed file")

// procfsCall runs f and turns a panic inside procfs into an error naming file.
func procfsCall[T any](file string, f func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, fmt.Errorf("%s: %w (procfs: %v)", file, errProcfsPanic, r)
		}
	}()
	return f()
}

// procfsProc is pid (or "self") under the proc root, as procfs sees it.
func procfsProc(root, pid string) (procfs.Proc, error) {
	pfs, err := procfs.NewFS(root)
	if err != nil {
		return procfs.Proc{}, err
	}
	if pid == "self" {
		return pfs.Self()
	}
	n, err := strconv.Atoi(pid)
	if err != nil {
		return procfs.Proc{}, fmt.Errorf("%s: not a PID", pid)
	}
	return pfs.Proc(n)
}

// readStat reads /proc/PID/stat (proc_pid_stat(5)) through procfs.
func readStat(p procfs.Proc) (procStat, error) {
	st, err := procfsCall("stat", p.Stat)
	if err != nil {
		return procStat{}, err
	}
	if len(st.State) != 1 || st.NumThreads < 0 || st.RSS < 0 || st.PPID < 0 {
		return procStat{}, errStatFormat
	}
	return procStat{
		Comm: st.Comm, State: st.State, PPID: st.PPID, Flags: uint64(st.Flags),
		Priority: st.Priority, Nice: st.Nice, Threads: st.NumThreads,
		StartTicks: st.Starttime, VSizeBytes: uint64(st.VSize), RSSPages: int64(st.RSS),
		Policy: st.Policy,
	}, nil
}

// readCmdline reads /proc/PID/cmdline: arguments end with NUL bytes; kernel
// threads and zombies have none.
func readCmdline(p procfs.Proc) ([]string, error) {
	args, err := procfsCall("cmdline", p.CmdLine)
	if args == nil || len(args) == 1 && args[0] == "" {
		// procfs splits a file of only NULs (a process that blanked its
		// argv) into one empty argument: that is no argument at all.
		args = []string{}
	}
	return args, err
}

// readExe reads the /proc/PID/exe link; "" where it does not resolve
// (kernel threads).
func readExe(p procfs.Proc) (string, error) {
	return procfsCall("exe", p.Executable)
}

// readEnviron reads /proc/PID/environ (proc_pid_environ(5)) into a map. An
// entry without "=" keeps an empty value; a later duplicate name wins.
func readEnviron(p procfs.Proc) (map[string]string, error) {
	kvs, err := procfsCall("environ", p.Environ)
	if err != nil {
		return nil, err
	}
	env := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env, nil
}

// readCgroups reads /proc/PID/cgroup (cgroups(7)): "ID:CONTROLLERS:PATH"
// lines, the v2 line with no controllers.
func readCgroups(p procfs.Proc) ([]CgroupMembership, error) {
	cgs, err := procfsCall("cgroup", p.Cgroups)
	if err != nil {
		return nil, err
	}
	out := make([]CgroupMembership, 0, len(cgs))
	for _, c := range cgs {
		ctrls := c.Controllers
		if ctrls == nil {
			ctrls = []string{}
		}
		out = append(out, CgroupMembership{HierarchyID: c.HierarchyID, Controllers: ctrls, Path: c.Path})
	}
	return out, nil
}

// readNS reads the inode of every namespace link of one /proc/PID
// directory (or /proc/self) (namespaces(7)), the kinds procbox reports.
func readNS(dir string) (map[string]uint64, error) {
	p, err := procfsProc(filepath.Dir(dir), filepath.Base(dir))
	if err != nil {
		return map[string]uint64{}, err
	}
	ns, err := procfsCall("ns", p.Namespaces)
	out := map[string]uint64{}
	for _, kind := range NamespaceKinds {
		if n, ok := ns[kind]; ok {
			out[kind] = uint64(n.Inode)
		}
	}
	return out, err
}

// readMaps reads /proc/PID/maps (proc_pid_maps(5)) and classifies each
// mapping against the program's path.
func readMaps(p procfs.Proc, exe string) ([]MemoryMap, error) {
	maps, err := procfsCall("maps", p.ProcMaps)
	if err != nil {
		return nil, err
	}
	out := make([]MemoryMap, 0, len(maps))
	for _, m := range maps {
		if m == nil || m.Perms == nil || m.EndAddr < m.StartAddr {
			return out, fmt.Errorf("maps: %w", errProcfsPanic)
		}
		mm := MemoryMap{Start: uint64(m.StartAddr), End: uint64(m.EndAddr), Perms: permsText(m.Perms), Path: m.Pathname}
		mm.Kind = mapKind(mm, exe)
		out = append(out, mm)
	}
	return out, nil
}

// permsText writes procfs's permissions back in the maps file's form, "r-xp".
func permsText(p *procfs.ProcMapPermissions) string {
	b := []byte("---p")
	if p.Read {
		b[0] = 'r'
	}
	if p.Write {
		b[1] = 'w'
	}
	if p.Execute {
		b[2] = 'x'
	}
	if p.Shared {
		b[3] = 's'
	}
	return string(b)
}

// readBootTime is btime of /proc/stat (proc_stat(5)): the boot time in
// seconds since the epoch.
func readBootTime(root string) (uint64, error) {
	pfs, err := procfs.NewFS(root)
	if err != nil {
		return 0, err
	}
	st, err := procfsCall("stat", pfs.Stat)
	if err != nil {
		return 0, err
	}
	if st.BootTime == 0 {
		return 0, errors.New("/proc/stat: no btime line")
	}
	return st.BootTime, nil
}
