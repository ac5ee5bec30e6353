package inspect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// userHZ is the kernel's USER_HZ (sysconf(_SC_CLK_TCK)): 100 on every Linux
// architecture Go supports, and the unit of /proc/PID/stat's starttime.
const userHZ = 100

// Snapshot reads everything procbox shows about one process. Each section
// is read on its own: a failure lands in Snapshot.Errors[section] with a
// reason and the rest is still filled in. The error is non-nil only when the
// process does not exist (wrapping ErrGone) or nothing at all could be read
// (wrapping ErrDenied).
func (fs FS) Snapshot(pid int, opt Options) (Snapshot, error) {
	s := Snapshot{
		PID: pid, Cmdline: []string{}, Groups: []ID{},
		Namespaces: map[string]Namespace{}, UIDMap: []IDMapping{}, GIDMap: []IDMapping{},
		Cgroups: []CgroupMembership{}, FDs: []FD{}, Env: map[string]string{}, Rlimits: []Rlimit{},
		Errors: map[string]string{},
	}
	s.Container.IsolatedNamespaces = []string{}
	s.Memory.Kinds, s.Memory.Maps = []MemoryKind{}, []MemoryMap{}
	if pid <= 0 {
		return s, fmt.Errorf("invalid PID %d: want a positive number", pid)
	}
	dir := filepath.Join(fs.Proc, itoa(pid))
	if !fs.exists(pid) {
		return s, fs.goneErr(pid)
	}
	read := 0 // sections that gave an answer
	fail := func(section string, err error) { s.Errors[section] = reason(err) }
	var nsErr error // why the namespaces could not be read, for the verdict
	// procfs reads the files it parses (procfs.go); a failure to open the
	// process there is every such section's reason.
	p, perr := procfsProc(fs.Proc, itoa(pid))

	// Identity: /proc/PID/stat.
	if perr != nil {
		fail("identity", perr)
	} else if st, err := readStat(p); err != nil {
		fail("identity", err)
	} else {
		read++
		s.PPID, s.Comm, s.State = st.PPID, st.Comm, st.State
		s.KernelThread = isKernelThread(st.Flags)
		s.Threads, s.Nice, s.Priority = st.Threads, st.Nice, st.Priority
		s.Policy = policyName(st.Policy)
		s.Memory.RSSBytes = st.RSSPages * int64(os.Getpagesize())
		s.Memory.VSizeBytes = int64(st.VSizeBytes)
		if btime, err := bootTime(fs.Proc); err == nil {
			secs := float64(btime) + float64(st.StartTicks)/userHZ
			s.StartTime = time.Unix(0, int64(secs*1e9)).UTC()
		} else {
			fail("start_time", err)
		}
	}
	if perr != nil {
		fail("exe", perr)
	} else if exe, err := readExe(p); err != nil {
		fail("exe", err)
	} else {
		read++
		s.Exe = exe // "" for kernel threads: their exe link does not resolve
	}
	if perr != nil {
		fail("cmdline", perr)
	} else if args, err := readCmdline(p); err != nil {
		fail("cmdline", err)
	} else {
		read++
		s.Cmdline = append(s.Cmdline, args...)
	}

	// Credentials, capabilities, seccomp: /proc/PID/status.
	if b, err := os.ReadFile(filepath.Join(dir, "status")); err != nil {
		fail("status", err)
		s.Errors["capabilities"] = s.Errors["status"]
		s.Errors["seccomp"] = s.Errors["status"]
	} else if st, err := parseStatus(string(b)); err != nil {
		fail("status", err)
	} else {
		read++
		s.UIDs = IDSet{fs.userID(st.UIDs[0]), fs.userID(st.UIDs[1]), fs.userID(st.UIDs[2]), fs.userID(st.UIDs[3])}
		s.GIDs = IDSet{fs.groupID(st.GIDs[0]), fs.groupID(st.GIDs[1]), fs.groupID(st.GIDs[2]), fs.groupID(st.GIDs[3])}
		s.User = fs.userName(st.UIDs[1])
		for _, g := range st.Groups {
			s.Groups = append(s.Groups, fs.groupID(g))
		}
		if s.Threads == 0 {
			s.Threads = st.Threads
		}
		if s.Comm == "" {
			s.Comm = st.Name
		}
		s.Caps = Capabilities{
			Effective: decodeCaps(st.CapEff), Permitted: decodeCaps(st.CapPrm),
			Inheritable: decodeCaps(st.CapInh), Bounding: decodeCaps(st.CapBnd),
			Ambient: decodeCaps(st.CapAmb),
		}
		s.NoNewPrivs = st.NoNewPrivs
		s.Seccomp = Seccomp{Mode: st.Seccomp, Filters: st.SeccompFilters, Name: seccompName(st.Seccomp)}
		if !st.HasSeccomp {
			s.Errors["seccomp"] = "not available: this kernel has no seccomp (no Seccomp line in status)"
		}
	}

	// Namespaces against the host reference and against procbox itself.
	if ns, err := readNS(dir); len(ns) == 0 && err != nil {
		fail("namespaces", err)
		nsErr = err
	} else {
		read++
		if err != nil {
			fail("namespaces", err)
		}
		ref, refName := fs.nsReference()
		self, _ := readNS(filepath.Join(fs.Proc, "self"))
		s.NSReference = refName
		for kind, ino := range ns {
			s.Namespaces[kind] = Namespace{Inode: ino, SharedWithHost: ref[kind] == ino, SharedWithSelf: self[kind] == ino}
		}
	}
	for _, m := range []struct {
		file string
		dst  *[]IDMapping
	}{{"uid_map", &s.UIDMap}, {"gid_map", &s.GIDMap}} {
		if b, err := os.ReadFile(filepath.Join(dir, m.file)); err != nil {
			fail(m.file, err)
		} else if mp, err := parseIDMap(string(b)); err != nil {
			fail(m.file, err)
		} else {
			read++
			*m.dst = mp
		}
	}

	// Cgroups, their limits, and the runtime guessed from their paths.
	if perr != nil {
		fail("cgroups", perr)
		s.Errors["limits"] = "unknown: the process's cgroups could not be read"
	} else if cgs, err := readCgroups(p); err != nil {
		fail("cgroups", err)
		s.Errors["limits"] = "unknown: the process's cgroups could not be read"
	} else {
		read++
		s.Cgroups = cgs
		mode, _ := cgroupMode(fs.Cgroup)
		lim, notes, err := readLimits(fs.Cgroup, mode, cgs)
		s.Limits = lim
		if err != nil {
			fail("limits", err)
		}
		for field, why := range notes {
			s.Errors["limits."+field] = why // e.g. limits.pids_current: never a false 0
		}
	}
	fs.identify(&s, nsErr)

	if lsm, err := fs.readLSM(pid); err != nil {
		fail("lsm", err)
	} else {
		s.LSM = lsm
	}
	if fds, err := fs.readFDs(pid); err != nil {
		fail("fds", err)
		if fds != nil {
			s.FDs = fds // the entries that could be read; errors.fds says what is missing
		}
	} else {
		read++
		s.FDs = fds
	}
	if perr != nil {
		fail("env", perr)
	} else if env, err := readEnviron(p); err != nil {
		fail("env", err)
	} else {
		read++
		s.Env = env
		if !opt.ShowSecrets {
			s.Env = MaskEnv(s.Env)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "limits")); err != nil {
		fail("rlimits", err)
	} else if rl, err := parseLimits(string(b)); err != nil {
		fail("rlimits", err)
	} else {
		read++
		s.Rlimits = rl
	}
	if perr != nil {
		fail("memory", perr)
	} else if maps, err := readMaps(p, s.Exe); err != nil {
		fail("memory", err)
	} else {
		read++
		s.Memory.Maps, s.Memory.Kinds = maps, summariseMaps(maps)
	}
	if s.KernelThread {
		// The kernel fills the file with zeros for a kernel thread: there is
		// no user stack or program counter to show, and zeros are not one.
		s.Errors["syscall"] = "kernel thread: it runs only in the kernel and has no user registers"
	} else if b, err := os.ReadFile(filepath.Join(dir, "syscall")); err != nil {
		fail("syscall", err)
	} else if sc, err := parseSyscall(string(b)); err != nil {
		fail("syscall", err)
	} else {
		read++
		s.Syscall = &sc
	}

	// A process that exited while we read is gone, whatever we collected.
	if !fs.exists(pid) {
		return s, fs.goneErr(pid)
	}
	if read == 0 {
		return s, fmt.Errorf("PID %d: %w", pid, ErrDenied)
	}
	return s, nil
}

