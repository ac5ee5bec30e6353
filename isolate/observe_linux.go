package isolate

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"procbox/internal/termtext"
)

// Observe reads process pid from outside: its namespaces, and what it sees
// inside the UTS, IPC and network namespaces it is in. procbox enters those
// three on one locked thread (setns works per thread for them; it does not
// for mnt and user in a multi-threaded program, so mounts and the uid map are
// read from /proc/PID instead). Each part that fails is noted in Errors.
func Observe(pid int) (Observed, error) {
	o := Observed{PID: pid, NSInodes: map[string]uint64{}, Errors: map[string]string{}}
	dir := "/proc/" + strconv.Itoa(pid)
	st, err := readStatusOf(dir + "/status")
	if err != nil {
		return o, err // gone or not ours to read: nothing else would answer
	}
	note := func(key string, err error) {
		if err != nil {
			o.Errors[key] = err.Error()
		}
	}
	o.Comm = st["Name"]
	if f := strings.Fields(st["State"]); len(f) > 0 {
		o.State = f[0]
	}
	if f := strings.Fields(st["NSpid"]); len(f) > 0 {
		o.InnerPID, _ = strconv.Atoi(f[len(f)-1])
	}
	if m, err := strconv.ParseUint(st["CapEff"], 16, 64); err == nil {
		o.CapEff = capsFromMask(m)
	}
	if m, err := strconv.ParseUint(st["CapBnd"], 16, 64); err == nil {
		o.CapBnd = capsFromMask(m)
	}
	o.NoNewPrivs = st["NoNewPrivs"] == "1"
	o.Seccomp, _ = strconv.Atoi(st["Seccomp"])
	for _, ns := range AllNamespaces {
		var s unix.Stat_t
		if err := unix.Stat(dir+"/ns/"+ns, &s); err == nil {
			o.NSInodes[ns] = s.Ino
		}
	}
	if b, err := os.ReadFile(dir + "/uid_map"); err == nil {
		o.UIDMap = strings.Join(strings.Fields(string(b)), " ")
	} else {
		note("uid_map", err)
	}
	if b, err := os.ReadFile(dir + "/mountinfo"); err == nil {
		o.Mounts = parseMountList(b)
	} else {
		note("mounts", err)
	}
	if b, err := os.ReadFile(dir + "/timens_offsets"); err == nil {
		o.MonotonicOffset, o.BoottimeOffset = parseTimensOffsets(b)
	}
	o.CgroupPath, o.Limits, err = observeCgroup(dir + "/cgroup")
	note("cgroup", err)
	o.Unified, err = observeUnified(dir + "/cgroup")
	note("unified", err)

	note("hostname", inNamespace(pid, "uts", unix.CLONE_NEWUTS, func() (err error) {
		o.Hostname, err = hostname()
		return err
	}))
	note("ipc", inNamespace(pid, "ipc", unix.CLONE_NEWIPC, func() error {
		o.IPC = ipcObjects()
		return nil
	}))
	note("interfaces", inNamespace(pid, "net", unix.CLONE_NEWNET, func() (err error) {
		if o.Interfaces, err = interfaces(); err != nil {
			return err
		}
		o.Routes, err = observeLinks(o.Interfaces)
		note("routes", err)
		o.Forwarding, err = forwarding()
		note("forwarding", err)
		return nil
	}))
	if own := ownNetNS(); own != 0 && o.NSInodes["net"] != 0 && o.NSInodes["net"] != own {
		o.Conns, err = tcpConns(pid)
		note("conns", err)
	}
	if len(o.Errors) == 0 {
		o.Errors = nil
	}
	return o.Printable(), nil // every string here was chosen by the process or its namespaces
}

// ownNetNS is the inode of procbox's own network namespace, 0 if unreadable.
func ownNetNS() uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/self/ns/net", &st) != nil {
		return 0
	}
	return st.Ino
}

