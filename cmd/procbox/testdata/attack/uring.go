package main

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// io_uring(7) ring layout, as linux/io_uring.h declares it.
type uringSQOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	Resv2                                                           uint64
}

type uringCQOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1 uint32
	Resv2                                                           uint64
}

type uringParams struct {
	SQEntries, CQEntries, Flags, SQThreadCPU, SQThreadIdle, Features, WQFd uint32
	Resv                                                                   [3]uint32
	SQ                                                                     uringSQOffsets
	CQ                                                                     uringCQOffsets
}

type uringSQE struct {
	Opcode, Flags uint8
	Ioprio        uint16
	Fd            int32
	Off, Addr     uint64
	Len, OpFlags  uint32
	UserData      uint64
	Pad           [3]uint64
}

// Opcodes of the file operations a ring performs without the syscall.
const (
	uringOpUnlinkat = 36
	uringOpMkdirat  = 37
	uringOpSocket   = 45
	uringOffSQEs    = 0x10000000 // IORING_OFF_SQES
	uringGetEvents  = 1          // IORING_ENTER_GETEVENTS
)

// uring does op ("mkdir", "unlink", or "socket", which ignores path) on path through one io_uring
// submission, the way a child denied mkdirat or unlinkat would try, and
// returns "ok" or the errno of the step that failed.
func uring(op, path string) string {
	var p uringParams
	fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&p)), 0)
	if e != 0 {
		return "io_uring_setup " + errName(e)
	}
	defer unix.Close(int(fd))
	size := int(p.SQ.Array) + int(p.SQEntries)*4
	if cq := int(p.CQ.Cqes) + int(p.CQEntries)*16; cq > size {
		size = cq
	}
	ring, err := unix.Mmap(int(fd), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return "mmap " + errName(err)
	}
	sqes, err := unix.Mmap(int(fd), uringOffSQEs, int(p.SQEntries)*64, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return "mmap " + errName(err)
	}
	name := append([]byte(path), 0)
	sqe := (*uringSQE)(unsafe.Pointer(&sqes[0]))
	*sqe = uringSQE{Fd: unix.AT_FDCWD, Addr: uint64(uintptr(unsafe.Pointer(&name[0])))}
	switch op {
	case "mkdir":
		sqe.Opcode, sqe.Len = uringOpMkdirat, 0o755
	case "unlink":
		sqe.Opcode = uringOpUnlinkat
	case "socket":
		// socket(AF_INET, SOCK_STREAM, 0): the domain goes in fd, the type in off.
		sqe.Opcode, sqe.Fd, sqe.Off, sqe.Addr = uringOpSocket, unix.AF_INET, unix.SOCK_STREAM, 0
	default:
		return "unknown op " + op
	}
	tail := (*uint32)(unsafe.Pointer(&ring[p.SQ.Tail]))
	mask := *(*uint32)(unsafe.Pointer(&ring[p.SQ.RingMask]))
	*(*uint32)(unsafe.Pointer(&ring[int(p.SQ.Array)+4*int(*tail&mask)])) = 0
	*tail++
	if _, _, e := unix.Syscall6(unix.SYS_IO_URING_ENTER, fd, 1, 1, uringGetEvents, 0, 0); e != 0 {
		return "io_uring_enter " + errName(e)
	}
	head := *(*uint32)(unsafe.Pointer(&ring[p.CQ.Head]))
	cmask := *(*uint32)(unsafe.Pointer(&ring[p.CQ.RingMask]))
	res := *(*int32)(unsafe.Pointer(&ring[int(p.CQ.Cqes)+int(head&cmask)*16+8]))
	if res < 0 {
		return fmt.Sprintf("%s %s", op, errName(unix.Errno(-res)))
	}
	return "ok"
}
