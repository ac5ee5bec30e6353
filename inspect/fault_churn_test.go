package inspect

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFaultChurn scans the process table and snapshots processes while
// hundreds of short processes start and exit under the scanner. Processes
// vanishing mid-read are normal on a live host: Table must skip them, and
// Snapshot must answer with nothing but success or ErrGone — and ErrGone,
// every time, for a process that has certainly been reaped.
func TestFaultChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hundreds of processes")
	}
	runChurn(t, 1500*time.Millisecond, 2)
}

// TestSoakChurn is the long form: a minute of churn with more spawners.
func TestSoakChurn(t *testing.T) {
	if os.Getenv("PROCBOX_SOAK") == "" {
		t.Skip("soak test: set PROCBOX_SOAK=1 (make soak)")
	}
	runChurn(t, 60*time.Second, 4)
}

// churnProc is a process the churn started, as seen just after its start.
type churnProc struct {
	pid   int
	start string // field 22 of /proc/PID/stat: tells a reused PID apart
}

// churnStats counts what happened, for the log and the final checks.
type churnStats struct {
	started, scans, rows, snaps, snapGone, reapedChecked, reused atomic.Int64
}

func runChurn(t *testing.T, d time.Duration, spawners int) {
	for _, bin := range []string{"true", "sleep"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("needs %s in PATH: %v", bin, err)
		}
	}
	fs := DefaultFS()
	stop := make(chan struct{})
	live := make(chan churnProc, 256)   // just started: snapshot while they may be exiting
	reaped := make(chan churnProc, 256) // waited for: must be gone
	var st churnStats
	var errMu sync.Mutex
	var errs []string
	fail := func(format string, a ...any) {
		errMu.Lock()
		defer errMu.Unlock()
		if len(errs) < 20 {
			errs = append(errs, strings.TrimSpace(fmt.Sprintf(format, a...)))
		}
	}

	var spawn sync.WaitGroup
	for i := 0; i < spawners; i++ {
		spawn.Add(1)
		go func(i int) {
			defer spawn.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				// Mostly instant exits, some that live a few milliseconds, so
				// the scanner meets processes in every phase: running, exiting, zombie.
				cmd := exec.Command("true")
				if n%4 == 0 {
					cmd = exec.Command("sleep", "0.005")
				}
				if err := cmd.Start(); err != nil {
					fail("start: %v", err)
					return
				}
				st.started.Add(1)
				p := churnProc{pid: cmd.Process.Pid, start: statStart(cmd.Process.Pid)}
				select {
				case live <- p:
				default:
				}
				cmd.Wait()
				select {
				case reaped <- p:
				default:
				}
			}
		}(i)
	}

	var readers sync.WaitGroup
	readers.Add(3)
	go func() { // the process table, over and over
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			rows, err := fs.Table()
			if err != nil {
				fail("Table: %v", err)
				continue
			}
			st.scans.Add(1)
			st.rows.Add(int64(len(rows)))
			for _, r := range rows {
				if r.PID <= 0 || r.State == "" {
					fail("Table: malformed row %+v", r)
				}
			}
		}
	}()
	go func() { // snapshots of processes that are exiting right now
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			case p := <-live:
				_, err := fs.Snapshot(p.pid, Options{})
				st.snaps.Add(1)
				switch {
				case err == nil:
				case errors.Is(err, ErrGone):
					st.snapGone.Add(1)
				default:
					fail("Snapshot(%d) of an exiting process: %v (want nil or ErrGone)", p.pid, err)
				}
			}
		}
	}()
	go func() { // snapshots of processes already reaped: always gone
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			case p := <-reaped:
				_, err := fs.Snapshot(p.pid, Options{})
				st.reapedChecked.Add(1)
				if errors.Is(err, ErrGone) {
					continue
				}
				// The PID may already belong to a new process: only a different
				// start time proves that.
				if now := statStart(p.pid); now != "" && now != p.start {
					st.reused.Add(1)
					continue
				}
				fail("Snapshot(%d) after the process was reaped: err %v, want ErrGone", p.pid, err)
			}
		}
	}()

	time.Sleep(d)
	close(stop)
	spawn.Wait()
	readers.Wait()

	t.Logf("%d processes started; %d table scans (%d rows); %d snapshots of exiting processes (%d gone); %d reaped checked (%d PIDs reused)",
		st.started.Load(), st.scans.Load(), st.rows.Load(), st.snaps.Load(), st.snapGone.Load(), st.reapedChecked.Load(), st.reused.Load())
	for _, e := range errs {
		t.Error(e)
	}
	if st.started.Load() < 50 || st.scans.Load() == 0 || st.reapedChecked.Load() == 0 {
		t.Errorf("the churn did too little to prove anything: %d started, %d scans, %d reaped checked",
			st.started.Load(), st.scans.Load(), st.reapedChecked.Load())
	}
}

// statStart is the start time (field 22) of pid from /proc/PID/stat, or "".
func statStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19] // fields after ')' start at 3 (state): 22 - 3 = 19
}
