package isolate

// Sweeping what a procbox killed with SIGKILL left behind: its cgroups (and, in
// veth_linux.go, its veth pairs). Called at the start of every run and by
// `procbox doctor --clean`.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sweep removes stale procbox-* cgroups whose owner PID is dead (not this process) and
// returns what it removed. Called at start of every procbox run and by `doctor --clean`.
//
// It looks directly under every hierarchy root (each v1 mount and the unified
// mount, which on hybrid hosts procbox does not use but an older or newer
// procbox might have). A cgroup whose owner is alive is never touched.
func Sweep(l CgroupLayout) ([]string, error) {
	if !l.fixture && !sweepSeesAllPIDs() {
		return nil, errSweepNested
	}
	var roots []string
	seen := map[string]bool{}
	for _, dir := range l.V1 {
		if !seen[dir] {
			seen[dir] = true
			roots = append(roots, dir)
		}
	}
	if l.Unified != "" && !seen[l.Unified] {
		roots = append(roots, l.Unified)
	}
	sort.Strings(roots)
	self := os.Getpid()
	var removed []string
	var errs []error
	for _, root := range roots {
		entries, err := os.ReadDir(root)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			owner, _, ok := parseCgroupName(e.Name())
			if !ok || owner == self {
				continue
			}
			dir := filepath.Join(root, e.Name())
			info, err := e.Info()
			if err != nil || sweepOwnerAlive(owner, info.ModTime()) {
				continue
			}
			if err := cgroupRemoveDirs([]string{dir}, l.fixture); err != nil {
				errs = append(errs, err)
				continue
			}
			removed = append(removed, dir)
		}
	}
	return removed, errors.Join(errs...)
}

// sweepOwnerAlive reports whether pid can still be the procbox that created a
// cgroup at created. A pid that is gone is dead. A pid whose process started
// after the cgroup was made is a reused pid: the procbox that had it is dead.
// Anything else is treated as alive, whatever the binary is called (a renamed
// copy of procbox is still procbox), and so is a pid we may not look at
// (hidepid): a live owner's cgroups must never be touched.
func sweepOwnerAlive(pid int, created time.Time) bool {
	started, state, err := processStartTime(pid)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	// A zombie (killed, not yet reaped by its parent) or a dead task owns nothing.
	if state == "Z" || state == "X" {
		return false
	}
	// btime has a resolution of one second, so allow that much slack: a pid
	// reused within a second of its owner creating the cgroup is not a case worth
	// the risk of killing a live owner's child.
	return !started.After(created.Add(time.Second))
}

// processStartTime is when pid started, and its state letter, from field 22 of /proc/PID/stat
// (clock ticks since boot, USER_HZ = 100 on every Linux architecture procbox
// builds for) and the btime line of /proc/stat: proc(5).
func processStartTime(pid int) (time.Time, string, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return time.Time{}, "", err
	}
	s := string(b)
	// comm may hold spaces and parentheses: the fields start after the last ')'.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return time.Time{}, "", fmt.Errorf("/proc/%d/stat: no ')'", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return time.Time{}, "", fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	ticks, err := strconv.ParseInt(f[19], 10, 64) // field 22 overall; f[0] is field 3
	if err != nil {
		return time.Time{}, "", fmt.Errorf("/proc/%d/stat starttime: %w", pid, err)
	}
	boot, err := bootTime()
	if err != nil {
		return time.Time{}, "", err
	}
	const userHZ = 100
	return boot.Add(time.Duration(ticks) * time.Second / userHZ), f[0], nil
}

// bootTime reads the btime line of /proc/stat.
func bootTime() (time.Time, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("/proc/stat btime: %w", err)
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, errors.New("/proc/stat: no btime line")
}

// errSweepNested: a sweep from inside a pid namespace would judge every other
// procbox's cgroup by a PID it cannot see, call the owner dead, and remove a
// live cgroup (a nested procbox in the Lab or a container did exactly that).
var errSweepNested = errors.New("not sweeping: procbox runs inside a pid namespace, where the owners' PIDs in the names cannot be checked; sweep from the host")

// sweepSeesAllPIDs reports whether this process is in the host's pid namespace
// with the host's /proc, so a PID in a cgroup or veth name means the same
// process here. /proc/1/ns may not be readable, so it asks two other ways:
// /proc/self must be our own PID (a /proc of another namespace names us
// differently), and PID 2 must be the kernel's kthreadd, a kernel thread
// (PF_KTHREAD) that only the host's namespace has.
func sweepSeesAllPIDs() bool {
	self, err := os.Readlink("/proc/self")
	if err != nil || self != strconv.Itoa(os.Getpid()) {
		return false
	}
	b, err := os.ReadFile("/proc/2/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || !strings.HasSuffix(s[:i], "(kthreadd") {
		return false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 7 {
		return false
	}
	const pfKthread = 0x00200000
	flags, err := strconv.ParseUint(f[6], 10, 64) // field 9 overall: flags
	return err == nil && flags&pfKthread != 0
}
