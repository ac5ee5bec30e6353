package isolate

// Sweeping what a dead procbox left behind: exactly what its lock file lists
// (owner_linux.go), once the sweep holds that lock. Called at the start of
// every run and Lab child and by `procbox doctor --clean`. It needs no PID of
// any owner, so it works from any pid namespace that shares /run/procbox.

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SweepReport says what a sweep did.
type SweepReport struct {
	Removed []string // cgroups, links and directories removed
	Notes   []string // foreign processes moved out of a cgroup instead of killed
	// Legacy is procbox-named state no lock file lists: made by a procbox from
	// before lock files, or by hand. Removed only when asked (legacy).
	Legacy []string
}

// SweepOwned removes what dead owners listed. With listLegacy it also looks
// for procbox-named state that no lock file lists, and with removeLegacy
// removes it too (doctor --clean --legacy): the user says no older procbox
// runs, since such state carries no proof of whose it is.
func SweepOwned(listLegacy, removeLegacy bool) (SweepReport, error) {
	var rep SweepReport
	var errs []error
	dead, live := ownerScan(OwnerDir())
	listed := map[ownedItem]bool{}
	for _, d := range dead {
		proof := sweepProof(d.items)
		var left []ownedItem
		for _, it := range d.items {
			listed[it] = true
			if it.kind == ownTree || live[it] {
				// A live owner lists it too: a forged or copied entry never wins.
				continue
			}
			if it.kind == OwnLessonNet && liveLessonNet(live) {
				// The lesson's links have one set of names: a live learner's
				// shell may be using them now. Kept for a later sweep.
				left = append(left, it)
				continue
			}
			done, err := sweepItem(it, d.uid, proof, &rep)
			if err != nil {
				errs = append(errs, err)
				left = append(left, it)
				continue
			}
			if done != "" {
				rep.Removed = append(rep.Removed, done)
			}
		}
		if len(left) > 0 {
			// Keep the session proof with what is left.
			for _, it := range d.items {
				if it.kind == ownTree {
					left = append(left, it)
				}
			}
		}
		d.finish(left)
	}
	if !listLegacy {
		return rep, errors.Join(errs...)
	}
	for it := range live {
		listed[it] = true
	}
	if removeLegacy {
		// Unlisted state is removed only where the locks are visible: in a
		// child whose /run/procbox is masked (or any place that cannot see
		// the host's), every live owner's state would look unlisted.
		if err := ownerDirUsable(OwnerDir()); err != nil {
			return rep, errors.Join(append(errs, fmt.Errorf("not removing unlisted state: %w", err))...)
		}
	}
	for _, it := range legacyState() {
		if listed[it] {
			continue
		}
		if !removeLegacy {
			rep.Legacy = append(rep.Legacy, it.value)
			continue
		}
		// Read the claims again just before removing: a procbox may have
		// claimed this a moment ago (it claims before it creates).
		if ownerAnyClaim(it) {
			continue
		}
		done, err := sweepItem(it, os.Geteuid(), nil, &rep)
		if err != nil {
			errs = append(errs, err)
		} else if done != "" {
			rep.Removed = append(rep.Removed, done)
		}
	}
	return rep, errors.Join(errs...)
}

