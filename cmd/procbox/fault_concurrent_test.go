package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"procbox/internal/leakcheck"
	"procbox/isolate"
)

// labOwnerEnv marks the re-exec of this test binary that plays a second Lab:
// another procbox process, with its own lock file, holding a Lab child.
const labOwnerEnv = "PROCBOX_TEST_LAB_OWNER"

// TestHelperLabOwner is not a test on its own: TestOwnershipConcurrent runs
// it with labOwnerEnv set. It starts a Lab child with a pids limit, prints
// the child's PID and waits until its stdin closes, then stops the child.
func TestHelperLabOwner(t *testing.T) {
	if os.Getenv(labOwnerEnv) != "1" {
		t.Skip("helper process for TestOwnershipConcurrent")
	}
	c, err := isolate.Start(isolate.Spec{Namespaces: []string{isolate.NSPID}, PidsMax: 32})
	if err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("ready", c.PID())
	bufio.NewReader(os.Stdin).ReadString('\n')
	c.Stop()
}

// ownerState is what one live owner made: processes and host paths.
type ownerState struct {
	name  string
	pids  []int
	paths []string
}

// TestOwnershipConcurrent is the proof of issue 10: two Labs (one in this
// process, one in another), a `run`, and a nested `procbox run --ns pid,mnt
// -- procbox run --mem 64M -- sleep` live at once, while other procboxes
// start (each start sweeps) and run doctor --clean, and one more owner is
// killed with SIGKILL in the middle. Every live owner's state survives;
// the dead owner's is swept.
func TestOwnershipConcurrent(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("starts many real isolated children; skipped with -short")
	}
	bin := faultBuild(t)
	var live []ownerState

	// Lab 1, in this process, with the container lesson's demo root.
	lab1, err := isolate.Start(isolate.Spec{Namespaces: []string{isolate.NSPID, isolate.NSUTS}, PidsMax: 32, MemoryMax: 64 << 20})
	if err != nil {
		t.Fatalf("Lab 1: %v", err)
	}
	t.Cleanup(func() { lab1.Stop() })
	root, err := makeDemoRootfs()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeDemoRootfs(root) })
	live = append(live, ownerState{"Lab 1 (this process)", []int{lab1.PID()}, append(procboxCgroupDirsOf(lab1.PID()), root)})

	// Lab 2, in another process.
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperLabOwner$", "-test.count=1")
	helper.Env = append(os.Environ(), labOwnerEnv+"=1")
	helperIn, _ := helper.StdinPipe()
	helperOut, _ := helper.StdoutPipe()
	helper.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { helperIn.Close(); helper.Wait() })
	line, _ := bufio.NewReader(helperOut).ReadString('\n')
	f := strings.Fields(line)
	if len(f) != 2 || f[0] != "ready" {
		t.Fatalf("Lab 2 said %q", line)
	}
	lab2, _ := strconv.Atoi(f[1])
	live = append(live, ownerState{"Lab 2 (another process)", []int{lab2}, procboxCgroupDirsOf(lab2)})

	// A run, and a nested run.
	_, runSleep, runDirs := startOwned(t, bin, "run", "--mem", "64M", "--", "sleep", "120")
	live = append(live, ownerState{"run", []int{runSleep}, runDirs})
	_, nestedSleep, nestedDirs := startNested(t, bin)
	live = append(live, ownerState{"nested run", []int{nestedSleep}, nestedDirs})

	// The owner that dies: a run with a veth, killed with SIGKILL below.
	doomed, _, doomedDirs := startOwned(t, bin, "run", "--ns", "net", "--veth", "--mem", "64M", "--", "sleep", "120")
	doomedTree := append(descendants(doomed.Process.Pid), doomed.Process.Pid)
	doomedLink := "pbx" + strconv.Itoa(doomedTree[0]) + "h"
	for _, o := range live {
		if len(o.paths) == 0 {
			t.Fatalf("%s has no state to watch", o.name)
		}
	}

	// Starts and cleans from several procboxes at once, the kill in between.
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 4 {
				args := []string{"doctor", "--clean"}
				if (i+j)%2 == 1 {
					args = []string{"run", "--ns", "pid,uts", "--pids", "16", "--", "true"}
				}
				if r := faultExec(t, 60*time.Second, bin, args...); r.code != 0 {
					errs <- fmt.Sprintf("procbox %v: status %d: %s", args, r.code, r.stderr)
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	doomed.Process.Kill()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && anyAlive(doomedTree); {
		time.Sleep(10 * time.Millisecond)
	}
	r := faultExec(t, 60*time.Second, bin, "doctor", "--clean")
	if r.code != 0 {
		t.Errorf("final doctor --clean: %d %s", r.code, r.stderr)
	}

	for _, o := range live {
		for _, p := range o.pids {
			if !leakcheck.Alive(p) {
				t.Errorf("%s: live owner's process %d was killed", o.name, p)
			}
		}
		for _, p := range o.paths {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s: live owner's %s was removed", o.name, p)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(root, "etc", "os-release")); err != nil {
		t.Errorf("the live demo root lost its files: %v", err)
	}
	for _, d := range doomedDirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("the SIGKILLed owner's cgroup %s was not swept", d)
		}
	}
	if _, err := os.Stat("/sys/class/net/" + doomedLink); err == nil {
		t.Errorf("the SIGKILLed owner's veth %s is still there", doomedLink)
	}
}
