package isolate

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestRedteamUntraceableAfterStart: once a Lab child runs, the process that
// started it is not dumpable, so a child of the same uid without a user
// namespace cannot trace it (cmd/procbox's TestRedteamPtraceParent replays
// the attack as nobody through `run`; the Lab starts its children here).
func TestRedteamUntraceableAfterStart(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0) // as a fresh process is
	c := startChild(t, Spec{})
	if got, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || got != 0 {
		t.Errorf("after starting child %d, PR_GET_DUMPABLE = %d (%v), want 0", c.PID(), got, err)
	}
}
