package inspect

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/procfs"
)

// Table scans every process into a ProcRow. It is built to be refreshed every
// second on hosts with 10,000+ processes, so per process it touches only:
//
//   - /proc/PID/stat (open, read, fstat, close): ppid, state, comm, nice,
//     threads, RSS from the text; the owner of the open file is the
//     process's effective uid (root for non-dumpable processes such as
//     setuid programs; Snapshot reads the exact ids from status). fstat of
//     the open file saves the second path lookup a stat(2) of /proc/PID costs;
//   - readlink of /proc/PID/ns/pid and /proc/PID/ns/mnt: the two namespaces
//     every container runtime creates, compared with the host reference.
//     Reading all eight links costs four times as much for no better marker;
//     /proc/PID/cgroup is read only for the few processes that differ, to
//     name their runtime.
//
// The two ns readlinks are the largest part of a row's cost (where the time
// goes, and why an O_PATH descriptor per process directory is not used, is
// with BenchmarkTable). The system calls go straight to the kernel (see
// table_linux.go) and paths are built in a per-worker buffer, so a row
// allocates only its comm.
// The ns links are read once per process, not per scan: the marker is cached by
// (PID, start time, comm), so a reused PID or an exec (how unshare(1) and
// every runtime start their payload) is seen at once. A process that calls
// unshare(2) or setns(2) itself without exec keeps its old marker in the
// table; Snapshot always reads the links afresh. A cold start (the CLI's
// `procbox ps`) reads the links of every process.
//
// status (the kernel formats ~55 lines for it) and cmdline are not read.
// Processes that vanish mid-scan are skipped silently. The PIDs go in
// batches, as the directory is listed, to GOMAXPROCS goroutines (ps reads on
// one core; the benchmark says so next to the ratio); rows come back sorted
// by PID.
func (fs FS) Table() ([]ProcRow, error) {
	dir, err := os.Open(fs.Proc)
	if err != nil {
		return nil, classify(err)
	}
	defer dir.Close()
	sc := fs.newTableScanner(procRootOf(dir, fs.Proc))

	// The directory is read in batches and each batch is scanned as soon as
	// it is listed: listing a large /proc takes the kernel time the workers
	// would otherwise spend waiting.
	work := make(chan *tableBatch, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &scanWorker{buf: make([]byte, 4096), path: make([]byte, 0, 64)}
			for b := range work {
				for i, pid := range b.pids {
					b.rows[i], b.keys[i], b.ok[i] = sc.row(pid, w)
				}
			}
		}()
	}
	var batches []*tableBatch
	total := 0
	for {
		names, err := dir.Readdirnames(tableBatchSize)
		if b := newTableBatch(names); b != nil {
			batches = append(batches, b)
			total += len(b.pids)
			work <- b
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			close(work)
			wg.Wait()
			return nil, classify(err)
		}
	}
	close(work)
	wg.Wait()

	out := make([]ProcRow, 0, total)
	fresh := make(map[int]markerEntry, total)
	for _, b := range batches {
		for i := range b.rows {
			if b.ok[i] {
				out = append(out, b.rows[i])
				fresh[b.rows[i].PID] = markerEntry{b.keys[i], markOf(b.rows[i])}
			}
		}
	}
	// /proc lists PIDs in ascending order; a fixture tree need not.
	if !slices.IsSortedFunc(out, byPID) {
		slices.SortFunc(out, byPID)
	}
	sc.cache.replace(fresh)
	nameBwrapSandboxes(out)
	return out, nil
}

// nameBwrapSandboxes marks isolated processes under a bwrap process as
// bwrap's, the bwrap PID as id: bubblewrap makes no cgroup and keeps no
// state, so its process is the only thing that names the sandbox.
func nameBwrapSandboxes(rows []ProcRow) {
	var at map[int]int // pid -> index, built only when needed
	for i := range rows {
		if rows[i].Container != "isolated" {
			continue
		}
		if at == nil {
			at = make(map[int]int, len(rows))
			for j, r := range rows {
				at[r.PID] = j
			}
		}
		bwrap := 0
		for p, steps := rows[i].PPID, 0; p > 1 && steps < 64; steps++ {
			j, ok := at[p]
			if !ok {
				break
			}
			if rows[j].Comm == "bwrap" {
				bwrap = p
			}
			p = rows[j].PPID
		}
		if bwrap > 0 {
			rows[i].Container, rows[i].ContainerID = "bwrap", strconv.Itoa(bwrap)
		}
	}
}

func byPID(a, b ProcRow) int { return a.PID - b.PID }

// tableBatchSize is how many directory entries one batch lists: small
// enough that the first batch reaches the workers at once, large enough that
// handing batches over costs nothing measurable.
const tableBatchSize = 256

// tableBatch is one listing of PIDs and the rows scanned for them.
type tableBatch struct {
	pids []int
	rows []ProcRow
	keys []markerKey
	ok   []bool
}

// newTableBatch keeps the numeric names; nil when there are none.
func newTableBatch(names []string) *tableBatch {
	var pids []int
	for _, n := range names {
		if n == "" || n[0] < '0' || n[0] > '9' {
			continue
		}
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return nil
	}
	return &tableBatch{pids: pids, rows: make([]ProcRow, len(pids)), keys: make([]markerKey, len(pids)), ok: make([]bool, len(pids))}
}

// markerKey names one process for good: PIDs are reused, start times are not,
// and an exec changes comm.
type markerKey struct {
	start uint64
	comm  string
}

