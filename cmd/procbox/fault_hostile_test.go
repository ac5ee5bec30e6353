package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/inspect"
)

// hostileRun runs `procbox ARGS` in a private mount namespace after setup (a
// shell snippet that bends the host: remounts, unmounts), optionally as
// nobody. The host's own mounts never change: unshare makes every mount
// private first. A setup the host refuses skips the test with the reason.
func hostileRun(t *testing.T, setup string, nobody bool, bin string, args ...string) faultRun {
	t.Helper()
	for _, tool := range []string{"unshare", "sh", "mount", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s: %v", tool, err)
		}
	}
	drop := ""
	if nobody {
		drop = "setpriv --reuid " + strconv.Itoa(nobodyUID) + " --regid " + strconv.Itoa(nobodyUID) + " --clear-groups "
	}
	script := "{ " + setup + "; } >&2 || { echo 'setup failed' >&2; exit 97; }\nexec " + drop + `"$@"`
	full := append([]string{"-m", "--propagation", "private", "sh", "-c", script, "sh", bin}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", full...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// unshare, sh and setpriv all exec: procbox keeps this PID, which names its cgroups.
	err := cmd.Start()
	pid := 0
	if err == nil {
		pid = cmd.Process.Pid
		err = cmd.Wait()
	}
	r := faultRun{pid: pid, code: 0, stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		r.code, r.err = -1, err
	}
	if r.code == 97 && strings.Contains(r.stderr, "setup failed") {
		t.Skipf("this host refuses the setup %q: %s", setup, strings.TrimSpace(r.stderr))
	}
	return r
}

// oneCleanLine checks the failure contract: one line, no panic text.
func oneCleanLine(t *testing.T, what string, r faultRun) string {
	t.Helper()
	lines := stderrLines(r.stderr)
	if len(lines) != 1 {
		t.Errorf("%s: want one line on stderr, got %d: %q", what, len(lines), r.stderr)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("%s: panic text on stderr: %q", what, r.stderr)
	}
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}

// TestFaultHidePID mounts /proc with hidepid=2 in a private mount namespace
// and runs procbox there as nobody: other users' processes are invisible,
// and procbox must say so rather than fail or pretend.
func TestFaultHidePID(t *testing.T) {
	bin := unprivBinary(t)
	const setup = "mount -t proc -o hidepid=2 proc /proc"
	before := takeInventory(t)
	var pids []int

	r := hostileRun(t, setup, true, bin, "ps", "--json")
	pids = append(pids, r.pid)
	if r.err != nil || r.code != 0 {
		t.Errorf("hidepid=2, as nobody, ps --json: status %d, %v: %s", r.code, r.err, r.stderr)
	} else {
		var rows []inspect.ProcRow
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
			t.Errorf("hidepid=2, ps --json: %v", err)
		}
		for _, row := range rows {
			if row.UID != nobodyUID {
				t.Errorf("hidepid=2, ps as nobody lists %d (uid %d): that should be invisible", row.PID, row.UID)
				break
			}
		}
		if len(rows) == 0 {
			t.Errorf("hidepid=2, ps as nobody lists nothing, not even itself")
		}
	}

	r = hostileRun(t, setup, true, bin, "inspect", "1", "--json")
	pids = append(pids, r.pid)
	line := oneCleanLine(t, "hidepid=2, as nobody, inspect 1", r)
	if r.code != 1 {
		t.Errorf("hidepid=2, as nobody, inspect 1: status %d, want 1 (it is hidden, not a usage error): %q", r.code, r.stderr)
	}
	if !strings.Contains(line, "hidepid") {
		t.Errorf("hidepid=2, as nobody, inspect 1: %q does not say hidepid hides it", line)
	}

	r = hostileRun(t, setup, true, bin, "doctor", "--json")
	pids = append(pids, r.pid)
	if r.err != nil || r.code != 0 {
		t.Errorf("hidepid=2, as nobody, doctor --json: status %d, %v: %s", r.code, r.err, r.stderr)
	} else {
		var rep inspect.HostReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Errorf("hidepid=2, doctor --json: %v", err)
		} else if !rep.HidePID.Available || !strings.Contains(rep.HidePID.Why, "hidepid") {
			t.Errorf("hidepid=2, doctor does not notice it: %+v", rep.HidePID)
		}
	}

	if leaks := before.leaksSince(takeInventory(t), ownedBy(pids...)); len(leaks) > 0 {
		t.Errorf("hidepid runs changed the host: %v", leaks)
	}
}

