package isolate

import (
	"os"
	"testing"
)

// init lets the test binary act as procbox's child: Command re-executes
// /proc/self/exe, which under go test is this binary. It runs in init, before
// the testing flags are parsed and while Go keeps the main goroutine on the
// main thread (the time namespace setup needs that thread).
func init() { ChildHook() }

func TestMain(m *testing.M) {
	ChildHook() // already done in init; kept so the hook is visibly first
	os.Exit(m.Run())
}
