package isolate

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestLabCleanupMovesForeignOut: a process the Lab child did not start, put
// into its cgroup (as a root child can), survives the child's re-creation
// and Stop, leaves the procbox cgroup, and the Lab's log line says so.
func TestLabCleanupMovesForeignOut(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	c := startChild(t, Spec{PidsMax: 32})
	victim := exec.Command("sleep", "60")
	victim.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}, Pdeathsig: syscall.SIGKILL}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { victim.Process.Kill(); victim.Wait() }()
	dirs := c.l.cg.Dirs()
	if len(dirs) == 0 {
		t.Skip("the Lab child has no cgroup here")
	}
	for _, d := range dirs {
		if err := cgroupWriteFile(filepath.Join(d, "cgroup.procs"), strconv.Itoa(victim.Process.Pid), false); err != nil {
			t.Fatal(err)
		}
	}
	ch, err := c.Apply(Spec{PidsMax: 32, Namespaces: []string{NSUTS}})
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Recreate || !strings.Contains(ch.What, "process "+strconv.Itoa(victim.Process.Pid)) || !strings.Contains(ch.What, "not killed") {
		t.Errorf("the Lab's log line does not name the foreign process: %+v", ch)
	}
	if !alivePID(victim.Process.Pid) {
		t.Fatal("cleanup killed a foreign process")
	}
	if inCgroup(victim.Process.Pid, "procbox-") {
		t.Error("the foreign process is still in a procbox cgroup")
	}
}
