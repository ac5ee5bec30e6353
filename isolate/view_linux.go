package isolate

import (
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
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
	v.Hostname, err = os.Hostname()
	note("hostname", err)
	v.ProcCount, v.Procs, err = visibleProcs(8)
	note("procs", err)
	v.Interfaces, err = cachedInterfaces()
	note("interfaces", err)
	v.MountRoot, v.MountCount, err = cachedMountSummary()
	note("mounts", err)
	if b, err := os.ReadFile("/proc/self/uid_map"); err == nil {
		v.UIDMap = strings.Join(strings.Fields(string(b)), " ")
	} else {
		note("uid_map", err)
	}
	v.IPC = ipcObjects()
	v.CgroupPath, err = ownCgroupPath()
	note("cgroup", err)
	st, err := readStatus()
	note("status", err)
	if m, err := strconv.ParseUint(st["CapEff"], 16, 64); err == nil {
		v.CapEff = capsFromMask(m)
	}
	v.Seccomp, _ = strconv.Atoi(st["Seccomp"])
	v.NoNewPrivs = st["NoNewPrivs"] == "1"
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
// /proc is read in batches of names, unsorted (os.ReadDir would stat and sort
// every entry); only the few lowest PIDs are kept, in a small sorted array.
func visibleProcs(max int) (int, []string, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return 0, nil, err
	}
	defer d.Close()
	low := make([]int, 0, max)
	count := 0
	for {
		names, err := d.Readdirnames(256)
		for _, name := range names {
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
		if err == io.EOF || len(names) == 0 {
			break
		}
		if err != nil {
			return 0, nil, err
		}
	}
	names := make([]string, 0, len(low))
	for _, pid := range low {
		p := strconv.Itoa(pid)
		comm, _ := os.ReadFile("/proc/" + p + "/comm")
		names = append(names, p+" "+strings.TrimSpace(string(comm)))
	}
	return count, names, nil
}

// parsePID reads a /proc entry name as a PID without allocating.
func parsePID(name string) (int, bool) {
	if name == "" || len(name) > 10 {
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
	count := func(name string) int {
		b, err := os.ReadFile("/proc/sysvipc/" + name)
		if err != nil {
			return 0
		}
		n := strings.Count(string(b), "\n") - 1
		if n < 0 {
			n = 0
		}
		return n
	}
	return IPCObjects{Queues: count("msg"), Semaphores: count("sem"), SharedMem: count("shm")}
}

// ownCgroupPath is this process's cgroup: the v2 line, or the memory/pids
// controller's on v1.
func ownCgroupPath() (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
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