// bootTimes caches the boot time (/proc/stat btime) per proc root: it never
// changes, while /proc/stat is long on many-CPU hosts.
var bootTimes sync.Map // proc root -> uint64

func bootTime(root string) (uint64, error) {
	if v, ok := bootTimes.Load(root); ok {
		return v.(uint64), nil
	}
	t, err := readBootTime(root)
	if err != nil {
		return 0, err
	}
	bootTimes.Store(root, t)
	return t, nil
}

// exists reports whether /proc/PID is there. It is the authority on "gone":
// single files may answer ENOENT or ESRCH for a live process (kernel threads
// have no environ or exe).
func (fs FS) exists(pid int) bool {
	_, err := os.Stat(filepath.Join(fs.Proc, itoa(pid)))
	return err == nil || !errors.Is(err, os.ErrNotExist)
}

// Gone returns the ErrGone error Snapshot would give when no process pid is
// there (saying so when hidepid may be why), and nil while /proc/PID exists:
// the CLI answers a mistyped PID in one line before it opens a screen.
func (fs FS) Gone(pid int) error {
	if fs.exists(pid) {
		return nil
	}
	return fs.goneErr(pid)
}

// goneError says the process does not exist, and why that may be a
// misunderstanding when /proc hides other users' processes.
func (fs FS) goneErr(pid int) error {
	if hp := fs.hidePIDOption(); hp != "" && hp != "0" && hp != "off" && os.Geteuid() != 0 {
		return goneError(fmt.Sprintf("no process with PID %d (or it belongs to another user: %s is mounted with hidepid=%s)", pid, fs.Proc, hp))
	}
	return goneError(fmt.Sprintf("no process with PID %d", pid))
}

// goneError is an ErrGone whose message is a sentence for people: the CLI
// prints it as it is.
type goneError string

func (e goneError) Error() string        { return string(e) }
func (e goneError) Is(target error) bool { return target == ErrGone }
