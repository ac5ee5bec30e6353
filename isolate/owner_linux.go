package isolate

// Ownership of what procbox makes on the host (cgroups, veth links, demo root
// filesystems) is a lock, not a name. Each procbox process that makes
// something holds one lock file, flock(2)ed LOCK_EX for as long as it owns
// anything (the file goes with the last thing), that lists what it made. The
// kernel drops the lock when the process dies, however it dies, and in no
// other way: a PID in a name can be seen differently from
// another pid namespace or be reused, and an mtime can be set by anyone who
// can touch(1) the directory. A sweep removes exactly what is listed in a lock
// file it can take itself, from any pid namespace that shares the file.
//
// The descriptor is O_CLOEXEC: a child never inherits it, so a child that
// outlives procbox cannot keep its owner "alive", and cannot release it.

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// What a lock file can list. The sweep checks each value's shape before it
// acts on it (ownedRemovable), so a forged lock file cannot name /etc.
const (
	OwnCgroup = "cgroup"  // a cgroup directory (absolute path on a cgroup filesystem)
	OwnVeth   = "veth"    // the host end of a veth pair
	OwnRootfs = "rootfs"  // a demo root filesystem directory
	ownTree   = "session" // "SID PIDNS-INODE STARTTICKS": the child's session, to tell its processes from foreign ones
	// OwnLessonNet (lessonnet.go): a learner's shell that may build the lesson's network
)

// maxLockFileBytes bounds what is read from a lock file (one is a few hundred
// bytes); a larger one is not procbox's.
const maxLockFileBytes = 64 << 10

// owner is this process's lock file, made on the first claim.
var owner struct {
	mu    sync.Mutex
	f     *os.File
	items []ownedItem
}

type ownedItem struct{ kind, value string }

// OwnerDir is the directory of lock files for this user: /run/procbox for
// root (one place for every root procbox, whatever its pid namespace); for
// anyone else $XDG_RUNTIME_DIR/procbox, the per-user runtime directory that
// dies with the login session, or TMPDIR/procbox-UID without one. A user's
// procbox can only make state in that user's delegated cgroups and temp
// directories, and only that user may remove it, so a per-user directory is
// all it needs; root reads the users' lock files too, so it never takes their
// live state for stale.
func OwnerDir() string {
	if os.Geteuid() == 0 {
		return ownerRunDir
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		return filepath.Join(d, "procbox")
	}
	return filepath.Join(os.TempDir(), "procbox-"+strconv.Itoa(os.Geteuid()))
}

// ownerDirOpen makes (0700) and checks the lock directory: a real directory,
// ours, that nobody else may write to — otherwise another user could plant
// or delete lock files.
func ownerDirOpen(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := unix.Mkdir(dir, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("cannot make %s: %w", dir, err)
	}
	var fs unix.Statfs_t
	if unix.Statfs(dir, &fs) == nil && fs.Flags&unix.ST_RDONLY != 0 {
		return fmt.Errorf("%s is read-only here (masked in a procbox child's mount namespace?)", dir)
	}
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Geteuid() || st.Mode&0o022 != 0 {
		return fmt.Errorf("%s is not a directory only you may write to: refusing to keep ownership locks there", dir)
	}
	return nil
}

// ownerLock returns this process's locked file, making it on first use. The
// file is made under a dot name, locked, then renamed to NAME.lock, so a
// sweep never sees a lock file that is not yet locked.
func ownerLock() (*os.File, error) {
	if owner.f != nil {
		return owner.f, nil
	}
	dir := OwnerDir()
	if err := ownerDirOpen(dir); err != nil {
		return nil, fmt.Errorf("cannot record what this procbox makes: %w", err)
	}
	for range 5 {
		var b [8]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		tmp := filepath.Join(dir, ".new-"+id)
		fd, err := unix.Open(tmp, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("ownership lock: %w", err)
		}
		if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
			unix.Close(fd)
			unix.Unlink(tmp)
			continue // a sweep took it in the instant before: try another name
		}
		if err := unix.Rename(tmp, filepath.Join(dir, id+".lock")); err != nil {
			unix.Close(fd)
			continue // a sweep removed the dot file: try another name
		}
		owner.f = os.NewFile(uintptr(fd), filepath.Join(dir, id+".lock"))
		return owner.f, nil
	}
	return nil, errors.New("ownership lock: could not make a lock file")
}

// Claim records that this process made (or is about to make) something. Call
// it before creating the thing, so a crash in between leaves nothing
// unrecorded; the sweep tolerates a claimed thing that never came to be.
func Claim(kind, value string) error {
	owner.mu.Lock()
	defer owner.mu.Unlock()
	f, err := ownerLock()
	if err != nil {
		return err
	}
	if slices.Contains(owner.items, ownedItem{kind, value}) {
		return nil
	}
	owner.items = append(owner.items, ownedItem{kind, value})
	return ownerWrite(f)
}

