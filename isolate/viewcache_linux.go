package isolate

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"sync"

	"golang.org/x/sys/unix"
)

// The Lab asks for both views about once a second for as long as it is open.
// Interfaces and mounts almost never change while it idles, yet reading them
// costs a netlink dump per interface and a parse of the whole mount table.
// So each is read again only when the kernel says it changed: a netlink
// socket subscribed to link and address events for interfaces, and POLLPRI on
// an open /proc/self/mountinfo for mounts. Both watchers live in the process
// that asks (procbox for the host side, the agent for the child side), in the
// namespaces it had when it first asked; neither process changes its network
// or mount namespace later.

// ifaceCache holds the last interface list and a socket that hears changes.
type ifaceWatch struct {
	mu    sync.Mutex
	fd    int // -1: no watch socket (could not open): always read
	tried bool
	valid bool
	list  []Interface
	err   error
	buf   []byte
}

var ifaceCache ifaceWatch

// cachedInterfaces returns the interfaces, read again only after a change.
func cachedInterfaces() ([]Interface, error) {
	c := &ifaceCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.tried {
		c.tried = true
		c.fd = openLinkWatch()
	}
	if c.fd < 0 {
		return interfaces()
	}
	// The socket was opened before the first read, so a change is heard
	// even when it lands during that read.
	if c.valid && !c.linkEventsPending() {
		return slices.Clone(c.list), c.err
	}
	c.list, c.err = interfaces()
	c.valid = c.err == nil
	return slices.Clone(c.list), c.err
}

// openLinkWatch opens a netlink socket subscribed to link and IPv4/IPv6
// address changes, or returns -1.
func openLinkWatch() int {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return -1
	}
	sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK,
		Groups: unix.RTMGRP_LINK | unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1
	}
	return fd
}

// linkEventsPending drains the watch socket and reports whether anything
// arrived (or was lost: a full socket buffer means changes were dropped).
func (c *ifaceWatch) linkEventsPending() bool {
	if c.buf == nil {
		c.buf = make([]byte, 8192)
	}
	changed := false
	for {
		n, _, err := unix.Recvfrom(c.fd, c.buf, unix.MSG_DONTWAIT)
		switch {
		case err == nil && n > 0:
			changed = true
		case errors.Is(err, unix.EAGAIN):
			return changed
		case errors.Is(err, unix.EINTR):
		default:
			// ENOBUFS (events dropped) or anything unexpected: read again.
			return true
		}
	}
}

// mountCache holds the last mount summary and the open mountinfo that tells
// when the mount table changed.
type mountWatch struct {
	mu    sync.Mutex
	fd    int // raw, see cachedMountSummary; -1: could not open
	tried bool
	valid bool
	root  string
	count int
	err   error
	buf   []byte
}

var mountCache mountWatch

// cachedMountSummary returns mountSummary's answer, read again only after
// the mount table changed. The kernel marks an open mountinfo with
// POLLPRI|POLLERR when a mount or unmount happens in its namespace; a poll
// clears the mark, and it is polled before reading, so no change between the
// two is missed.
func cachedMountSummary() (string, int, error) {
	var err error
	c := &mountCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.tried {
		c.tried = true
		// A raw descriptor, not an *os.File: os.Open would register it with
		// Go's epoll, and the kernel clears the change mark on whichever poll
		// sees it first — the runtime's, not ours.
		c.fd, err = unix.Open("/proc/self/mountinfo", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			c.fd = -1
		}
	}
	if c.fd < 0 {
		return mountSummary()
	}
	fds := []unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLPRI}}
	changed := true
	for {
		n, err := unix.Poll(fds, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err == nil {
			changed = n > 0 && fds[0].Revents&(unix.POLLPRI|unix.POLLERR) != 0
		}
		break
	}
	if c.valid && !changed {
		return c.root, c.count, c.err
	}
	c.root, c.count, c.err = c.readMounts()
	c.valid = c.err == nil
	return c.root, c.count, c.err
}

// readMounts reads the whole table again through the open file.
func (c *mountWatch) readMounts() (string, int, error) {
	if _, err := unix.Seek(c.fd, 0, io.SeekStart); err != nil {
		return "", 0, err
	}
	c.buf = c.buf[:0]
	for {
		if len(c.buf) == cap(c.buf) {
			c.buf = slices.Grow(c.buf, 16384)
		}
		n, err := unix.Read(c.fd, c.buf[len(c.buf):cap(c.buf)])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return "", 0, err
		}
		if n == 0 {
			break
		}
		c.buf = c.buf[:len(c.buf)+n]
	}
	root, count := parseMountinfo(c.buf)
	return root, count, nil
}

// parseMountinfo counts the lines of a mountinfo and describes the mount on
// /: "SOURCE (FSTYPE, ROOT)".
func parseMountinfo(b []byte) (root string, count int) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		count++
		// mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPEROPTS
		fields := bytes.Fields(line)
		if len(fields) > 4 && string(fields[4]) == "/" {
			for i, f := range fields {
				if string(f) == "-" && i+2 < len(fields) {
					root = string(fields[i+2]) + " (" + string(fields[i+1]) + ", " + string(fields[3]) + ")"
				}
			}
		}
	}
	return root, count
}
