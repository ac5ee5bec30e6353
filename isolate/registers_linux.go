package isolate

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"

	"golang.org/x/sys/unix"
)

// Registers takes a register snapshot of the child with ptrace: seize,
// interrupt, read, detach; the child runs on afterwards.
//
// It reads one of the agent's other threads, not its main one: procbox is
// the agent's parent and already waits for its exit, and that waiter would
// take the main thread's ptrace stop for an exit. A Go process has several
// threads; any of them is a live view of where the CPU left it.
func (c *Child) Registers() (Registers, error) {
	pid := c.PID()
	tid, err := otherThread(pid)
	if err != nil {
		return Registers{}, err
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
		done <- result{r, err}
	}()
	res := <-done
	return res.r, res.err
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