// sweepItem removes one listed thing after checking it has the shape procbox
// gives such things; it returns what it removed ("" when it was gone).
func sweepItem(it ownedItem, uid int, proof *treeProof, rep *SweepReport) (string, error) {
	switch it.kind {
	case OwnCgroup:
		dir := it.value
		if !filepath.IsAbs(dir) || filepath.Clean(dir) != dir || !strings.HasPrefix(filepath.Base(dir), "procbox-") {
			return "", nil // not a procbox cgroup: a forged entry, ignored
		}
		var st unix.Statfs_t
		if err := unix.Statfs(dir, &st); err != nil {
			if errors.Is(err, unix.ENOENT) {
				return "", nil
			}
			return "", err
		}
		if st.Type != unix.CGROUP_SUPER_MAGIC && st.Type != unix.CGROUP2_SUPER_MAGIC {
			return "", nil
		}
		note := func(s string) { rep.Notes = append(rep.Notes, s) }
		if err := cgroupRemoveDirs([]string{dir}, false, proof, note); err != nil {
			return "", err
		}
		return dir, nil
	case OwnVeth:
		if !strings.HasPrefix(it.value, vethPrefix) || len(it.value) > 15 {
			return "", nil
		}
		deleted, err := vethDelete(it.value)
		if err != nil || !deleted {
			return "", err
		}
		return it.value, nil
	case OwnLessonNet:
		return sweepLessonNet(it.value)
	case OwnRootfs:
		dir := it.value
		if !filepath.IsAbs(dir) || filepath.Clean(dir) != dir || !strings.HasPrefix(filepath.Base(dir), DemoRootfsPrefix) {
			return "", nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(dir, &st); err != nil {
			if errors.Is(err, unix.ENOENT) {
				return "", nil
			}
			return "", err
		}
		// A real directory of the lock file's owner, nothing else: a symlink
		// or someone else's directory is not procbox's to delete.
		if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != uid {
			return "", nil
		}
		if err := os.RemoveAll(dir); err != nil {
			return "", err
		}
		return dir, nil
	}
	return "", nil
}

// liveLessonNet reports whether a live procbox has a learner's shell that may
// be building the lesson's network.
func liveLessonNet(live map[ownedItem]bool) bool {
	for it := range live {
		if it.kind == OwnLessonNet {
			return true
		}
	}
	return false
}

// DemoRootfsPrefix starts the name of every demo root filesystem directory
// (made by cmd/procbox for the container lesson).
const DemoRootfsPrefix = "procbox-rootfs-"

// sweepProof rebuilds a dead owner's session proof from its lock file, when
// the sweep sees session ids the way the owner did (the same pid namespace).
func sweepProof(items []ownedItem) *treeProof {
	self := pidNSInode(os.Getpid())
	for _, it := range items {
		if it.kind != ownTree {
			continue
		}
		f := strings.Fields(it.value)
		if len(f) != 3 {
			continue
		}
		sid, err1 := strconv.Atoi(f[0])
		ns, err2 := strconv.ParseUint(f[1], 10, 64)
		start, err3 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || sid <= 0 || ns != self || self == 0 {
			continue
		}
		// The child (the session leader) died with its owner; what is left of
		// its session is its own tree.
		p := &treeProof{}
		p.sessions = append(p.sessions, sessionProof{sid: sid, start: start})
		for _, more := range items[slices.Index(items, it)+1:] {
			if g := strings.Fields(more.value); more.kind == ownTree && len(g) == 3 && g[1] == f[1] {
				s, _ := strconv.Atoi(g[0])
				st, _ := strconv.ParseUint(g[2], 10, 64)
				p.sessions = append(p.sessions, sessionProof{sid: s, start: st})
			}
		}
		return p
	}
	return nil
}

// legacyState lists procbox-named state on this host: cgroups named
// procbox-* in every hierarchy (at any depth, since procbox makes them under
// the caller's cgroup), pbx* links (procbox's veths, and the lesson's links while
// no learner builds them), and demo root filesystems in the temp dir.
// For a user other than root only what that user owns counts: root's lock
// files are out of its sight, and root's state is not its to list.
func legacyState() []ownedItem {
	var out []ownedItem
	uid := os.Geteuid()
	mine := func(p string) bool {
		var st unix.Stat_t
		return uid == 0 || (unix.Lstat(p, &st) == nil && int(st.Uid) == uid)
	}
	if l, err := DetectCgroups(cgroupRoot); err == nil {
		roots := map[string]bool{}
		for _, d := range l.V1 {
			roots[d] = true
		}
		if l.Unified != "" {
			roots[l.Unified] = true
		}
		for root := range roots {
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || !d.IsDir() {
					return nil
				}
				if strings.HasPrefix(d.Name(), "procbox-") {
					if mine(p) {
						out = append(out, ownedItem{OwnCgroup, p})
					}
					return fs.SkipDir // a child's cgroups below go with it
				}
				return nil
			})
		}
	}
	if links, err := net.Interfaces(); err == nil && uid == 0 {
		// The lesson's links count only while no learner's shell (of this
		// procbox or a live other) may be building them.
		_, busy := otherLessonNet()
		busy = busy || slices.ContainsFunc(ownerSelfItems(), func(it ownedItem) bool { return it.kind == OwnLessonNet })
		for _, l := range links {
			if _, ok := parseVethName(l.Name); ok || (!busy && slices.Contains(LessonLinks, l.Name)) {
				out = append(out, ownedItem{OwnVeth, l.Name})
			}
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), DemoRootfsPrefix+"*"))
	for _, d := range dirs {
		if mine(d) {
			out = append(out, ownedItem{OwnRootfs, d})
		}
	}
	return out
}

// ownerAnyClaim reports whether any lock file (live or not) lists it.
func ownerAnyClaim(it ownedItem) bool {
	files, _ := filepath.Glob(filepath.Join(OwnerDir(), "*.lock"))
	if os.Geteuid() == 0 {
		more, _ := filepath.Glob("/run/user/*/procbox/*.lock")
		files = append(files, more...)
	}
	for _, p := range files {
		f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
		if err != nil {
			continue
		}
		items := readOwned(f)
		f.Close()
		if slices.Contains(items, it) {
			return true
		}
	}
	return slices.Contains(ownerSelfItems(), it)
}

// pidNSInode is the inode of pid's pid namespace, 0 if unreadable.
func pidNSInode(pid int) uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/pid", &st) != nil {
		return 0
	}
	return st.Ino
}

// procStat is what the cleanup needs from /proc/PID/stat: proc(5) fields 4
// (ppid), 6 (session) and 22 (start time in clock ticks since boot).
type procStat struct {
	comm    string
	ppid    int
	session int
	start   uint64
}

func readProcStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	s := string(b)
	// comm may hold spaces and parentheses: the fields start after the last ')'.
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no comm", pid)
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	ppid, err1 := strconv.Atoi(f[1])
	sess, err2 := strconv.Atoi(f[3])
	start, err3 := strconv.ParseUint(f[19], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return procStat{comm: s[i+1 : j], ppid: ppid, session: sess, start: start}, nil
}

// ownerDirUsable says why the lock directory cannot be trusted to show every
// live owner here: it cannot be made, is not ours alone, or is on a
// read-only mount (procbox masks it so in a child's mount namespace).
func ownerDirUsable(dir string) error {
	return ownerDirOpen(dir) // a masked (read-only) directory fails here
}
