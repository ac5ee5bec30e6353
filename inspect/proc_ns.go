package inspect

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// NamespaceKinds are the entries of /proc/PID/ns procbox reports, in display
// order: the eight namespace types plus the two "for children" links.
// See namespaces(7).
var NamespaceKinds = []string{"pid", "net", "mnt", "uts", "ipc", "user", "cgroup", "time", "pid_for_children", "time_for_children"}

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
