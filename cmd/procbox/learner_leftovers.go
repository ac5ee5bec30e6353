package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"procbox/isolate"
)

// Leftovers. A learner who leaves a do-it-yourself shell early leaves behind
// what it started: `unshare --net sleep 300 &`, an `nc -l` that waits
// forever and keeps its network namespace alive, a `setsid sleep`. While the
// shell runs procbox is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER),
// so every process of the shell's tree that loses its parent becomes
// procbox's child instead of init's; when the shell ends, procbox ends them.
//
// A process is taken for the learner's only on proof: it is procbox's child
// now, it is not the demo child, it was not procbox's child (same PID and
// start time) when the shell opened, and its environment carries the mark
// this shell was given, which only the shell's descendants inherit. It is
// pinned with a pidfd and judged again before each signal; being procbox's
// own unreaped child, its PID cannot be reused meanwhile either.
//
// An adopted orphan that exits while the shell still runs is procbox's zombie
// and, until reaped, still counts in its pids cgroup (the cgroups step's
// sleeps, left by a sh that could not fork, would keep the group full). So
// while the shell runs procbox reaps, every leftoverEvery, the orphans it saw
// alive with the mark. The shell itself (the first marked process: all the
// others are its descendants) is left to the exec.Cmd that waits for it.

// leftoverMarkVar is the environment variable that marks a learner's shell.
const leftoverMarkVar = "PROCBOX_LEARNER_SHELL"

// leftoverGrace is how long a leftover has between SIGTERM and SIGKILL.
const leftoverGrace = 300 * time.Millisecond

// leftoverEvery is how often adopted orphans that exited are reaped while
// the shell runs.
const leftoverEvery = 100 * time.Millisecond

// leftovers watches one learner's shell for what it leaves behind.
type leftovers struct {
	self, skip int
	// mark is "PROCBOX_LEARNER_SHELL=<random>", put in the shell's environment.
	mark string
	// before holds procbox's children when the shell opened, PID to start time.
	before map[int]uint64
	// reaper: procbox is a subreaper for this shell.
	reaper bool

	stop, stopped chan struct{}
	// adopted holds the marked children seen alive, PID to start time; shell
	// is the earliest start among them, the shell's own.
	mu      sync.Mutex
	adopted map[int]uint64
	shell   uint64
}

// subreaper counts the learner's shells open, so that procbox is a subreaper
// while any is, and afterwards what it was before the first.
var subreaper struct {
	sync.Mutex
	open int
	was  bool
}

