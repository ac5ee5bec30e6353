package inspect

import (
	"golang.org/x/sys/unix"
)

// readSmall reads a small /proc file into buf with one open, one read and
// one close: the kernel produces a /proc/PID/stat line in a single read, and
// os.ReadFile's extra fstat and allocation add up over 10,000 processes.
func readSmall(path string, buf []byte) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		return n, err
	}
}

// ownerUID is the owner of a /proc/PID directory.
func ownerUID(dir string) (int, error) {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return 0, err
	}
	return int(st.Uid), nil
}

// readlinkInto reads a link into buf and returns it as a string.
func readlinkInto(path string, buf []byte) (string, error) {
	n, err := unix.Readlink(path, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}
