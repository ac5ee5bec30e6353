package inspect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// labelledLSMs are the security modules that put a label on processes.
var labelledLSMs = []string{"apparmor", "selinux", "smack", "tomoyo"}

// activeLSMs reads <sys>/kernel/security/lsm (the comma-separated list of
// active security modules). ok is false when securityfs is not mounted.
func activeLSMs(sys string) (names []string, ok bool) {
	b, err := os.ReadFile(filepath.Join(sys, "kernel", "security", "lsm"))
	if err != nil {
		return nil, false
	}
	for _, n := range strings.Split(strings.TrimSpace(string(b)), ",") {
		if n != "" {
			names = append(names, n)
		}
	}
	return names, true
}

// labelledLSM returns the first active LSM that labels processes, or "".
func labelledLSM(active []string) string {
	for _, a := range active {
		for _, l := range labelledLSMs {
			if a == l {
				return a
			}
		}
	}
	return ""
}

// cleanLabel trims what the kernel appends to attr/current (a newline, a NUL).
func cleanLabel(b []byte) string {
	return strings.TrimRight(string(b), "\x00\n ")
}

// readLSM reads the security label of a process: /proc/PID/attr/apparmor/current
// when AppArmor is active (the per-LSM file wins over the shared one on
// stacked kernels), else /proc/PID/attr/current. It answers "none" when no
// labelling LSM is active; the kernel then answers EINVAL. See apparmor(7),
// selinux(8).
func (fs FS) readLSM(pid int) (string, error) {
	active, known := activeLSMs(fs.Sys)
	lsm := labelledLSM(active)
	if known && lsm == "" {
		return "none", nil
	}
	dir := filepath.Join(fs.Proc, itoa(pid), "attr")
	files := []string{filepath.Join(dir, "current")}
	if lsm == "apparmor" {
		files = append([]string{filepath.Join(dir, "apparmor", "current")}, files...)
	}
	var firstErr error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			if l := cleanLabel(b); l != "" {
				return l, nil
			}
			continue
		}
		if errors.Is(err, syscall.EINVAL) {
			continue
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil && lsm != "" {
		return "", firstErr
	}
	return "none", nil
}
