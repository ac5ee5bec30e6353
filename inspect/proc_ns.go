package inspect

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// NamespaceKinds are the entries of /proc/PID/ns procbox reports, in display
// order: the eight namespace types plus the two "for children" links.
// See namespaces(7).
var NamespaceKinds = []string{"pid", "net", "mnt", "uts", "ipc", "user", "cgroup", "time", "pid_for_children", "time_for_children"}

// parseNSLink parses a /proc/PID/ns/* link target such as "net:[4026531840]"
// into its type and inode number.
func parseNSLink(target string) (kind string, inode uint64, err error) {
	kind, rest, ok := strings.Cut(target, ":[")
	if !ok || !strings.HasSuffix(rest, "]") || kind == "" {
		return "", 0, fmt.Errorf("namespace link %q: want TYPE:[INODE]", target)
	}
	inode, err = strconv.ParseUint(strings.TrimSuffix(rest, "]"), 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("namespace link %q: %w", target, err)
	}
	return kind, inode, nil
}

// readNS reads the inode of every namespace link of one /proc/PID directory
// (or /proc/self). A missing link (e.g. no time namespace on kernels before
// 5.6) is left out; the first other error is returned with what was read.
func readNS(dir string) (map[string]uint64, error) {
	out := map[string]uint64{}
	var firstErr error
	for _, kind := range NamespaceKinds {
		target, err := os.Readlink(filepath.Join(dir, "ns", kind))
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		_, ino, err := parseNSLink(target)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		out[kind] = ino
	}
	return out, firstErr
}

// nsReference picks what "the host" means for shared_with_host: PID 1's
// namespaces when they are readable, otherwise procbox's own (some hosts
// refuse even root a readlink of /proc/1/ns/*). It returns the inodes and a
// sentence naming the reference.
func (fs FS) nsReference() (map[string]uint64, string) {
	host, err := readNS(filepath.Join(fs.Proc, "1"))
	if err == nil && len(host) > 0 {
		return host, "pid 1"
	}
	self, _ := readNS(filepath.Join(fs.Proc, "self"))
	why := "is not readable"
	if err != nil {
		why = "is not readable (" + reason(err) + ")"
	}
	return self, fmt.Sprintf("procbox itself (pid %d): /proc/1/ns %s", fs.selfPID(), why)
}

// selfPID is the pid /proc/self points to under fs.Proc (the fixture's self
// link in tests, os.Getpid() on the live host).
func (fs FS) selfPID() int {
	target, err := os.Readlink(filepath.Join(fs.Proc, "self"))
	if err == nil {
		if n, err := strconv.Atoi(filepath.Base(target)); err == nil {
			return n
		}
	}
	return os.Getpid()
}
