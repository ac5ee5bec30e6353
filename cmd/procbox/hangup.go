package main

import "golang.org/x/sys/unix"

// watchHangup calls cancel when the terminal on fd goes away. A pty whose
// other side is closed (the tmux session killed, the ssh link gone) reports
// POLLHUP to every reader; the kernel also sends SIGHUP, but only to the
// terminal's own session, so a procbox started with setsid(1) would never
// hear of it and keep rescanning /proc for nobody. Poll with no events asked
// for reports only hang-ups and errors, so it never consumes input.
func watchHangup(fd int, cancel func()) {
	go func() {
		fds := []unix.PollFd{{Fd: int32(fd)}}
		for {
			n, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return
			}
			if n > 0 && fds[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0 {
				cancel()
				return
			}
		}
	}()
}