// TestFaultReadOnlyCgroupfs makes every cgroup mount read-only in a private
// mount namespace: a limit must fail with one clear line, a run without
// limits must still work (the cgroup only serves statistics), doctor must work.
func TestFaultReadOnlyCgroupfs(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	const setup = `for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do mountpoint -q "$d" && mount -o remount,bind,ro "$d"; done; ! mkdir /sys/fs/cgroup/pids/procbox-rotest 2>/dev/null`
	before := takeInventory(t)
	var pids []int

	r := hostileRun(t, setup, false, bin, "run", "--mem", "64M", "--", "true")
	pids = append(pids, r.pid)
	line := oneCleanLine(t, "read-only cgroupfs, run --mem 64M", r)
	if r.code != 1 {
		t.Errorf("read-only cgroupfs, run --mem 64M: status %d, want 1: %q", r.code, r.stderr)
	}
	if !strings.Contains(line, "read-only") {
		t.Errorf("read-only cgroupfs, run --mem 64M: %q does not say the cgroup filesystem is read-only", line)
	}

	r = hostileRun(t, setup, false, bin, "run", "--ns", "uts", "--", "true")
	pids = append(pids, r.pid)
	if r.code != 0 {
		t.Errorf("read-only cgroupfs, run --ns uts -- true (no limits): status %d, %q; a cgroup is optional without limits", r.code, r.stderr)
	}

	r = hostileRun(t, setup, false, bin, "doctor")
	pids = append(pids, r.pid)
	if r.code != 0 || strings.TrimSpace(r.stdout) == "" {
		t.Errorf("read-only cgroupfs, doctor: status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	if leaks := before.leaksSince(takeInventory(t), ownedBy(pids...)); len(leaks) > 0 {
		t.Errorf("read-only cgroupfs runs changed the host: %v", leaks)
	}
}

// TestFaultMissingController hides the pids controller: a pids limit must be
// refused in one line naming the controller, other limits still work.
func TestFaultMissingController(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	// Rebuild /sys/fs/cgroup in the private namespace the way a host without
	// the pids controller has it: a fresh tmpfs with every other hierarchy
	// mounted again (same options, so the same hierarchies) and no pids dir.
	// Unmounting pids alone would leave an empty directory behind, which no
	// real host has; removing it would remove it from the host's tmpfs too.
	const setup = `grep -q ' /sys/fs/cgroup/pids cgroup ' /proc/mounts &&
mounts=$(awk '$3 == "cgroup" && $2 != "/sys/fs/cgroup/pids" { print $2, $4 } $3 == "cgroup2" { print $2, "cgroup2" }' /proc/mounts) &&
umount -R -l /sys/fs/cgroup && mount -t tmpfs -o mode=755 procbox-nopids /sys/fs/cgroup &&
echo "$mounts" | while read -r mp opts; do
  mkdir -p "$mp" || exit 1
  if [ "$opts" = cgroup2 ]; then mount -t cgroup2 none "$mp" || exit 1
  else mount -t cgroup -o "$opts" cgroup "$mp" || exit 1; fi
done && [ ! -e /sys/fs/cgroup/pids ]`
	before := takeInventory(t)
	var pids []int

	r := hostileRun(t, setup, false, bin, "run", "--pids", "10", "--", "true")
	pids = append(pids, r.pid)
	line := oneCleanLine(t, "no pids controller, run --pids 10", r)
	if r.code != 1 && r.code != 2 {
		t.Errorf("no pids controller, run --pids 10: status %d, want 1 or 2: %q", r.code, r.stderr)
	}
	if !strings.Contains(line, "pids") {
		t.Errorf("no pids controller, run --pids 10: %q does not name the missing controller", line)
	}

	r = hostileRun(t, setup, false, bin, "run", "--mem", "64M", "--", "true")
	pids = append(pids, r.pid)
	if r.code != 0 {
		t.Errorf("no pids controller, run --mem 64M -- true: status %d, %q; memory is still there", r.code, r.stderr)
	}

	r = hostileRun(t, setup, false, bin, "doctor", "--json")
	pids = append(pids, r.pid)
	var rep inspect.HostReport
	if r.code != 0 {
		t.Errorf("no pids controller, doctor --json: status %d: %s", r.code, r.stderr)
	} else if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Errorf("no pids controller, doctor --json: %v", err)
	} else {
		for _, c := range rep.Controllers {
			if c == "pids" {
				t.Errorf("no pids controller, doctor still lists it: %v", rep.Controllers)
			}
		}
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(pids...)); len(leaks) > 0 {
		t.Errorf("missing-controller runs left: %v", leaks)
	}
}

