package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// statedir.go opens the directory that keeps a learner's progress so that
// nobody else can steer procbox's writes and deletes elsewhere. procbox often
// runs as root with a user's environment (sudo keeps XDG_STATE_HOME): a user
// who plants /tmp/x/procbox -> /etc and sets XDG_STATE_HOME=/tmp/x must not
// get root to write or delete files in /etc.
//
// The rules, checked on the open descriptors (not on names, which can change
// between a check and a use):
//   - every directory on the way is owned by root or the caller, and one that
//     others may write to is sticky (as /tmp is), so nobody else can swap an
//     entry in it;
//   - a symlink on the way is followed only when root or the caller owns it
//     (fs.protected_symlinks judges the same way);
//   - the state directory itself is the caller's, is no symlink, and only the
//     caller may write to it.
//
// The store then works relative to that descriptor with O_NOFOLLOW, so a
// rename of the path after the check changes nothing.

// errStateDirUnsafe marks a state directory procbox refuses to use.
var errStateDirUnsafe = errors.New("unsafe state directory")

// maxStateSymlinks bounds how many symlinks a path may cross, like the
// kernel's ELOOP limit.
const maxStateSymlinks = 40

// openStateDir opens dir as the state directory; with create it makes the
// missing directories (mode 0700). The result is an O_PATH descriptor for
// the *at system calls.
func openStateDir(dir string, create bool) (*os.File, error) {
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("state directory %s: not an absolute path", dir)
	}
	uid := os.Geteuid()
	cur, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	parts := splitPath(dir)
	hops := 0
	for len(parts) > 0 {
		name := parts[0]
		parts = parts[1:]
		last := len(parts) == 0
		next, target, err := stateStep(cur, name, uid, create)
		if err != nil {
			unix.Close(cur)
			return nil, fmt.Errorf("state directory %s: %w", dir, err)
		}
		if target != "" {
			// A trusted symlink: resolve its target from here (or from / when absolute).
			if hops++; hops > maxStateSymlinks {
				unix.Close(cur)
				return nil, fmt.Errorf("state directory %s: too many symlinks", dir)
			}
			if last {
				unix.Close(cur)
				return nil, fmt.Errorf("state directory %s: %w: it is a symlink", dir, errStateDirUnsafe)
			}
			if filepath.IsAbs(target) {
				unix.Close(cur)
				if cur, err = unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
					return nil, err
				}
			}
			parts = append(splitPath(target), parts...)
			continue
		}
		unix.Close(cur)
		cur = next
		if err := checkStateDirFD(cur, uid, last); err != nil {
			unix.Close(cur)
			return nil, fmt.Errorf("state directory %s: %w", dir, err)
		}
	}
	return os.NewFile(uintptr(cur), dir), nil
}

// stateStep opens one component below the directory cur. It returns the new
// descriptor, or the target of a symlink that may be followed.
func stateStep(cur int, name string, uid int, create bool) (int, string, error) {
	if name == ".." {
		// Going up is fine: every directory already passed the owner check,
		// and ".." of an open descriptor cannot be swapped.
		fd, err := unix.Openat(cur, "..", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		return fd, "", err
	}
	for range 2 {
		fd, err := unix.Openat(cur, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == nil {
			return fd, "", nil
		}
		if errors.Is(err, unix.ENOENT) && create {
			if err := unix.Mkdirat(cur, name, 0o700); err != nil && !errors.Is(err, unix.EEXIST) {
				return -1, "", fmt.Errorf("mkdir %s: %w", name, err)
			}
			continue
		}
		if !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.ENOTDIR) {
			return -1, "", fmt.Errorf("%s: %w", name, err)
		}
		var st unix.Stat_t
		if err := unix.Fstatat(cur, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return -1, "", fmt.Errorf("%s: %w", name, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			return -1, "", fmt.Errorf("%s: not a directory", name)
		}
		if st.Uid != 0 && int(st.Uid) != uid {
			return -1, "", fmt.Errorf("%w: %s is a symlink owned by uid %d, not by you or root", errStateDirUnsafe, name, st.Uid)
		}
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(cur, name, buf)
		if err != nil {
			return -1, "", fmt.Errorf("%s: %w", name, err)
		}
		return -1, string(buf[:n]), nil
	}
	return -1, "", fmt.Errorf("%s: keeps changing", name)
}

// checkStateDirFD applies the owner and mode rules to an open directory.
func checkStateDirFD(fd, uid int, final bool) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	othersWrite := st.Mode&0o022 != 0
	if final {
		if int(st.Uid) != uid {
			return fmt.Errorf("%w: owned by uid %d, not by you (uid %d)", errStateDirUnsafe, st.Uid, uid)
		}
		if othersWrite {
			return fmt.Errorf("%w: others may write to it (mode %#o); chmod go-w it", errStateDirUnsafe, st.Mode&0o7777)
		}
		return nil
	}
	if st.Uid != 0 && int(st.Uid) != uid {
		return fmt.Errorf("%w: a directory on the way is owned by uid %d, not by you or root", errStateDirUnsafe, st.Uid)
	}
	if othersWrite && st.Mode&unix.S_ISVTX == 0 {
		return fmt.Errorf("%w: a directory on the way may be written by others and is not sticky (mode %#o)", errStateDirUnsafe, st.Mode&0o7777)
	}
	return nil
}

// splitPath cuts a path into its non-empty components ("." dropped).
func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}
