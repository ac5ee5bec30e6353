package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"procbox/inspect"
	"procbox/internal/testtree"
)

// nobodyUID is the unprivileged user the tests switch to.
const nobodyUID = 65534

// unprivBinary copies the built binary where nobody may execute it (t.TempDir
// is private to root) and returns its path.
func unprivBinary(t *testing.T) string {
	t.Helper()
	requireRoot(t)
	src := faultBuild(t)
	dir, err := os.MkdirTemp("", "procbox-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "procbox")
	testtree.CopyExecutable(t, src, dst)
	return dst
}

// asNobody runs bin as uid/gid 65534 with a minimal environment.
func asNobody(t *testing.T, bin string, args ...string) faultRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/nonexistent", "LANG=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID, Groups: []uint32{}}}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := faultRun{code: -1}
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start as nobody: %v", err)
	}
	r.pid = cmd.Process.Pid
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err == nil {
			r.code = 0
		} else {
			r.err = err
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		r.err = os.ErrDeadlineExceeded
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// TestFaultUnprivileged runs procbox as nobody: inspecting, listing and the
// doctor work and say what is hidden; what needs root says so in one line.
func TestFaultUnprivileged(t *testing.T) {
	bin := unprivBinary(t)
	before := takeInventory(t)

	// A process of another user (root) for nobody to look at.
	other := exec.Command("sleep", "30")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Process.Kill(); other.Wait() })
	var owners []int

	for _, pid := range []int{1, other.Process.Pid} {
		r := asNobody(t, bin, "inspect", strconv.Itoa(pid), "--json")
		owners = append(owners, r.pid)
		if r.err != nil || r.code != 0 {
			t.Errorf("as nobody, inspect %d --json: status %d, %v: %s", pid, r.code, r.err, r.stderr)
			continue
		}
		var s inspect.Snapshot
		if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
			t.Errorf("as nobody, inspect %d --json: not a snapshot: %v", pid, err)
			continue
		}
		if s.PID != pid || s.Comm == "" {
			t.Errorf("as nobody, inspect %d: pid %d comm %q; the public parts must still be there", pid, s.PID, s.Comm)
		}
		denied := 0
		for section, why := range s.Errors {
			if strings.Contains(why, "permission denied") {
				denied++
			} else if why == "" {
				t.Errorf("as nobody, inspect %d: section %s failed with an empty reason", pid, section)
			}
		}
		if denied == 0 {
			t.Errorf("as nobody, inspect %d (a root process): no section explains it is hidden; errors %v", pid, s.Errors)
		}
	}

	r := asNobody(t, bin, "ps", "--json")
	owners = append(owners, r.pid)
	if r.err != nil || r.code != 0 {
		t.Errorf("as nobody, ps --json: status %d, %v: %s", r.code, r.err, r.stderr)
	} else {
		var rows []inspect.ProcRow
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
			t.Errorf("as nobody, ps --json: not a table: %v", err)
		}
		seen := false
		for _, row := range rows {
			seen = seen || row.PID == other.Process.Pid
		}
		if !seen {
			t.Errorf("as nobody, ps --json does not list root's process %d (%d rows)", other.Process.Pid, len(rows))
		}
	}

	r = asNobody(t, bin, "doctor", "--json")
	owners = append(owners, r.pid)
	if r.err != nil || r.code != 0 {
		t.Errorf("as nobody, doctor --json: status %d, %v: %s", r.code, r.err, r.stderr)
	} else {
		var rep inspect.HostReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Errorf("as nobody, doctor --json: %v", err)
		} else if rep.Root || rep.UID != nobodyUID {
			t.Errorf("as nobody, doctor says root=%v uid=%d", rep.Root, rep.UID)
		}
	}
	r = asNobody(t, bin, "doctor")
	owners = append(owners, r.pid)
	if r.err != nil || r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Errorf("as nobody, doctor: status %d, %v, stdout %q, stderr %q", r.code, r.err, r.stdout, r.stderr)
	}

	// A user namespace needs no privilege where the host allows it.
	r = asNobody(t, bin, "run", "--ns", "user", "--map-root", "--", "id", "-u")
	owners = append(owners, r.pid)
	if why := unprivUserNSRefused(); why != "" {
		if r.code == 0 {
			t.Errorf("as nobody, run --ns user --map-root worked though %s", why)
		} else if n := len(stderrLines(r.stderr)); n != 1 {
			t.Errorf("as nobody, run --ns user where %s: want one line, got %q", why, r.stderr)
		}
	} else if r.err != nil || r.code != 0 || strings.TrimSpace(r.stdout) != "0" {
		t.Errorf("as nobody, run --ns user --map-root -- id -u: status %d, %v, stdout %q (want 0), stderr %q",
			r.code, r.err, r.stdout, r.stderr)
	}

	// Limits need root (or a delegated cgroup): one line that says so.
	r = asNobody(t, bin, "run", "--mem", "64M", "--", "true")
	owners = append(owners, r.pid)
	lines := stderrLines(r.stderr)
	switch {
	case r.err != nil:
		t.Errorf("as nobody, run --mem 64M: %v", r.err)
	case r.code != 1 && r.code != 2:
		t.Errorf("as nobody, run --mem 64M -- true: status %d, want 1 or 2; stderr %q", r.code, r.stderr)
	case len(lines) != 1:
		t.Errorf("as nobody, run --mem 64M -- true: want one line on stderr, got %q", r.stderr)
	case !strings.Contains(strings.ToLower(lines[0]), "root") && !strings.Contains(lines[0], "delegat"):
		t.Errorf("as nobody, run --mem 64M -- true: %q does not say it needs root", lines[0])
	case strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine "):
		t.Errorf("as nobody, run --mem 64M: %q", r.stderr)
	}

	if leaks := before.leaksSince(takeInventory(t), ownedBy(owners...)); len(leaks) > 0 {
		t.Errorf("left on the host by unprivileged runs: %v", leaks)
	}
}

