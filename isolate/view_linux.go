package isolate

import (
	"bufio"
	"net"
	"os"
	"sort"
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
	v.Interfaces, err = interfaces()
	note("interfaces", err)
	v.MountRoot, v.MountCount, err = mountSummary()
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

// visibleProcs counts the processes in /proc and names the first few.
func visibleProcs(max int) (int, []string, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, nil, err
	}
	var pids []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	var names []string
	for _, pid := range pids {
		if len(names) >= max {
			break
		}
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		names = append(names, strconv.Itoa(pid)+" "+strings.TrimSpace(string(comm)))
	}
	return len(pids), names, nil
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
// mounts this process sees.
func mountSummary() (root string, count int, err error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		count++
		// mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPEROPTS
		if len(fields) > 4 && fields[4] == "/" {
			for i, f := range fields {
				if f == "-" && i+2 < len(fields) {
					root = fields[i+2] + " (" + fields[i+1] + ", " + fields[3] + ")"
				}
			}
		}
	}
	return root, count, sc.Err()
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