// TestFaultV2Only replaces the hybrid layout with a bare cgroup2 mount at
// /sys/fs/cgroup (on a hybrid host its controllers are all bound to v1, so
// the v2 tree offers none): procbox must see v2, refuse limits with a clear
// line, and still run without limits.
func TestFaultV2Only(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	const setup = `umount -R -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup`
	before := takeInventory(t)
	var pids []int

	r := hostileRun(t, setup, false, bin, "doctor", "--json")
	pids = append(pids, r.pid)
	var rep inspect.HostReport
	if r.code != 0 {
		t.Errorf("v2 only, doctor --json: status %d: %s", r.code, r.stderr)
	} else if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Errorf("v2 only, doctor --json: %v", err)
	} else if rep.CgroupMode != "v2" {
		t.Errorf("v2 only, doctor says cgroup_mode %q, want v2 (%s)", rep.CgroupMode, rep.CgroupNote)
	}

	r = hostileRun(t, setup, false, bin, "run", "--mem", "64M", "--", "true")
	pids = append(pids, r.pid)
	if r.code != 0 {
		// Where the v2 tree has no memory controller, the refusal must be one clear line.
		line := oneCleanLine(t, "v2 only, run --mem 64M", r)
		if !strings.Contains(line, "memory") {
			t.Errorf("v2 only, run --mem 64M: %q does not name the memory controller", line)
		}
	}

	r = hostileRun(t, setup, false, bin, "run", "--ns", "pid", "--", "true")
	pids = append(pids, r.pid)
	if r.code != 0 {
		t.Errorf("v2 only, run --ns pid -- true (no limits): status %d, %q", r.code, r.stderr)
	}

	r = hostileRun(t, setup, false, bin, "inspect", "1", "--json")
	pids = append(pids, r.pid)
	if r.code != 0 {
		t.Errorf("v2 only, inspect 1 --json: status %d: %s", r.code, r.stderr)
	} else {
		var s inspect.Snapshot
		if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
			t.Errorf("v2 only, inspect 1: %v", err)
		} else if s.Limits.CgroupVersion != "v2" && s.Errors["limits"] == "" {
			t.Errorf("v2 only, inspect 1: limits read as %q with no error; /proc/1/cgroup names v1 paths", s.Limits.CgroupVersion)
		}
	}
	// A cgroup made in the unified tree is visible on the host too: it must be gone.
	if leaks := before.leaksSince(takeInventory(t), ownedBy(pids...)); len(leaks) > 0 {
		t.Errorf("v2-only runs left: %v", leaks)
	}
}