// watchLeftovers makes procbox the subreaper of the shell about to start,
// records what is not the learner's, and starts reaping the learner's
// orphans that exit.
func watchLeftovers(skip int) *leftovers {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	l := &leftovers{self: os.Getpid(), skip: skip, mark: leftoverMarkVar + "=" + hex.EncodeToString(b), before: map[int]uint64{},
		adopted: map[int]uint64{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	for _, pid := range isolate.ChildPIDs(l.self) {
		if st, ok := readLeftoverStat(pid); ok {
			l.before[pid] = st.start
		}
	}
	subreaper.Lock()
	if subreaper.open == 0 {
		var was int32
		_ = unix.Prctl(unix.PR_GET_CHILD_SUBREAPER, uintptr(unsafe.Pointer(&was)), 0, 0, 0)
		subreaper.was = was != 0
	}
	l.reaper = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == nil
	if l.reaper {
		subreaper.open++
	}
	subreaper.Unlock()
	if !l.reaper {
		close(l.stopped)
		return l
	}
	go l.reapWhileOpen()
	return l
}

// release ends this shell's share of procbox being a subreaper.
func (l *leftovers) release() {
	subreaper.Lock()
	defer subreaper.Unlock()
	subreaper.open--
	if subreaper.open == 0 && !subreaper.was {
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
	}
}

// reapWhileOpen records the marked orphans procbox adopts and reaps those
// that exit, until end stops it.
func (l *leftovers) reapWhileOpen() {
	defer close(l.stopped)
	t := time.NewTicker(leftoverEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		for _, pid := range isolate.ChildPIDs(l.self) {
			st, ok := l.learners(pid)
			switch {
			case ok:
				l.mu.Lock()
				l.adopted[pid] = st.start
				if l.shell == 0 || st.start < l.shell {
					l.shell = st.start
				}
				l.mu.Unlock()
			case st.state == 'Z':
				l.reapAdopted(pid, st)
			}
		}
	}
}

// reapAdopted reaps pid, a zombie child, if it is an orphan seen alive with
// the mark (same PID and start time), and not the shell.
func (l *leftovers) reapAdopted(pid int, st leftoverStat) bool {
	l.mu.Lock()
	start, ok := l.adopted[pid]
	ok = ok && start == st.start && st.start != l.shell && st.ppid == l.self
	if ok {
		delete(l.adopted, pid)
	}
	l.mu.Unlock()
	if ok {
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	}
	return ok
}

// leftoverStat is what /proc/PID/stat says of a candidate.
type leftoverStat struct {
	comm  string
	state byte
	ppid  int
	start uint64 // clock ticks after boot
}

func readLeftoverStat(pid int) (leftoverStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return leftoverStat{}, false
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return leftoverStat{}, false
	}
	f := strings.Fields(s[j+1:])
	if len(f) < 20 {
		return leftoverStat{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	start, err2 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil || len(f[0]) != 1 {
		return leftoverStat{}, false
	}
	return leftoverStat{comm: s[i+1 : j], state: f[0][0], ppid: ppid, start: start}, true
}

// learners says whether pid is, by the proof above, a process the learner's
// shell left, with its stat.
func (l *leftovers) learners(pid int) (leftoverStat, bool) {
	if pid == l.skip || pid == l.self {
		return leftoverStat{}, false
	}
	st, ok := readLeftoverStat(pid)
	if !ok || st.ppid != l.self || st.state == 'Z' {
		return st, false
	}
	if start, ok := l.before[pid]; ok && start == st.start {
		return st, false
	}
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return st, false
	}
	for _, kv := range strings.Split(string(env), "\x00") {
		if kv == l.mark {
			return st, true
		}
	}
	return st, false
}

// end ends every process the shell left (shell, the shell's own PID, is its
// starter's to wait for), reaps the learner's orphans that had already
// exited, stops being a subreaper, and says what it ended, as a line for the
// learner. seen is what the watch saw below procbox while the shell ran.
func (l *leftovers) end(shell int, seen []isolate.Observed) []string {
	if !l.reaper {
		return nil
	}
	close(l.stop)
	<-l.stopped
	defer l.release()
	watched := map[int]bool{}
	for _, o := range seen {
		watched[o.PID] = true
	}
	var names []string
	var failed []string
	for range 64 { // a killed process's children come to procbox: another round
		var pins []pinnedLeftover
		for _, pid := range isolate.ChildPIDs(l.self) {
			if pid == shell {
				continue
			}
			st, ok := l.learners(pid)
			if !ok {
				if st.state == 'Z' && !l.reapAdopted(pid, st) {
					l.reapExited(pid, st, watched)
				}
				continue
			}
			p, err := l.pin(pid, st)
			if err != nil {
				failed = append(failed, st.comm+" ("+strconv.Itoa(pid)+"): "+err.Error())
				continue
			}
			pins = append(pins, p)
		}
		if len(pins) == 0 {
			break
		}
		for _, p := range endPinned(pins) {
			names = append(names, p.name)
		}
	}
	var out []string
	if len(names) > 0 {
		what := strconv.Itoa(len(names)) + " processes"
		if len(names) == 1 {
			what = "1 process"
		}
		out = append(out, "ended "+what+" your shell left: "+strings.Join(names, ", "))
	}
	for _, f := range failed {
		out = append(out, "not ended: "+f)
	}
	return out
}

// reapExited reaps a zombie child of procbox that the watch saw below it
// while the shell ran and that was not procbox's before: an orphan of the
// learner's that exited while procbox was its reaper. Nobody else waits for it.
func (l *leftovers) reapExited(pid int, st leftoverStat, watched map[int]bool) {
	if pid == l.skip || st.state != 'Z' || st.ppid != l.self || !watched[pid] {
		return
	}
	if start, ok := l.before[pid]; ok && start == st.start {
		return
	}
	var ws unix.WaitStatus
	_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
}

// pinnedLeftover is a leftover held by a pidfd (-1 on a kernel without
// pidfd_open; procbox's unreaped child keeps its PID all the same).
type pinnedLeftover struct {
	pid, fd int
	start   uint64
	name    string
}

// pin opens a pidfd on pid and judges it again through the pin.
func (l *leftovers) pin(pid int, st leftoverStat) (pinnedLeftover, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil && !errors.Is(err, unix.ENOSYS) {
		return pinnedLeftover{}, err
	}
	if err != nil {
		fd = -1
	}
	again, ok := l.learners(pid)
	if !ok || again.start != st.start {
		if fd >= 0 {
			unix.Close(fd)
		}
		return pinnedLeftover{}, errors.New("changed while it was judged")
	}
	return pinnedLeftover{pid: pid, fd: fd, start: st.start, name: leftoverName(pid, st.comm)}, nil
}

// signal sends sig through the pin.
func (p pinnedLeftover) signal(sig unix.Signal) {
	if p.fd >= 0 {
		_ = unix.PidfdSendSignal(p.fd, sig, nil, 0)
		return
	}
	_ = unix.Kill(p.pid, sig)
}

// endPinned sends SIGTERM, gives leftoverGrace, then SIGKILL, and reaps each.
func endPinned(pins []pinnedLeftover) []pinnedLeftover {
	for _, p := range pins {
		p.signal(unix.SIGTERM)
	}
	alive := append([]pinnedLeftover(nil), pins...)
	for end := time.Now().Add(leftoverGrace); len(alive) > 0 && time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		alive = reapDone(alive)
	}
	for _, p := range alive {
		p.signal(unix.SIGKILL)
		var ws unix.WaitStatus
		for {
			if _, err := unix.Wait4(p.pid, &ws, 0, nil); !errors.Is(err, unix.EINTR) {
				break
			}
		}
	}
	for _, p := range pins {
		if p.fd >= 0 {
			unix.Close(p.fd)
		}
	}
	return pins
}

// reapDone reaps those of pins that have exited and returns the others.
func reapDone(pins []pinnedLeftover) []pinnedLeftover {
	var alive []pinnedLeftover
	for _, p := range pins {
		var ws unix.WaitStatus
		if n, err := unix.Wait4(p.pid, &ws, unix.WNOHANG, nil); n == 0 && err == nil {
			alive = append(alive, p)
		}
	}
	return alive
}

// leftoverName is what the learner typed to start it: comm, or for a
// multi-call busybox, the applet ("nc").
func leftoverName(pid int, comm string) string {
	if comm != "busybox" {
		return comm
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return comm
	}
	if args := strings.Split(string(b), "\x00"); len(args) > 1 && args[1] != "" && !strings.HasPrefix(args[1], "-") {
		return args[1]
	}
	return comm
}
