package isolate

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFaultContainment runs a fork bomb and a memory hog inside limited
// children — through the Lab engine (Start + Experiment) and through Run, all
// four at once — while the host keeps forking and allocating. The limits must
// hold the damage inside: every host fork succeeds, the host's allocation
// stays, and the OOM killer counts nothing in the test's own memory cgroup.
func TestFaultContainment(t *testing.T) {
	faultNeedRoot(t)
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh for the Run-based bomb and hog")
	}
	layout, err := DetectCgroups("/sys/fs/cgroup")
	if err != nil || layout.Mode == CgroupNone {
		t.Skipf("no cgroups to limit with: %v", err)
	}
	before := takeFaultInventory(t)
	ownOOM, ownOOMFile := ownOOMKills(t)
	vmOOM := vmstatOOMKills()

	bomb, err := Start(Spec{Namespaces: []string{NSPID}, PidsMax: 32})
	if err != nil {
		t.Fatalf("Start(pids 32): %v", err)
	}
	t.Cleanup(func() { bomb.Stop() })
	hog, err := Start(Spec{Namespaces: []string{NSPID}, MemoryMax: 32 << 20})
	if err != nil {
		t.Fatalf("Start(mem 32M): %v", err)
	}
	t.Cleanup(func() { hog.Stop() })
	pids := []int{bomb.PID(), hog.PID()}

	// The host's side: fork and allocate for as long as the attacks last.
	stop := make(chan struct{})
	var forks, forkFails atomic.Int64
	var hostErr atomic.Value
	var host sync.WaitGroup
	host.Add(1)
	go func() {
		defer host.Done()
		var keep [][]byte
		for {
			select {
			case <-stop:
				// The memory is still ours and still holds what we wrote.
				for i, b := range keep {
					if b[0] != byte(i) || b[len(b)-1] != byte(i) {
						hostErr.Store("the host's allocation was corrupted")
					}
				}
				return
			default:
			}
			if err := exec.Command("true").Run(); err != nil {
				forkFails.Add(1)
				hostErr.Store("host fork failed: " + err.Error())
			}
			forks.Add(1)
			if len(keep) < 16 { // 64 MiB in 4 MiB steps, every page touched
				b := make([]byte, 4<<20)
				for i := 0; i < len(b); i += 4096 {
					b[i] = byte(len(keep))
				}
				b[len(b)-1] = byte(len(keep))
				keep = append(keep, b)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()

	var attacks sync.WaitGroup
	var bombOut, hogOut Outcome
	var bombErr, hogErr error
	var runBomb, runHog Result
	var runBombErr, runHogErr error
	var runBombOut, runHogOut bytes.Buffer
	attacks.Add(4)
	go func() { defer attacks.Done(); bombOut, bombErr = bomb.Experiment(ExpForkBomb) }()
	go func() { defer attacks.Done(); hogOut, hogErr = hog.Experiment(ExpMemoryHog) }()
	go func() {
		defer attacks.Done()
		// A shell that wants 200 sleepers under a limit of 16: forks fail, the shell goes on.
		runBomb, runBombErr = Run(Spec{Namespaces: []string{NSPID}, PidsMax: 16},
			[]string{"sh", "-c", "i=0; while [ $i -lt 200 ]; do sleep 2 & i=$((i+1)); done 2>/dev/null; wait"},
			nil, &runBombOut, &runBombOut)
	}()
	go func() {
		defer attacks.Done()
		// tail keeps the last "line" of newline-free input: all of it, in memory.
		runHog, runHogErr = Run(Spec{Namespaces: []string{NSPID}, MemoryMax: 32 << 20},
			[]string{"sh", "-c", "head -c 200000000 /dev/zero | tail -c 200000000 > /dev/null"},
			nil, &runHogOut, &runHogOut)
	}()
	attacks.Wait()
	close(stop)
	host.Wait()

	if v := hostErr.Load(); v != nil {
		t.Errorf("host side during the attacks: %v (%d of %d forks failed)", v, forkFails.Load(), forks.Load())
	}
	if forks.Load() == 0 {
		t.Errorf("the host never forked during the attacks: the test proved nothing")
	}
	t.Logf("host forked %d times during the attacks, %d failures", forks.Load(), forkFails.Load())

	// The attacks themselves must have hit their limits.
	if bombErr != nil {
		t.Errorf("fork bomb experiment: %v", bombErr)
	} else if bombOut.Errno != "EAGAIN" || bombOut.Count > 32 {
		t.Errorf("fork bomb under pids 32: %+v; want fork to fail with EAGAIN within 32 processes", bombOut)
	}
	if hogErr != nil {
		t.Errorf("memory hog experiment: %v", hogErr)
	} else if !hogOut.OOMKilled {
		t.Errorf("memory hog under 32M: %+v; want it OOM-killed", hogOut)
	}
	if runBombErr != nil {
		t.Errorf("Run fork bomb: %v (%s)", runBombErr, runBombOut.String())
	} else if runBomb.ForkFailures == 0 {
		t.Errorf("Run fork bomb under pids 16: %+v; want fork failures counted", runBomb)
	}
	if runHogErr != nil {
		t.Errorf("Run memory hog: %v (%s)", runHogErr, runHogOut.String())
	} else if !runHog.OOMKilled {
		t.Errorf("Run memory hog under 32M: exit %d signal %q oom %v; want OOMKilled", runHog.ExitCode, runHog.Signal, runHog.OOMKilled)
	}

	// Nothing outside the children's cgroups was OOM-killed: the test's own
	// memory cgroup counts no new kill (v1 counts per cgroup, not up the tree).
	if ownOOMFile != "" {
		if now, _ := ownOOMKillsAt(ownOOMFile); now != ownOOM {
			t.Errorf("%s: oom_kill went %d -> %d: something outside the children was OOM-killed", ownOOMFile, ownOOM, now)
		}
	}
	t.Logf("OOM kills on the whole host during the test: %d (the children's are among them)", vmstatOOMKills()-vmOOM)

	bomb.Stop()
	hog.Stop()
	if leaks := before.leaks(takeFaultInventory(t), pids); len(leaks) > 0 {
		t.Errorf("left on the host: %v", leaks)
	}
}

// ownOOMKills reads the oom_kill counter of this process's own memory cgroup
// and says which file it read ("" when this host has none to read).
func ownOOMKills(t *testing.T) (int64, string) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Logf("cannot read /proc/self/cgroup: %v; not checking our own OOM counter", err)
		return 0, ""
	}
	var candidates []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		switch {
		case strings.Contains(","+f[1]+",", ",memory,"):
			candidates = append(candidates, filepath.Join("/sys/fs/cgroup/memory", f[2], "memory.oom_control"))
		case f[0] == "0" && f[1] == "":
			// v2: the local counter, so kills in child cgroups are not counted here.
			candidates = append(candidates, filepath.Join("/sys/fs/cgroup", f[2], "memory.events.local"))
		}
	}
	for _, c := range candidates {
		if n, err := ownOOMKillsAt(c); err == nil {
			return n, c
		}
	}
	t.Logf("no oom_kill counter for our own cgroup in %v; not checking it", candidates)
	return 0, ""
}

// ownOOMKillsAt reads the "oom_kill N" line of a memory.oom_control or memory.events file.
func ownOOMKillsAt(file string) (int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == "oom_kill" {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, os.ErrNotExist
}

// vmstatOOMKills is the host-wide OOM kill count (/proc/vmstat oom_kill).
func vmstatOOMKills() int64 {
	n, _ := ownOOMKillsAt("/proc/vmstat")
	return n
}
