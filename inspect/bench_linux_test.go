package inspect

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// psArgs is the ps run procbox's table scan is measured against: the same
// columns, every process.
var psArgs = []string{"-e", "-o", "pid,ppid,uid,ni,stat,comm"}

func runPS(b *testing.B) {
	cmd := exec.Command("ps", psArgs...)
	cmd.Stdout = io.Discard
	if err := cmd.Run(); err != nil {
		b.Fatalf("ps: %v", err)
	}
}

// benchTableVsPS runs procbox's scan and ps side by side: one sub-benchmark
// each, and "ratio", which times both in the same iterations and reports
// procbox's wall time as a fraction of ps's (target: at most 0.25).
func benchTableVsPS(b *testing.B) {
	fs := DefaultFS()
	_, psErr := exec.LookPath("ps")
	// cold: as if every process were new (the first scan, or a host whose
	// processes all come and go within a second).
	b.Run("procbox-cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			markerCacheFor(fs.Proc).replace(nil)
			if _, err := fs.Table(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("procbox", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rows, err := fs.Table()
			if err != nil {
				b.Fatal(err)
			}
			if i == 0 {
				b.ReportMetric(float64(len(rows)), "procs")
			}
		}
	})
	if psErr != nil {
		b.Logf("no ps on this host (%v): skipping the comparison", psErr)
		return
	}
	b.Run("ps", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			runPS(b)
		}
	})
	b.Run("ratio", func(b *testing.B) {
		var ours, theirs, oursCPU, theirsCPU time.Duration
		for i := 0; i < b.N; i++ {
			c0, t0 := cpuTime(syscall.RUSAGE_SELF), time.Now()
			if _, err := fs.Table(); err != nil {
				b.Fatal(err)
			}
			t1, c1 := time.Now(), cpuTime(syscall.RUSAGE_SELF)
			k0 := cpuTime(syscall.RUSAGE_CHILDREN)
			runPS(b)
			ours, theirs = ours+t1.Sub(t0), theirs+time.Since(t1)
			oursCPU, theirsCPU = oursCPU+c1-c0, theirsCPU+cpuTime(syscall.RUSAGE_CHILDREN)-k0
		}
		// Wall time is the target; CPU time (user+system) is reported too
		// because the scan uses every core and ps one, so on a busy host
		// the wall ratio moves with the neighbours while this one does not.
		b.ReportMetric(float64(ours)/float64(theirs), "procbox/ps")
		b.ReportMetric(float64(oursCPU)/float64(theirsCPU), "cpu-procbox/ps")
	})
}

// cpuTime is the user+system time of this process (RUSAGE_SELF) or of its
// waited-for children (RUSAGE_CHILDREN).
func cpuTime(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTableLive scans the host as it is.
func BenchmarkTableLive(b *testing.B) { benchTableVsPS(b) }

// benchProcs is how many sleeping processes BenchmarkTable adds.
const benchProcs = 10000

// BenchmarkTable adds 10,000 sleeping processes, held in a pids-limited
// cgroup named procbox-bench-PID, and runs the scan and ps over them. All of
// them, and the cgroup, are removed afterwards, even when the benchmark fails.
//
// Where Table's time went, measured with perf over a cold `procbox ps --json`
// of 10,000 sleeping processes (2-core VM, 2026-11, ~17 µs of CPU a process in
// all): the two ns readlinks a third of it (~5.5 µs, two thirds of that the
// path walk of PID/ns/X), opening stat ~3 µs, the kernel formatting it ~3 µs,
// close ~1 µs, listing /proc ~1 µs (~7 ms for all 10,000 names). An O_PATH
// descriptor per process directory, to shorten those walks, measured slower:
// its open and close cost more than the lookups it saves.
func BenchmarkTable(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root: it creates a pids cgroup to hold 10,000 processes")
	}
	if testing.Short() {
		b.Skip("-short: not spawning 10,000 processes")
	}
	if _, err := exec.LookPath("sleep"); err != nil {
		b.Skip("no sleep binary: ", err)
	}
	dir, err := benchCgroup(b)
	if err != nil {
		b.Skip(err)
	}
	spawnSleepers(b, dir, benchProcs)
	benchTableVsPS(b)
}

// benchCgroup creates procbox-bench-PID in the pids controller (v1 and
// hybrid: /sys/fs/cgroup/pids; v2: the root, if pids is enabled there) with
// pids.max just above the count, and removes it at cleanup.
func benchCgroup(b *testing.B) (string, error) {
	root := "/sys/fs/cgroup"
	mode, ctrls := cgroupMode(root)
	parent := ""
	switch mode {
	case CgroupV1, CgroupHybrid:
		parent = filepath.Join(root, "pids")
	case CgroupV2:
		sub, err := os.ReadFile(filepath.Join(root, "cgroup.subtree_control"))
		if err != nil || !strings.Contains(string(sub), "pids") {
			return "", fmt.Errorf("cgroup v2 without the pids controller enabled at the root (controllers %v)", ctrls)
		}
		parent = root
	default:
		return "", fmt.Errorf("no cgroup filesystem at %s", root)
	}
	dir := filepath.Join(parent, fmt.Sprintf("procbox-bench-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create the bench cgroup: %v", err)
	}
	b.Cleanup(func() {
		// rmdir fails while a process is still in the cgroup; killed
		// processes leave it when they are reaped, so retry for a while.
		for i := 0; i < 100; i++ {
			if err := os.Remove(dir); err == nil || os.IsNotExist(err) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		b.Errorf("could not remove %s", dir)
	})
	if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(benchProcs+50)), 0o644); err != nil {
		return "", fmt.Errorf("cannot limit the bench cgroup: %v", err)
	}
	return dir, nil
}

// spawnSleepers starts a shell inside the cgroup that forks n `sleep 3600`.
// At cleanup it kills the sleepers first, so that the shell (still alive,
// blocked in wait) reaps every one of them and exits; then it waits for the
// shell. Killing the shell first would leave 10,000 orphans to PID 1.
func spawnSleepers(b *testing.B, dir string, n int) {
	script := fmt.Sprintf(`read go; i=0; while [ $i -lt %d ]; do sleep 3600 & i=$((i+1)); done; echo ready; wait`, n)
	cmd := exec.Command("/bin/sh", "-c", script)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	shell := cmd.Process.Pid
	b.Cleanup(func() {
		stdin.Close()
		killCgroup(dir, shell)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		killCgroup(dir, 0) // anything left, the shell included
	})
	// Join the cgroup before forking so every sleep is counted by pids.max.
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		b.Fatalf("placing the spawner: %v", err)
	}
	io.WriteString(stdin, "go\n")
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		b.Fatalf("spawner: %q %v", line, err)
	}
}

// killCgroup sends SIGKILL to every process listed in the cgroup but spare.
func killCgroup(dir string, spare int) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() && pid != spare {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// BenchmarkSnapshotSelf is one full snapshot of the benchmark process: what
// the inspector pays for each refresh.
func BenchmarkSnapshotSelf(b *testing.B) {
	fs, pid := DefaultFS(), os.Getpid()
	for i := 0; i < b.N; i++ {
		if _, err := fs.Snapshot(pid, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
