package inspect

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// fdKind classifies a /proc/PID/fd/N link target (proc_pid_fd(5)). isDir is
// what stat(2) through the link said, since a path alone cannot tell a
// directory from a file.
func fdKind(target string, isDir bool) string {
	switch {
	case strings.HasPrefix(target, "socket:["):
		return "socket"
	case strings.HasPrefix(target, "pipe:["):
		return "pipe"
	case strings.HasPrefix(target, "anon_inode:"):
		return "anon_inode"
	case strings.HasPrefix(target, "/dev/pts/"), strings.HasPrefix(target, "/dev/tty"),
		target == "/dev/console", target == "/dev/ptmx":
		return "tty"
	case strings.HasPrefix(target, "/dev/"):
		return "device"
	case isDir:
		return "directory"
	case strings.HasPrefix(target, "/"):
		return "file"
	case strings.Contains(target, ":["):
		// net:[4026531840] and friends: a namespace held open by descriptor.
		return "namespace"
	}
	return "other"
}

// socketInode extracts N from "socket:[N]".
func socketInode(target string) (uint64, bool) {
	s, ok := strings.CutPrefix(target, "socket:[")
	if !ok || !strings.HasSuffix(s, "]") {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(s, "]"), 10, 64)
	return n, err == nil
}

// readFDs lists /proc/PID/fd with each target and kind, sockets described
// from that process's own network namespace tables (/proc/PID/net/*), so a
// socket inside a container resolves against the container's tables.
func (fs FS) readFDs(pid int) ([]FD, error) {
	dir := filepath.Join(fs.Proc, itoa(pid), "fd")
	names, err := readDirNames(dir)
	if err != nil {
		return nil, err
	}
	out := make([]FD, 0, len(names))
	hasSocket := false
	denied, listed := 0, 0
	var deniedErr error
	for _, n := range names {
		num, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		listed++
		target, err := os.Readlink(filepath.Join(dir, n))
		if err != nil {
			if errors.Is(classify(err), ErrDenied) {
				// The directory may be listable while every link answers
				// EACCES (PID 1 seen from a container's root): that is "could
				// not read", never "no open files".
				denied++
				deniedErr = err
			}
			continue // otherwise: closed between the listing and now
		}
		isDir := false
		if strings.HasPrefix(target, "/") {
			if fi, err := os.Stat(filepath.Join(dir, n)); err == nil {
				isDir = fi.IsDir()
			}
		}
		fd := FD{FD: num, Target: target, Kind: fdKind(target, isDir)}
		hasSocket = hasSocket || fd.Kind == "socket"
		out = append(out, fd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FD < out[j].FD })
	if denied > 0 {
		err := fmt.Errorf("%d of %d descriptors could not be read: %w", denied, listed, classify(deniedErr))
		if len(out) == 0 {
			return nil, err
		}
		return fs.describeSockets(pid, out, hasSocket), err
	}
	return fs.describeSockets(pid, out, hasSocket), nil
}

// describeSockets fills the detail of socket descriptors from the process's
// own network namespace tables (/proc/PID/net/*).
func (fs FS) describeSockets(pid int, out []FD, hasSocket bool) []FD {
	if hasSocket {
		socks := fs.readSockets(pid)
		for i := range out {
			if ino, ok := socketInode(out[i].Target); ok {
				out[i].Detail = socks[ino]
			}
		}
	}
	return out
}

// readDirNames lists a directory without stat-ing its entries.
func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

func itoa(n int) string { return strconv.Itoa(n) }