type markerEntry struct {
	key  markerKey
	mark containerMark
}

// containerMark is what the table shows of a process's container.
type containerMark struct {
	marker, id, name, pod string
}

func markOf(r ProcRow) containerMark {
	return containerMark{r.Container, r.ContainerID, r.ContainerName, r.Pod}
}

func (m containerMark) applyTo(r *ProcRow) {
	r.Container, r.ContainerID, r.ContainerName, r.Pod = m.marker, m.id, m.name, m.pod
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
	root    procRoot
	cache   *markerCache
	known   map[int]markerEntry // the last scan's markers; read only
	users   map[int]string
	refPID  string // link text of the reference's ns/pid, "" if unknown
	refMnt  string
	pageSiz int64

	// The runtimes' state, read once per scan and only if a process is
	// isolated (most scans of a host without containers never read it).
	runtimesOnce sync.Once
	runtimes     *runtimeIndex
	procfs       procfs.FS // reads the cgroup file of the few isolated processes
}

func (fs FS) newTableScanner(root procRoot) *tableScanner {
	sc := &tableScanner{fs: fs, root: root, users: fs.names().users, pageSiz: int64(os.Getpagesize())}
	sc.cache = markerCacheFor(fs.Proc)
	sc.procfs, _ = procfs.NewFS(fs.Proc) // the proc root was just opened: it is a directory
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

// scanWorker is one goroutine's scratch space: the file contents and the
// NUL-terminated path being built.
type scanWorker struct {
	buf  []byte
	path []byte
}

// at sets w.path to PID/name plus a NUL (relative to the proc root), PID
// being the first dirLen bytes already in w.path.
func (w *scanWorker) at(dirLen int, name string) []byte {
	w.path = append(append(w.path[:dirLen], name...), 0)
	return w.path
}

// row reads one process. ok is false when it vanished (or its stat is unreadable).
func (sc *tableScanner) row(pid int, w *scanWorker) (ProcRow, markerKey, bool) {
	w.path = strconv.AppendInt(w.path[:0], int64(pid), 10)
	dirLen := len(w.path)
	n, uid, err := readStatOwner(sc.root, w.at(dirLen, "/stat"), w.buf)
	if err != nil {
		return ProcRow{}, markerKey{}, false
	}
	st, err := parseStatFast(w.buf[:n])
	if err != nil {
		return ProcRow{}, markerKey{}, false
	}
	key := markerKey{st.StartTicks, st.Comm}
	r := ProcRow{
		PID: pid, PPID: st.PPID, UID: uid, Nice: st.Nice, State: string(st.State),
		Comm: st.Comm, RSSBytes: st.RSSPages * sc.pageSiz, Threads: st.Threads,
		CPUTime: time.Duration(st.CPUTicks) * (time.Second / userHZ),
	}
	if name, ok := sc.users[uid]; ok {
		r.User = name
	} else {
		r.User = strconv.Itoa(uid)
	}
	switch e, ok := sc.known[pid]; {
	case isKernelThread(st.Flags):
		// Kernel threads are never containers, whatever their namespaces
		// (kdevtmpfs has a mount namespace of its own).
	case ok && e.key == key:
		e.mark.applyTo(&r)
	default:
		sc.mark(pid, w, dirLen).applyTo(&r)
	}
	return r, key, true
}

// mark is the empty mark for a process in the host's pid and mount
// namespaces, "unknown" when its namespaces cannot be read (never "" then),
// otherwise the runtime guessed from its cgroups, or "isolated", with the
// id, name and pod the runtime's state gives. w.path holds the PID in its
// first dirLen bytes.
func (sc *tableScanner) mark(pid int, w *scanWorker, dirLen int) containerMark {
	if sc.refPID == "" {
		return containerMark{marker: "unknown"}
	}
	n, err := readlinkZ(sc.root, w.at(dirLen, "/ns/pid"), w.buf)
	if err != nil {
		if errors.Is(classify(err), ErrDenied) {
			return containerMark{marker: "unknown"} // another user's process, without root
		}
		return containerMark{} // gone; the row is about to disappear
	}
	if string(w.buf[:n]) == sc.refPID {
		n, err = readlinkZ(sc.root, w.at(dirLen, "/ns/mnt"), w.buf)
		if err != nil {
			if errors.Is(classify(err), ErrDenied) {
				return containerMark{marker: "unknown"}
			}
			return containerMark{}
		}
		if string(w.buf[:n]) == sc.refMnt {
			return containerMark{}
		}
	}
	m := containerMark{marker: "isolated"}
	p, err := sc.procfs.Proc(pid)
	if err != nil {
		return m
	}
	cgs, err := readCgroups(p)
	if err != nil {
		return m
	}
	rt, id := guessRuntime(cgs)
	if rt != "" {
		m.marker, m.id = rt, id
	}
	if rt == "procbox" {
		return m
	}
	sc.runtimesOnce.Do(func() { sc.runtimes = sc.fs.runtimeIndex() })
	if e, ok := sc.runtimes.match([]int{pid}, cgs, id); ok {
		var c Container
		c.Runtime, c.ID = rt, id
		c.applyEntry(e)
		m.marker, m.id, m.name = c.Runtime, c.ID, c.Name
		if c.Pod != nil {
			m.pod = c.Pod.Namespace + "/" + c.Pod.Name
		}
	}
	return m
}
