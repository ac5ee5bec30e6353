package isolate

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Registers takes two register snapshots, 50 ms or more apart, of a thread of the
// child that is busy computing: seize, interrupt, read, detach; the thread
// runs on afterwards.
//
// The agent starts that thread for the occasion (spinThread): an idle thread
// sits in the same futex wait at every look, so its PC would never move.
// It is not the main thread: procbox is the agent's parent and already waits
// for its exit, and that waiter would take the main thread's ptrace stop for
// an exit. If the agent cannot start one, any other thread is read instead,
// and Thread says so.
func (c *Child) Registers() (Registers, error) {
	pid := c.PID()
	c.mu.Lock()
	resp, err := c.call(agentRequest{Op: "spin"})
	c.mu.Unlock()
	tid, what := 0, "a thread the demo keeps busy computing for this look"
	if err == nil && resp.TID != 0 {
		tid = hostTID(pid, resp.TID)
	}
	if tid == 0 {
		if tid, err = otherThread(pid); err != nil {
			return Registers{}, err
		}
		what = "an idle runtime thread (the busy one could not start)"
	}
	type result struct {
		r   Registers
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Every ptrace request must come from the thread that seized.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		r, err := peekRegisters(tid)
		if err != nil {
			done <- result{r, err}
			return
		}
		// Look again until the PC has moved: on a busy machine the thread
		// may not have been scheduled between two looks. A few tries, then
		// report what the last look saw.
		for try := 0; try < 8; try++ {
			time.Sleep(50 * time.Millisecond)
			later, err := peekRegisters(tid)
			if err != nil {
				break
			}
			r.LaterPC, r.LaterSP = later.PC, later.SP
			if later.PC != r.PC {
				break
			}
		}
		done <- result{r, nil}
	}()
	res := <-done
	if res.err != nil {
		return res.r, res.err
	}
	r := res.r
	r.TID, r.Thread = tid, what
	if n, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid)); err == nil {
		r.Threads = len(n)
	}
	r.SPIn = mappingOf(pid, r.SP)
	return r, nil
}

// hostTID turns a thread id as the child sees it (in its own pid namespace)
// into the host's: the last NSpid field of each of pid's threads.
func hostTID(pid, inner int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0
	}
	for _, e := range ents {
		st, err := readStatusOf(fmt.Sprintf("/proc/%d/task/%s/status", pid, e.Name()))
		if err != nil {
			continue
		}
		f := strings.Fields(st["NSpid"])
		if len(f) > 0 && f[len(f)-1] == strconv.Itoa(inner) {
			t, _ := strconv.Atoi(e.Name())
			return t
		}
	}
	return 0
}

// mappingOf names the mapping of pid that holds addr: "[stack]", a file's
// path, or "anonymous memory".
func mappingOf(pid int, addr uint64) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || addr < start || addr >= end {
			continue
		}
		if len(f) >= 6 {
			return f[5]
		}
		return "anonymous memory"
	}
	return ""
}

// otherThread picks a thread of pid other than its main one.
func otherThread(pid int) (int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, err
	}
	var tids []int
	for _, e := range ents {
		if t, err := strconv.Atoi(e.Name()); err == nil && t != pid {
			tids = append(tids, t)
		}
	}
	if len(tids) == 0 {
		return 0, fmt.Errorf("the child has no thread besides its main one")
	}
	sort.Ints(tids)
	return tids[0], nil
}

func peekRegisters(tid int) (Registers, error) {
	if err := unix.PtraceSeize(tid); err != nil {
		return Registers{}, fmt.Errorf("ptrace seize %d: %w", tid, err)
	}
	// Whatever happens below, let the thread go again.
	defer unix.PtraceDetach(tid)
	if err := unix.PtraceInterrupt(tid); err != nil {
		return Registers{}, fmt.Errorf("ptrace interrupt %d: %w", tid, err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil {
		return Registers{}, fmt.Errorf("waiting for thread %d to stop: %w", tid, err)
	}
	if !ws.Stopped() {
		return Registers{}, fmt.Errorf("thread %d did not stop: %v", tid, ws)
	}
	return readRegisters(tid)
}