// inNamespace runs fn on a thread that has joined pid's namespace of kind,
// or on the caller's goroutine when pid shares procbox's own. The thread
// goes back to procbox's namespace afterwards; if it cannot, it stays locked
// and the Go runtime retires it, so no other goroutine ever runs there.
func inNamespace(pid int, kind string, flag int, fn func() error) error {
	var mine, theirs unix.Stat_t
	if err := unix.Stat("/proc/self/ns/"+kind, &mine); err != nil {
		return err
	}
	target := fmt.Sprintf("/proc/%d/ns/%s", pid, kind)
	if err := unix.Stat(target, &theirs); err != nil {
		return err
	}
	if mine.Ino == theirs.Ino && mine.Dev == theirs.Dev {
		return fn()
	}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		own, err := unix.Open("/proc/thread-self/ns/"+kind, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		defer unix.Close(own)
		fd, err := unix.Open(target, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, flag); err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("setns %s of %d: %w", kind, pid, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(own, flag); err != nil {
			done <- fmt.Errorf("back to procbox's %s namespace: %w", kind, err) // thread stays locked
			return
		}
		runtime.UnlockOSThread()
		done <- ferr
	}()
	return <-done
}

// parseMountList turns mountinfo into "MOUNTPOINT FSTYPE SOURCE" lines.
func parseMountList(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		i := slices.Index(f, "-")
		if i < 0 || i+2 >= len(f) {
			continue
		}
		out = append(out, f[4]+" "+f[i+1]+" "+f[i+2])
	}
	return out
}

// parseTimensOffsets reads /proc/PID/timens_offsets ("monotonic S NS" and
// "boottime S NS" lines).
func parseTimensOffsets(b []byte) (mono, boot time.Duration) {
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		s, err1 := strconv.ParseInt(f[1], 10, 64)
		ns, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		d := time.Duration(s)*time.Second + time.Duration(ns)
		switch f[0] {
		case "monotonic", "1":
			mono = d
		case "boottime", "7":
			boot = d
		}
	}
	return mono, boot
}

// hostCgroups is this host's cgroup layout, detected once.
var hostCgroups = sync.OnceValues(func() (CgroupLayout, error) { return DetectCgroups("/sys/fs/cgroup") })

// observeCgroup reads a /proc/PID/cgroup file and the limits of the groups it
// names. The path is the memory (or pids) controller's on v1, the v2 one else.
func observeCgroup(file string) (string, CgroupStats, error) {
	none := CgroupStats{MemoryMax: -1, PidsMax: -1, CPUQuotaUsec: -1}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", none, err
	}
	layout, err := hostCgroups()
	if err != nil {
		return "", none, err
	}
	paths := map[string]string{} // controller ("" for v2) -> path
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			paths[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			paths[c] = parts[2]
		}
	}
	cg := &Cgroup{version: layout.limitsOn(), dirs: map[string]string{}}
	path := paths[""]
	if cg.version == CgroupV2 {
		cg.dirs[""] = filepath.Join(layout.Unified, paths[""])
	} else {
		for _, c := range []string{"memory", "pids", "cpu", "cpuacct"} {
			if mnt, ok := layout.V1[c]; ok {
				if p, ok := paths[c]; ok {
					cg.dirs[c] = filepath.Join(mnt, p)
				}
			}
		}
		if p, ok := paths["pids"]; ok {
			path = p
		}
		if p, ok := paths["memory"]; ok {
			path = p
		}
	}
	stats, err := cg.Stats()
	return path, stats, err
}

// observeUnified reads the group a /proc/PID/cgroup file names on the v2
// tree; a host without one gives the zero group and no error.
func observeUnified(file string) (UnifiedGroup, error) {
	none := UnifiedGroup{CPUUsageUsec: -1, CPUSomeUsec: -1, MemorySomeUsec: -1, IOSomeUsec: -1}
	layout, err := hostCgroups()
	if err != nil || layout.Unified == "" {
		return none, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return none, err
	}
	path := unifiedPath(string(b))
	if path == "" {
		return none, nil
	}
	return ReadUnifiedGroup(layout.Unified, path)
}

// TreeWatch samples every process below a root, for as long as a learner's
// shell runs, and keeps the latest reading of each.
type TreeWatch struct {
	root int
	skip func(pid int) bool
	name func(pid int) string
	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	host  Observed
	seen  map[int]Observed
	order []int
	names map[int]string // the namer's answers, kept once given
	net   HostNet        // the host's network over the readings (ShellTrace.HostNet)
	guard *LessonNet
}

// GuardLessonNet has the watch claim n (write it into the lock file) as soon
// as one of the learner's processes has a network namespace of its own: the
// first sign that the learner is building a container's network.
func (w *TreeWatch) GuardLessonNet(n *LessonNet) {
	w.mu.Lock()
	w.guard = n
	w.mu.Unlock()
}