// Unclaim forgets a thing once it is gone.
func Unclaim(kind, value string) {
	owner.mu.Lock()
	defer owner.mu.Unlock()
	i := slices.Index(owner.items, ownedItem{kind, value})
	if i < 0 || owner.f == nil {
		return
	}
	owner.items = slices.Delete(owner.items, i, i+1)
	if len(owner.items) == 0 {
		// Nothing left to own: the lock file goes (unlinked while still
		// locked, so no sweep can judge it in between), and the next Claim
		// makes a new one. A procbox that exits normally leaves no file.
		unix.Unlink(owner.f.Name())
		owner.f.Close()
		owner.f = nil
		return
	}
	ownerWrite(owner.f)
}

// ownerWrite rewrites the lock file's list in place (the lock stays held).
func ownerWrite(f *os.File) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# procbox pid %d: the state below is owned while this file is locked\n", os.Getpid())
	for _, it := range owner.items {
		b.WriteString(it.kind + " " + strconv.Quote(it.value) + "\n")
	}
	if _, err := f.WriteAt([]byte(b.String()), 0); err != nil {
		return fmt.Errorf("ownership lock: %w", err)
	}
	return f.Truncate(int64(b.Len()))
}

// readOwned parses a lock file's list; malformed lines are skipped.
func readOwned(r io.Reader) []ownedItem {
	var out []ownedItem
	sc := bufio.NewScanner(io.LimitReader(r, maxLockFileBytes))
	for sc.Scan() {
		kind, rest, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(kind, "#") {
			continue
		}
		v, err := strconv.Unquote(rest)
		if err != nil {
			continue
		}
		out = append(out, ownedItem{kind, v})
	}
	return out
}

// ownerSelfItems is a copy of what this process owns now.
func ownerSelfItems() []ownedItem {
	owner.mu.Lock()
	defer owner.mu.Unlock()
	return slices.Clone(owner.items)
}

// deadOwner is a lock file whose lock the sweep holds: its owner is dead.
type deadOwner struct {
	f     *os.File
	uid   int
	items []ownedItem
}

// ownerScan takes every lock it can in dir (the dead owners, locks kept) and
// returns what the live ones claim. Lock files of other users' directories
// (root only: /run/user/*/procbox) count as live claims and are never taken.
func ownerScan(dir string) (dead []deadOwner, live map[ownedItem]bool) {
	live = map[ownedItem]bool{}
	for _, it := range ownerSelfItems() {
		live[it] = true
	}
	if os.Geteuid() == 0 {
		others, _ := filepath.Glob("/run/user/*/procbox/*.lock")
		for _, p := range others {
			if f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0); err == nil {
				for _, it := range readOwned(f) {
					live[it] = true
				}
				f.Close()
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, live
	}
	for _, e := range entries {
		name := e.Name()
		isTmp := strings.HasPrefix(name, ".new-")
		if !isTmp && !strings.HasSuffix(name, ".lock") {
			continue
		}
		p := filepath.Join(dir, name)
		fd, err := unix.Open(p, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		f := os.NewFile(uintptr(fd), p)
		if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
			// Held: the owner is alive (or another sweep has it).
			for _, it := range readOwned(f) {
				live[it] = true
			}
			f.Close()
			continue
		}
		// Still the file at that name? A sweep that finished meanwhile may have
		// unlinked it; then it is not ours to judge.
		var a, b unix.Stat_t
		if unix.Fstat(fd, &a) != nil || unix.Lstat(p, &b) != nil || a.Ino != b.Ino || a.Dev != b.Dev ||
			a.Mode&unix.S_IFMT != unix.S_IFREG {
			f.Close()
			continue
		}
		if isTmp {
			// A procbox killed between making its lock file and naming it.
			unix.Unlink(p)
			f.Close()
			continue
		}
		dead = append(dead, deadOwner{f: f, uid: int(a.Uid), items: readOwned(f)})
	}
	return dead, live
}

// finish rewrites a dead owner's file with what could not be removed yet (a
// later sweep retries), or deletes it when nothing is left, then drops the lock.
func (d deadOwner) finish(left []ownedItem) {
	if len(left) == 0 {
		unix.Unlink(d.f.Name())
	} else {
		var b strings.Builder
		b.WriteString("# left by a dead procbox; a sweep could not remove these yet\n")
		for _, it := range left {
			b.WriteString(it.kind + " " + strconv.Quote(it.value) + "\n")
		}
		d.f.WriteAt([]byte(b.String()), 0)
		d.f.Truncate(int64(b.Len()))
	}
	d.f.Close() // releases the lock
}
