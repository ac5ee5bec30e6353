package isolate

import (
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestCgroupJoinThreadBearsChild: on v1, a process forked by a thread that
// joined the cgroup starts inside it in every hierarchy, and once the thread
// has left, procbox itself is in none of them (so Remove can rmdir them).
func TestCgroupJoinThreadBearsChild(t *testing.T) {
	l := cgLiveLayout(t, "memory", "pids")
	if l.limitsOn() != CgroupV1 {
		t.Skip("joinThread is the v1 path; v2 uses CLONE_INTO_CGROUP")
	}
	c := cgNew(t, l, Spec{MemoryMax: 64 << 20, PidsMax: 16})
	if !c.canBearChild() {
		t.Fatal("a live v1 cgroup as root should be able to bear the child")
	}

	type result struct {
		pid           int
		during, after string
		err           error
	}
	got := make(chan result, 1)
	var cmd *exec.Cmd
	go func() {
		runtime.LockOSThread() // the thread ends with the goroutine: it may have been moved
		var r result
		leave, err := c.joinThread()
		if err != nil {
			r.err = err
			got <- r
			return
		}
		r.during = cgroupReadString("/proc/thread-self/cgroup")
		cmd = exec.Command("sleep", "30")
		r.err = cmd.Start()
		if lerr := leave(); lerr != nil && r.err == nil {
			r.err = lerr
		}
		if cmd.Process != nil {
			r.pid = cmd.Process.Pid
		}
		r.after = cgroupReadString("/proc/thread-self/cgroup")
		got <- r
	}()
	r := <-got
	if cmd != nil && cmd.Process != nil {
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	child := cgroupReadString("/proc/" + strconv.Itoa(r.pid) + "/cgroup")
	for _, ctrl := range []string{"memory", "pids"} {
		if !cgHasLine(r.during, ctrl, c.PathIn(ctrl)) {
			t.Errorf("the forking thread was not in %s:%s:\n%s", ctrl, c.PathIn(ctrl), r.during)
		}
		if !cgHasLine(child, ctrl, c.PathIn(ctrl)) {
			t.Errorf("the child was not born in %s:%s:\n%s", ctrl, c.PathIn(ctrl), child)
		}
	}
	if strings.Contains(r.after, c.Name()) {
		t.Errorf("the thread is still in %s after leaving:\n%s", c.Name(), r.after)
	}
	// Only the child is in the cgroup: no thread of the test process stayed.
	for _, dir := range c.Dirs() {
		if tasks := strings.Fields(cgroupReadString(dir + "/tasks")); len(tasks) != 1 || tasks[0] != strconv.Itoa(r.pid) {
			t.Errorf("%s/tasks = %v, want only the child %d", dir, tasks, r.pid)
		}
	}
}