// WatchTree starts sampling the descendants of root (root itself excluded)
// every interval; skip leaves out a subtree (procbox's demo child, say).
// Stop ends it and returns the trace.
func WatchTree(root int, every time.Duration, skip func(pid int) bool) *TreeWatch {
	return WatchTreeNamed(root, every, skip, nil)
}

// WatchTreeNamed is WatchTree with a namer: for each process in namespaces
// of its own (a pid or mount namespace that is not procbox's), name says
// which container it is ("runc learner-oci", "" for none), and the answer
// goes into Observed.Container. The caller brings the namer because reading
// the runtimes' state is inspect's job, not isolate's. A process is named
// once; an empty answer is asked again at the next sample (a runtime writes
// its state only after the container's process exists).
func WatchTreeNamed(root int, every time.Duration, skip func(pid int) bool, name func(pid int) string) *TreeWatch {
	w := &TreeWatch{root: root, skip: skip, name: name, stop: make(chan struct{}), done: make(chan struct{}),
		seen: map[int]Observed{}, names: map[int]string{}}
	w.host, _ = Observe(os.Getpid())
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			w.Sample()
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// Sample reads the tree once, now. While one of the processes has a
// network namespace of its own (a learner building a container's network),
// it also gathers the host's: links, ip_forward and the nat table.
func (w *TreeWatch) Sample() {
	var onHost []Observed
	netLesson := false
	for _, pid := range descendants(w.root, w.skip) {
		o, err := Observe(pid)
		if err != nil {
			continue // gone between the scan and the read
		}
		if n := o.NSInodes["net"]; n != 0 && n == w.host.NSInodes["net"] {
			onHost = append(onHost, o)
		} else if n != 0 {
			netLesson = true
		}
		w.mu.Lock()
		known := w.names[pid]
		w.mu.Unlock()
		if known == "" && w.name != nil && w.ownNamespaces(o) {
			known = termtext.Printable(w.name(pid)) // a container's id is its maker's choice
		}
		o.Container = known
		w.mu.Lock()
		if known != "" {
			w.names[pid] = known
		}
		if _, ok := w.seen[pid]; !ok {
			w.order = append(w.order, pid)
		}
		w.seen[pid] = o
		w.mu.Unlock()
	}
	if !netLesson {
		return
	}
	w.mu.Lock()
	guard := w.guard
	w.mu.Unlock()
	guard.Claim()          // a lock file that cannot be written costs only the sweep after a crash
	rules, _ := NATRules() // no iptables here: the step's check says what is missing
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, o := range onHost {
		w.net.Forwarding = w.net.Forwarding || o.Forwarding
		for _, l := range o.Interfaces {
			if i := slices.IndexFunc(w.net.Links, func(k Interface) bool { return k.Name == l.Name }); i >= 0 {
				w.net.Links[i] = l
			} else {
				w.net.Links = append(w.net.Links, l)
			}
		}
	}
	for _, r := range rules {
		if !slices.Contains(w.net.NAT, r) {
			w.net.NAT = append(w.net.NAT, r)
		}
	}
}

// ownNamespaces reports whether o has a pid or mount namespace that is not
// the host reference's: only such a process can be a container's.
func (w *TreeWatch) ownNamespaces(o Observed) bool {
	for _, k := range []string{NSPID, NSMnt} {
		if o.NSInodes[k] != 0 && o.NSInodes[k] != w.host.NSInodes[k] {
			return true
		}
	}
	return false
}

// Stop ends the watch, takes one last sample and returns what was seen.
func (w *TreeWatch) Stop() ShellTrace {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	t := ShellTrace{Host: w.host, HostNet: w.net}
	for _, pid := range w.order {
		t.Procs = append(t.Procs, w.seen[pid])
	}
	return t
}

// descendants lists every process below root, found through the PPID field
// of /proc/PID/stat; skip prunes a subtree.
func descendants(root int, skip func(int) bool) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	kids := map[int][]int{}
	var buf [512]byte
	for _, e := range ents {
		pid, ok := parsePID(e.Name())
		if !ok {
			continue
		}
		b, err := readProcFile("/proc/"+e.Name()+"/stat", buf[:])
		if err != nil {
			continue
		}
		// "PID (comm) STATE PPID ...": comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 2 {
			continue
		}
		ppid, err := strconv.Atoi(string(f[1]))
		if err == nil {
			kids[ppid] = append(kids[ppid], pid)
		}
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, k := range kids[p] {
			if skip != nil && skip(k) {
				continue
			}
			out = append(out, k)
			queue = append(queue, k)
		}
	}
	return out
}
