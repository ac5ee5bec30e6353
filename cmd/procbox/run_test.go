package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"procbox/internal/leakcheck"
)

// Tests of `procbox run` through the built binary (helpers in
// fault_helpers_test.go): exit status, stdio, --explain, --report, and a
// SIGKILLed procbox whose child dies with it and whose cgroup is swept.

func TestRunCLIExitStatus(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	if r := faultExec(t, 20*time.Second, bin, "run", "--ns", "pid,mnt", "--", "sh", "-c", "exit 3"); r.code != 3 {
		t.Errorf("exit 3 came back as %d (%v, %q)", r.code, r.err, r.stderr)
	}
	if r := faultExec(t, 20*time.Second, bin, "run", "--", "sh", "-c", "kill -9 $$"); r.code != 128+9 {
		t.Errorf("SIGKILL should give 137, got %d (%q)", r.code, r.stderr)
	}
	// A command that cannot run: 127 / 126 like a shell, one line.
	if r := faultExec(t, 20*time.Second, bin, "run", "--", "procbox-no-such-command"); r.code != 127 || len(stderrLines(r.stderr)) != 1 {
		t.Errorf("missing command: %d %q, want 127 and one line", r.code, r.stderr)
	}
	// stdin and stdout pass through.
	cmd := exec.Command(bin, "run", "--ns", "pid,mnt,uts", "--hostname", "procbox-cli", "--", "sh", "-c", "read x; echo $x $(hostname)")
	cmd.Stdin = strings.NewReader("hello\n")
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "hello procbox-cli" {
		t.Errorf("stdio: %q %v", out, err)
	}
}

func TestRunCLIExplainCreatesNothing(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	before := procboxCgroups()
	r := faultExec(t, 20*time.Second, bin, "run", "--ns", "all", "--mem", "64M", "--pids", "10", "--drop-caps", "chown", "--explain", "--", "true")
	if r.code != 0 {
		t.Fatalf("--explain: %d %q", r.code, r.stderr)
	}
	for _, want := range []string{"unshare --pid --fork --mount-proc", "memory.limit_in_bytes", "pids.max", "capsh --drop=cap_chown", "exec true"} {
		if !strings.Contains(r.stdout, want) && !(want == "memory.limit_in_bytes" && strings.Contains(r.stdout, "memory.max")) {
			t.Errorf("--explain lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.Contains(line, "# ") {
			t.Errorf("every line needs a # what comment: %q", line)
		}
	}
	if after := procboxCgroups(); len(after) != len(before) {
		t.Errorf("--explain created cgroups: %v", after)
	}
}

func TestRunCLIReport(t *testing.T) {
	requireRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/pids"); err != nil {
		if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err != nil {
			t.Skip("no pids controller")
		}
	}
	bin := faultBuild(t)
	// procbox's own helper roles stand in for a fork bomb and a memory hog.
	r := faultExec(t, 30*time.Second, bin, "run", "--pids", "10", "--report", "--", bin, "__procbox_forkbomb")
	if !strings.Contains(r.stderr, "fork failed") || !strings.Contains(r.stderr, "at pids.max=10") {
		t.Errorf("report should count failed forks: %q", r.stderr)
	}
	r = faultExec(t, 30*time.Second, bin, "run", "--mem", "32M", "--report", "--", bin, "__procbox_memhog", fmt.Sprint(256<<20))
	if r.code != 137 || !strings.Contains(r.stderr, "killed by the OOM killer at 32 MiB") {
		t.Errorf("report should name the OOM kill: code %d %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "isolated: nothing") || !strings.Contains(r.stderr, "limits: memory 32 MiB") {
		t.Errorf("report should say what was isolated and limited: %q", r.stderr)
	}
}

// TestRunCLIKilledParent SIGKILLs procbox mid-run: the child must die with it
// (Pdeathsig) and the next `procbox run` sweeps the cgroup it left.
func TestRunCLIKilledParent(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	cmd := exec.Command(bin, "run", "--mem", "64M", "--", "sleep", "60")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	var child int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if kids := leakcheck.Children(pid, false); len(kids) > 0 {
			child = kids[0]
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", child)); strings.TrimSpace(string(comm)) == "sleep" {
				break
			}
		}
	}
	if child == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child never started: %q", errb.String())
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	for deadline := time.Now().Add(5 * time.Second); leakcheck.Alive(child); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(child, syscall.SIGKILL)
			t.Fatalf("child %d outlived its SIGKILLed parent", child)
		}
	}
	prefix := fmt.Sprintf("procbox-%d-", pid)
	stale := func() []string {
		var out []string
		for _, c := range procboxCgroups() {
			if strings.Contains(c, prefix) {
				out = append(out, c)
			}
		}
		return out
	}
	if len(stale()) == 0 {
		t.Log("no stale cgroup was left (the kernel or a concurrent sweep removed it)")
	}
	if r := faultExec(t, 20*time.Second, bin, "run", "--", "true"); r.code != 0 {
		t.Fatalf("next run: %d %q", r.code, r.stderr)
	}
	if left := stale(); len(left) > 0 {
		t.Errorf("the next procbox run should have swept %v", left)
	}
}

