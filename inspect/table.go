package inspect

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
)

// Table scans every process into a ProcRow. It is built to be refreshed every
// second on hosts with 10,000+ processes, so per process it touches only:
//
//   - /proc/PID/stat (one open+read+close): ppid, state, comm, nice, threads, RSS;
//   - stat(2) of /proc/PID: the owner of the directory is the process's
//     effective uid (root for non-dumpable processes such as setuid
//     programs; Snapshot reads the exact ids from status);
//   - readlink of /proc/PID/ns/pid and /proc/PID/ns/mnt: the two namespaces
//     every container runtime creates, compared with the host reference.
//     Reading all eight links costs four times as much for no better marker;
//     /proc/PID/cgroup is read only for the few processes that differ, to
//     name their runtime.
//
// Measured over 10,000 sleeping processes on one core of a busy 2-core VM:
// stat read plus stat(2) of the directory ~11 µs a process; the two ns
// readlinks add ~7 µs; reading cgroup or status alone costs ~30-45 µs. The
// ns links are therefore read once per process, not per scan: the marker is cached by
// (PID, start time, comm), so a reused PID or an exec (how unshare(1) and
// every runtime start their payload) is seen at once. A process that calls
// unshare(2) or setns(2) itself without exec keeps its old marker in the
// table; Snapshot always reads the links afresh.
//
// status (the kernel formats ~55 lines for it) and cmdline are not read.
// Processes that vanish mid-scan are skipped silently. The work is spread
// over GOMAXPROCS goroutines; rows come back sorted by PID.
func (fs FS) Table() ([]ProcRow, error) {
	names, err := readDirNames(fs.Proc)
	if err != nil {
		return nil, classify(err)
	}
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)

	sc := fs.newTableScanner()
	rows := make([]ProcRow, len(pids))
	ok := make([]bool, len(pids))
	keys := make([]markerKey, len(pids))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(pids)/256+1 {
		workers = len(pids)/256 + 1
	}
	var wg sync.WaitGroup
	chunk := (len(pids) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(pids))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			buf := make([]byte, 4096)
			for i := lo; i < hi; i++ {
				rows[i], keys[i], ok[i] = sc.row(pids[i], buf)
			}
		}(lo, hi)
	}
	wg.Wait()
	out := rows[:0]
	fresh := make(map[int]markerEntry, len(rows))
	for i := range rows {
		if ok[i] {
			out = append(out, rows[i])
			fresh[rows[i].PID] = markerEntry{keys[i], rows[i].Container}
		}
	}
	sc.cache.replace(fresh)
	return out, nil
}

// markerKey names one process for good: PIDs are reused, start times are not,
// and an exec changes comm.
type markerKey struct {
	start uint64
	comm  string
}

type markerEntry struct {
	key    markerKey
	marker string
}

// markerCache keeps the container marker of each process seen by the last
// scan of one /proc root. Scans only read it; the scan's end swaps in a new
// map holding exactly the processes it saw.
type markerCache struct {
	mu      sync.Mutex
	entries map[int]markerEntry
}

func (c *markerCache) snapshot() map[int]markerEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries
}

func (c *markerCache) replace(m map[int]markerEntry) {
	c.mu.Lock()
	c.entries = m
	c.mu.Unlock()
}

var (
	markerCachesMu sync.Mutex
	markerCaches   = map[string]*markerCache{}
)

func markerCacheFor(proc string) *markerCache {
	markerCachesMu.Lock()
	defer markerCachesMu.Unlock()
	c := markerCaches[proc]
	if c == nil {
		c = &markerCache{}
		markerCaches[proc] = c
	}
	return c
}

// tableScanner holds what one scan reads once: the name tables and the host
// reference namespaces.
type tableScanner struct {
	fs      FS
	cache   *markerCache
	known   map[int]markerEntry // the last scan's markers; read only
	users   map[int]string
	refPID  string // link text of the reference's ns/pid, "" if unknown
	refMnt  string
	pageSiz int64
}

func (fs FS) newTableScanner() *tableScanner {
	sc := &tableScanner{fs: fs, users: fs.names().users, pageSiz: int64(os.Getpagesize())}
	sc.cache = markerCacheFor(fs.Proc)
	sc.known = sc.cache.snapshot()
	for _, ref := range []string{"1", "self"} {
		p, err1 := os.Readlink(filepath.Join(fs.Proc, ref, "ns", "pid"))
		m, err2 := os.Readlink(filepath.Join(fs.Proc, ref, "ns", "mnt"))
		if err1 == nil && err2 == nil {
			sc.refPID, sc.refMnt = p, m
			break
		}
	}
	return sc
}

// row reads one process. ok is false when it vanished (or its stat is unreadable).
func (sc *tableScanner) row(pid int, buf []byte) (ProcRow, markerKey, bool) {
	dir := sc.fs.Proc + "/" + strconv.Itoa(pid)
	n, err := readSmall(dir+"/stat", buf)
	if err != nil {
		return ProcRow{}, markerKey{}, false
	}
	st, err := parseStatFast(buf[:n])
	if err != nil {
		return ProcRow{}, markerKey{}, false
	}
	uid, err := ownerUID(dir)
	if err != nil {
		return ProcRow{}, markerKey{}, false
	}
	key := markerKey{st.StartTicks, st.Comm}
	r := ProcRow{
		PID: pid, PPID: st.PPID, UID: uid, Nice: st.Nice, State: string(st.State),
		Comm: st.Comm, RSSBytes: st.RSSPages * sc.pageSiz, Threads: st.Threads,
	}
	if name, ok := sc.users[uid]; ok {
		r.User = name
	} else {
		r.User = strconv.Itoa(uid)
	}
	if e, ok := sc.known[pid]; ok && e.key == key {
		r.Container = e.marker
	} else {
		r.Container = sc.marker(dir, buf)
	}
	return r, key, true
}

// marker is "" for a process in the host's pid and mount namespaces,
// otherwise the runtime guessed from its cgroups, or "isolated".
func (sc *tableScanner) marker(dir string, buf []byte) string {
	if sc.refPID == "" {
		return ""
	}
	p, err1 := readlinkInto(dir+"/ns/pid", buf)
	same := err1 == nil && p == sc.refPID
	if same {
		m, err2 := readlinkInto(dir+"/ns/mnt", buf)
		if err2 != nil || m == sc.refMnt {
			return ""
		}
	} else if err1 != nil {
		return "" // not ours to read (another user's process without root)
	}
	if b, err := os.ReadFile(dir + "/cgroup"); err == nil {
		if cgs, err := parseCgroupFile(string(b)); err == nil {
			if rt, _ := guessRuntime(cgs); rt != "" {
				return rt
			}
		}
	}
	return "isolated"
}
