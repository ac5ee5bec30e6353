package isolate

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// gatherView answers the Lab's questions from this process's point of view.
// The agent calls it inside the child; procbox calls it for the host side.
// Every question that fails is noted in Errors, the others still answered.
func gatherView(side string) View {
	v := View{Side: side, PID: os.Getpid(), UID: os.Getuid(), GID: os.Getgid(),
		NSInodes: map[string]uint64{}, Errors: map[string]string{}}
	note := func(key string, err error) {
		if err != nil {
			v.Errors[key] = err.Error()
		}
	}
	var err error
	v.Hostname, err = hostname()
	note("hostname", err)
	v.ProcCount, v.Procs, err = visibleProcs(8)
	note("procs", err)
	v.Interfaces, err = cachedInterfaces()
	note("interfaces", err)
	v.MountRoot, v.MountCount, err = cachedMountSummary()
	note("mounts", err)
	var buf [4096]byte // one buffer for the small /proc files below
	if b, err := readProcFile("/proc/self/uid_map", buf[:]); err == nil {
		v.UIDMap = strings.Join(strings.Fields(string(b)), " ")
	} else {
		note("uid_map", err)
	}
	v.IPC = ipcObjects()
	v.CgroupPath, err = ownCgroupPath()
	note("cgroup", err)
	st, err := readProcFile("/proc/self/status", buf[:])
	note("status", err)
	if m, err := strconv.ParseUint(statusField(st, "CapEff"), 16, 64); err == nil {
		v.CapEff = capsForMask(m)
	}
	v.Seccomp, _ = strconv.Atoi(statusField(st, "Seccomp"))
	v.NoNewPrivs = statusField(st, "NoNewPrivs") == "1"
	for _, ns := range AllNamespaces {
		var s unix.Stat_t
		if err := unix.Stat("/proc/self/ns/"+ns, &s); err == nil {
			v.NSInodes[ns] = s.Ino
		}
	}
	v.Monotonic = clock(unix.CLOCK_MONOTONIC)
	v.Boottime = clock(unix.CLOCK_BOOTTIME)
	v.Realtime = time.Now()
	if len(v.Errors) == 0 {
		v.Errors = nil
	}
	return v
}

func clock(id int32) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// visibleProcs counts the processes in /proc and names the lowest max PIDs.
// /proc is read with getdents into one buffer and its records parsed in
// place, unsorted (os.ReadDir would make a string per entry, stat and sort);
// only the few lowest PIDs are kept, in a small sorted array.
func visibleProcs(max int) (int, []string, error) {
	fd, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, nil, &os.PathError{Op: "open", Path: "/proc", Err: err}
	}
	defer unix.Close(fd)
	low := make([]int, 0, max)
	count := 0
	buf := make([]byte, 16384)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, nil, &os.PathError{Op: "getdents", Path: "/proc", Err: err}
		}
		if n <= 0 {
			break
		}
		// linux_dirent64: ino u64, off s64, reclen u16, type u8, name NUL-ended.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			b = b[reclen:]
			pid, ok := parsePID(name)
			if !ok {
				continue
			}
			count++
			if len(low) == max && pid >= low[max-1] {
				continue
			}
			i, _ := slices.BinarySearch(low, pid)
			if len(low) < max {
				low = append(low, 0)
			}
			copy(low[i+1:], low[i:])
			low[i] = pid
		}
	}
	names := make([]string, 0, len(low))
	var cbuf [64]byte // comm is at most 16 bytes
	for _, pid := range low {
		p := strconv.Itoa(pid)
		comm, _ := readProcFile("/proc/"+p+"/comm", cbuf[:])
		names = append(names, p+" "+string(bytes.TrimSpace(comm)))
	}
	return count, names, nil
}

// parsePID reads a /proc entry name as a PID without allocating.
func parsePID[T string | []byte](name T) (int, bool) {
	if len(name) == 0 || len(name) > 10 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func interfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []Interface
	for _, i := range ifs {
		it := Interface{Name: i.Name, Up: i.Flags&net.FlagUp != 0}
		if addrs, err := i.Addrs(); err == nil {
			for _, a := range addrs {
				it.Addrs = append(it.Addrs, a.String())
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// mountSummary reads /proc/self/mountinfo: what is mounted on / and how many
// mounts this process sees. cachedMountSummary is the one the views use.
func mountSummary() (root string, count int, err error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", 0, err
	}
	root, count = parseMountinfo(b)
	return root, count, nil
}

// ipcObjects counts the SysV objects in /proc/sysvipc (one header line each).
func ipcObjects() IPCObjects {
	var buf [4096]byte
	count := func(name string) int {
		n, err := countProcLines("/proc/sysvipc/"+name, buf[:])
		if err != nil || n < 1 {
			return 0
		}
		return n - 1
	}
	return IPCObjects{Queues: count("msg"), Semaphores: count("sem"), SharedMem: count("shm")}
}

// ownCgroupPath is this process's cgroup: the v2 line, or the memory/pids
// controller's on v1.
func ownCgroupPath() (string, error) {
	var buf [4096]byte
	b, err := readProcFile("/proc/self/cgroup", buf[:])
	if err != nil {
		return "", err
	}
	var v2, v1 string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2 = parts[2]
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" || (c == "pids" && v1 == "") {
				v1 = parts[2]
			}
		}
	}
	if v1 != "" {
		return v1, nil
	}
	return v2, nil
}

// readStatus reads /proc/self/status into a map.
func readStatus() (map[string]string, error) {
	return readStatusOf("/proc/self/status")
}

func readStatusOf(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return map[string]string{}, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m, nil
}

// The views are read about once a second for as long as the Lab is open, so
// the small /proc files are read with plain open/read/close into a caller's
// buffer: os.ReadFile adds two fstats and an allocation sized to the file.

// readProcFile reads path into buf and returns the part filled; a file
// longer than buf is cut there (callers pass a buffer larger than the file).
func readProcFile(path string, buf []byte) ([]byte, error) {
	fd, err := openProc(path)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], nil
}

// countProcLines counts the newlines of a file of any length, using buf.
func countProcLines(path string, buf []byte) (int, error) {
	fd, err := openProc(path)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	lines := 0
	for {
		m, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			return lines, nil
		}
		lines += bytes.Count(buf[:m], []byte{'\n'})
	}
}

func openProc(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// statusField is the value of one "Key:\tvalue" line of /proc/PID/status.
func statusField(status []byte, key string) string {
	for len(status) > 0 {
		line := status
		if i := bytes.IndexByte(status, '\n'); i >= 0 {
			line, status = status[:i], status[i+1:]
		} else {
			status = nil
		}
		if len(line) > len(key) && line[len(key)] == ':' && string(line[:len(key)]) == key {
			return string(bytes.TrimSpace(line[len(key)+1:]))
		}
	}
	return ""
}

// hostname is the UTS name, as os.Hostname would say, in one uname call.
func hostname() (string, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", os.NewSyscallError("uname", err)
	}
	b := u.Nodename[:]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b), nil
}

// capsForMask names the capabilities of a mask, remembering the last answer:
// a process's effective set rarely changes, and naming it builds the table of
// known capabilities anew.
var capsMemo struct {
	sync.Mutex
	mask  uint64
	names []string
	set   bool
}

func capsForMask(mask uint64) []string {
	capsMemo.Lock()
	defer capsMemo.Unlock()
	if !capsMemo.set || capsMemo.mask != mask {
		capsMemo.mask, capsMemo.names, capsMemo.set = mask, capsFromMask(mask), true
	}
	return slices.Clone(capsMemo.names)
}