// TestRunCLISignals: SIGTERM to procbox reaches the command and everything is
// removed; a pid-namespace init that ignores it is killed after the grace period.
func TestRunCLISignals(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"plain", []string{"run", "--mem", "64M", "--", "sleep", "60"}, 128 + int(syscall.SIGTERM)},
		{"pid namespace init", []string{"run", "--ns", "pid,mnt", "--mem", "64M", "--", "sleep", "60"}, 128 + int(syscall.SIGKILL)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pid := cmd.Process.Pid
			var child int
			for deadline := time.Now().Add(10 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				for _, k := range leakcheck.Children(pid, false) {
					if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", k)); strings.TrimSpace(string(comm)) == "sleep" {
						child = k
					}
				}
			}
			if child == 0 {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("the command never started")
			}
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
				t.Fatal("procbox did not end after SIGTERM")
			}
			if code := cmd.ProcessState.ExitCode(); code != tc.want {
				t.Errorf("exit status %d, want %d", code, tc.want)
			}
			if leakcheck.Alive(child) {
				t.Errorf("the command %d survived", child)
			}
			prefix := fmt.Sprintf("procbox-%d-", pid)
			for _, c := range procboxCgroups() {
				if strings.Contains(c, prefix) {
					t.Errorf("cgroup left behind: %s", c)
				}
			}
		})
	}
}

// TestRunCLILeavesNoOrphans: whatever the command starts in the background
// goes with it, even with no pid namespace and no cgroup to hold the tree,
// and even when a process left its session and lost its parent (setsid and
// a double fork): procbox run is the subreaper of the tree and kills what it
// is left with. Each case's sleep prints its PID so the test can look.
func TestRunCLILeavesNoOrphans(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	const bg = `sh -c 'echo $$; exec sleep 300 </dev/null >/dev/null 2>&1' &`
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no spec, background job", []string{"--", "sh", "-c", bg + " sleep 0.2"}},
		{"no spec, setsid orphan", []string{"--", "sh", "-c", "setsid sh -c \"" + strings.ReplaceAll(bg, `$$`, `\$\$`) + "\"; sleep 0.2"}},
		{"pids limit, setsid orphan", []string{"--pids", "50", "--", "sh", "-c", "setsid sh -c \"" + strings.ReplaceAll(bg, `$$`, `\$\$`) + "\"; sleep 0.2"}},
		{"uts only, background job", []string{"--ns", "uts", "--", "sh", "-c", bg + " sleep 0.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := faultExec(t, 20*time.Second, bin, append([]string{"run"}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("run: %d %v %q", r.code, r.err, r.stderr)
			}
			f := strings.Fields(r.stdout)
			if len(f) == 0 {
				t.Fatalf("the background process did not say its PID: %q", r.stdout)
			}
			pid := f[0]
			if b, err := os.ReadFile("/proc/" + pid + "/cmdline"); err == nil && strings.HasPrefix(string(b), "sleep\x00300") {
				exec.Command("kill", "-9", pid).Run()
				t.Errorf("process %s (sleep 300) outlived procbox run", pid)
			}
		})
	}
}