// unprivUserNSRefused says why this host refuses user namespaces to
// unprivileged users, or "" if it allows them.
func unprivUserNSRefused() string {
	if b, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err == nil && strings.TrimSpace(string(b)) == "0" {
		return "user.max_user_namespaces is 0"
	}
	if b, err := os.ReadFile("/proc/sys/kernel/unprivileged_userns_clone"); err == nil && strings.TrimSpace(string(b)) == "0" {
		return "kernel.unprivileged_userns_clone is 0"
	}
	if b, err := os.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); err == nil && strings.TrimSpace(string(b)) == "1" {
		return "kernel.apparmor_restrict_unprivileged_userns is 1"
	}
	return ""
}

// As a normal user without a user namespace there is nothing to drop and the
// bounding set cannot shrink: procbox says so in one line before it starts
// anything (it failed in the child with "drop cap_audit_control from the
// bounding set: operation not permitted"); with --ns user the drop works.
func TestUnprivDropCapsSaysWhy(t *testing.T) {
	bin := unprivBinary(t)
	r := asNobody(t, bin, "run", "--drop-caps", "all", "--", "true")
	if r.code != 1 || !strings.Contains(r.stderr, "has no capabilities to drop") || !strings.Contains(r.stderr, "--ns user") {
		t.Errorf("run --drop-caps all as nobody: status %d, stderr %q", r.code, r.stderr)
	}
	if lines := stderrLines(r.stderr); len(lines) != 1 {
		t.Errorf("want one line on stderr, got %q", r.stderr)
	}
	r = asNobody(t, bin, "run", "--ns", "user", "--drop-caps", "all", "--", "sh", "-c", "grep CapBnd /proc/self/status")
	if r.code != 0 {
		if strings.Contains(r.stderr, "user namespace") || strings.Contains(r.stderr, "not permitted") {
			t.Skipf("this host refuses nobody a user namespace: %s", r.stderr)
		}
		t.Fatalf("run --ns user --drop-caps all as nobody: status %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "CapBnd:\t0000000000000000") {
		t.Errorf("in its own user namespace the child should have dropped every cap: %q", r.stdout)
	}
}

// --veth as a normal user: one line saying it takes cap_net_admin on the
// host, before any child starts (it failed after the fork with a netlink error).
func TestUnprivVethSaysWhy(t *testing.T) {
	bin := unprivBinary(t)
	r := asNobody(t, bin, "run", "--ns", "user,net", "--veth", "--", "true")
	if r.code != 1 || !strings.Contains(r.stderr, "cap_net_admin") || len(stderrLines(r.stderr)) != 1 {
		t.Errorf("run --veth as nobody: status %d, stderr %q", r.code, r.stderr)
	}
}

// run --explain as nobody says first which of its lines that user cannot
// do; for a spec a normal user can run it says nothing extra.
func TestUnprivExplainSaysWhatNeedsRoot(t *testing.T) {
	bin := unprivBinary(t)
	r := asNobody(t, bin, "run", "--explain", "--ns", "pid,mnt", "--mem", "64M", "--", "true")
	first, _, _ := strings.Cut(r.stdout, "\n")
	if r.code != 0 || !strings.HasPrefix(first, "# as uid 65534") || !strings.Contains(first, "namespaces pid,mnt") || !strings.Contains(first, "cgroup limits") {
		t.Errorf("run --explain --ns pid,mnt --mem 64M as nobody: status %d, first line %q", r.code, first)
	}
	r = asNobody(t, bin, "run", "--explain", "--ns", "user,pid", "--", "true")
	if r.code != 0 || strings.Contains(r.stdout, "# as uid") {
		t.Errorf("run --explain --ns user,pid as nobody: status %d, stdout %q; want no root warning", r.code, r.stdout)
	}
}
