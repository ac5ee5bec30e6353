package isolate

// Reading and writing cgroupfs control files the way `echo val > file` and
// `cat file` do, plus the small string helpers the steps use.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// write writes one control file and returns the step that does the same by hand.
func (c *Cgroup) write(file, val, what string) (Step, error) {
	if c.plan {
		return Step{What: what, Command: "echo " + cgroupShellQuote(val) + " > " + file}, nil
	}
	if err := cgroupWriteFile(file, val, c.layout.fixture); err != nil {
		return Step{}, err
	}
	return Step{What: what, Command: "echo " + cgroupShellQuote(val) + " > " + file}, nil
}

// mkdir makes one cgroup directory (nothing when only planning).
func (c *Cgroup) mkdir(dir string) error {
	if c.plan {
		return nil
	}
	if !c.layout.fixture {
		// Claimed before it exists: a procbox killed right after the mkdir
		// still leaves it listed for the sweep (owner_linux.go).
		if err := Claim(OwnCgroup, dir); err != nil {
			return err
		}
	}
	err := os.Mkdir(dir, 0o755)
	if err != nil && !c.layout.fixture {
		Unclaim(OwnCgroup, dir) // not ours (EEXIST: another procbox's of the same name)
	}
	return err
}

// cgroupWriteFile writes val the way `echo val > file` does. Control files
// always exist in a kernel cgroup, so a missing one means a missing controller
// and is an error; a fixture tree gets the file created.
func cgroupWriteFile(file, val string, fixture bool) error {
	flags := unix.O_WRONLY | unix.O_TRUNC | unix.O_CLOEXEC
	if fixture {
		flags |= unix.O_CREAT
	}
	fd, err := cgroupOpen(file, flags, 0o644)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", file, err)
	}
	// One write call: cgroupfs parses each write on its own.
	b := []byte(val + "\n")
	var n int
	for {
		n, err = unix.Write(fd, b)
		if err != unix.EINTR {
			break
		}
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err == nil && n != len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("cannot write %q to %s: %w", val, file, err)
	}
	return nil
}

// cgroupOpen opens a control file with a plain open(2). os.OpenFile would also
// register it with Go's network poller (kernfs files can be polled): four more
// system calls per file, on every start and cleanup.
func cgroupOpen(file string, flags int, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(file, flags, perm)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// cgroupRead reads a whole control file with open, read and close only (see
// cgroupOpen). Errors are the bare errno, so errors.Is(err, fs.ErrNotExist) works.
func cgroupRead(file string) ([]byte, error) {
	fd, err := cgroupOpen(file, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, err
		case n == 0:
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// cgroupErrno strips the *PathError wrapper so messages read
// "cannot write /…/memory.max: read-only file system" without the path twice.
// errors.Is still sees the errno.
func cgroupErrno(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func cgroupReadString(file string) string {
	b, _ := cgroupRead(file)
	return string(b)
}

func cgroupFileExists(file string) bool {
	_, err := os.Stat(file)
	return err == nil
}

func cgroupContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cgroupShellQuote quotes a value for the step's echo when it has a space or a
// shell character ("+memory +pids", "20000 100000").
func cgroupShellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$`\\|&;<>()*?") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
