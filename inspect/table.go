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
				rows[i], ok[i] = sc.row(pids[i], buf)
			}
		}(lo, hi)
	}
	wg.Wait()
	out := rows[:0]
	for i := range rows {
		if ok[i] {
			out = append(out, rows[i])
		}
	}
	return out, nil
}

// tableScanner holds what one scan reads once: the name tables and the host
// reference namespaces.
type tableScanner struct {
	fs      FS
	users   map[int]string
	refPID  string // link text of the reference's ns/pid, "" if unknown
	refMnt  string
	pageSiz int64
}

func (fs FS) newTableScanner() *tableScanner {
	sc := &tableScanner{fs: fs, users: fs.names().users, pageSiz: int64(os.Getpagesize())}
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
func (sc *tableScanner) row(pid int, buf []byte) (ProcRow, bool) {
	dir := sc.fs.Proc + "/" + strconv.Itoa(pid)
	n, err := readSmall(dir+"/stat", buf)
	if err != nil {
		return ProcRow{}, false
	}
	st, err := parseStatFast(buf[:n])
	if err != nil {
		return ProcRow{}, false
	}
	uid, err := ownerUID(dir)
	if err != nil {
		return ProcRow{}, false
	}
	r := ProcRow{
		PID: pid, PPID: st.PPID, UID: uid, Nice: st.Nice, State: string(st.State),
		Comm: st.Comm, RSSBytes: st.RSSPages * sc.pageSiz, Threads: st.Threads,
	}
	if name, ok := sc.users[uid]; ok {
		r.User = name
	} else {
		r.User = strconv.Itoa(uid)
	}
	r.Container = sc.marker(dir, buf)
	return r, true
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
