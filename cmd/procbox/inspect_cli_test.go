package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"procbox/inspect"
)

// TestInspectCLI builds the real binary once and drives inspect, ps and
// doctor through it, checking their answers against the kernel's own files.
func TestInspectCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	bin := filepath.Join(t.TempDir(), "procbox")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := func(args ...string) (stdout, stderr string, code int) {
		cmd := exec.Command(bin, args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("running %v: %v", args, err)
		}
		return o.String(), e.String(), code
	}

	sleep := exec.Command("sleep", "600")
	if err := sleep.Start(); err != nil {
		t.Fatalf("starting sleep: %v", err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })

	t.Run("inspect --json matches the kernel", func(t *testing.T) {
		pids := []int{os.Getpid(), sleep.Process.Pid}
		if b, err := os.ReadFile("/proc/2/stat"); err == nil && strings.Contains(string(b), "(kthreadd)") {
			pids = append(pids, 2)
		}
		for _, pid := range pids {
			out, errOut, code := run("inspect", strconv.Itoa(pid), "--json")
			if code != 0 {
				t.Errorf("inspect %d: exit %d: %s", pid, code, errOut)
				continue
			}
			var s inspect.Snapshot
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Errorf("inspect %d: JSON: %v", pid, err)
				continue
			}
			checkAgainstKernel(t, pid, s)
		}
	})

	t.Run("inspect --json keys", func(t *testing.T) {
		out, _, code := run("inspect", strconv.Itoa(os.Getpid()), "--json")
		var m map[string]json.RawMessage
		if code != 0 || json.Unmarshal([]byte(out), &m) != nil {
			t.Fatalf("exit %d, output %.200s", code, out)
		}
		for _, k := range []string{"pid", "ppid", "comm", "exe", "cmdline", "state", "start_time", "threads", "uids", "gids",
			"groups", "nice", "priority", "namespaces", "uid_map", "gid_map", "cgroups", "limits", "capabilities", "seccomp",
			"no_new_privs", "lsm", "fds", "env", "memory", "syscall", "container", "errors"} {
			if _, ok := m[k]; !ok {
				t.Errorf("key %q missing", k)
			}
		}
	})

	t.Run("secrets masked unless asked", func(t *testing.T) {
		child := exec.Command("sleep", "600")
		child.Env = []string{"PROCBOX_TEST_PASSWORD=opensesame", "PATH=/usr/bin:/bin"}
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { child.Process.Kill(); child.Wait() }()
		pid := strconv.Itoa(child.Process.Pid)
		// Until exec completes the child's environment is ours; wait for it.
		for i := 0; i < 200; i++ {
			if b, _ := os.ReadFile("/proc/" + pid + "/comm"); strings.TrimSpace(string(b)) == "sleep" {
				break
			}
			exec.Command("sleep", "0.01").Run()
		}
		out, _, _ := run("inspect", pid, "--json")
		if strings.Contains(out, "opensesame") || !strings.Contains(out, "masked, 10 chars") {
			t.Errorf("masked output: %.300s", grepLine(out, "PROCBOX_TEST_PASSWORD"))
		}
		out, _, _ = run("inspect", pid, "--json", "--show-secrets")
		if !strings.Contains(out, `"PROCBOX_TEST_PASSWORD": "opensesame"`) {
			t.Errorf("--show-secrets output: %s", grepLine(out, "PROCBOX_TEST_PASSWORD"))
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"inspect", "abc"}, 2, `invalid PID "abc": want a positive number`},
			{[]string{"inspect", "0"}, 2, `invalid PID "0"`},
			{[]string{"inspect", "-3"}, 2, `invalid PID "-3"`},
			{[]string{"inspect", "99999999"}, 2, "no process with PID 99999999 can exist"},
			{[]string{"inspect", "4194303", "--json"}, 1, "no process with PID 4194303"},
			{[]string{"inspect", "1", "--frobnicate"}, 2, "unknown flag"},
			{[]string{"inspect", "--compare", "1"}, 2, "--compare needs two PIDs"},
			{[]string{"inspect", "1", "--compare"}, 2, "needs a value"},
			{[]string{"inspect", "1", "--compare", "x"}, 2, `invalid PID "x"`},
			{[]string{"inspect", "1", "2"}, 2, "want one PID"},
			{[]string{"inspect"}, 2, "want a PID"},
			{[]string{"ps", "--bogus"}, 2, "unknown flag"},
			{[]string{"ps", "extra"}, 2, "takes no arguments"},
			{[]string{"doctor", "--nope"}, 2, "unknown flag"},
		} {
			out, errOut, code := run(tc.args...)
			lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
			if code != tc.code || len(lines) != 1 || !strings.Contains(errOut, tc.want) || out != "" ||
				strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
				t.Errorf("%v: exit %d (want %d), stderr %q (want one line with %q), stdout %.80q", tc.args, code, tc.code, errOut, tc.want, out)
			}
		}
	})

	t.Run("another user's process", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to run procbox as nobody against root's process")
		}
		// t.TempDir is 0700: let nobody reach the binary.
		if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Dir(filepath.Dir(bin)), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "inspect", strconv.Itoa(sleep.Process.Pid), "--json")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		if err := cmd.Run(); err != nil {
			t.Fatalf("as nobody: %v: %s", err, e.String())
		}
		var s inspect.Snapshot
		if err := json.Unmarshal(o.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if s.Comm != "sleep" || s.PPID != os.Getpid() || s.UIDs.Real.ID != 0 {
			t.Errorf("readable sections lost: comm %q ppid %d uid %d", s.Comm, s.PPID, s.UIDs.Real.ID)
		}
		for _, sec := range []string{"env", "fds", "namespaces"} {
			if s.Errors[sec] != inspect.ErrDenied.Error() {
				t.Errorf("errors[%s] = %q, want %q", sec, s.Errors[sec], inspect.ErrDenied.Error())
			}
		}
	})

	t.Run("gone mid-way", func(t *testing.T) {
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pid := c.Process.Pid
		c.Process.Kill()
		c.Wait()
		_, errOut, code := run("inspect", strconv.Itoa(pid), "--json")
		if code != 1 || errOut != fmt.Sprintf("procbox: no process with PID %d\n", pid) {
			t.Errorf("exit %d stderr %q", code, errOut)
		}
	})

	t.Run("compare", func(t *testing.T) {
		for _, args := range [][]string{
			{"inspect", "--compare", strconv.Itoa(os.Getpid()), strconv.Itoa(sleep.Process.Pid), "--json"},
			{"inspect", strconv.Itoa(os.Getpid()), "--compare", strconv.Itoa(sleep.Process.Pid), "--json"},
		} {
			out, errOut, code := run(args...)
			var v struct {
				A, B        inspect.Snapshot
				Differences []inspect.Difference
			}
			if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
				t.Fatalf("%v: exit %d %s", args, code, errOut)
			}
			if v.A.PID != os.Getpid() || v.B.PID != sleep.Process.Pid || v.Differences == nil {
				t.Errorf("%v: a %d b %d differences %v", args, v.A.PID, v.B.PID, v.Differences)
			}
			// A plain child shares every namespace with its parent.
			for _, d := range v.Differences {
				if strings.HasPrefix(d.Field, "namespaces.") {
					t.Errorf("%v: unexpected %+v", args, d)
				}
			}
		}
		out, _, code := run("inspect", strconv.Itoa(os.Getpid()), "--compare", strconv.Itoa(sleep.Process.Pid))
		if code != 0 || !strings.HasPrefix(out, "Isolation differences") {
			t.Errorf("text compare: exit %d %.100q", code, out)
		}
	})

	t.Run("inspect text without a terminal", func(t *testing.T) {
		for _, args := range [][]string{{"inspect", strconv.Itoa(os.Getpid())}, {"inspect", "--text", strconv.Itoa(os.Getpid())}} {
			out, errOut, code := run(args...)
			if code != 0 || !strings.Contains(out, "== Namespaces ==") || !strings.Contains(out, "== File descriptors") {
				t.Errorf("%v: exit %d %s %.200q", args, code, errOut, out)
			}
		}
	})

	t.Run("ps", func(t *testing.T) {
		out, errOut, code := run("ps", "--json")
		var rows []inspect.ProcRow
		if code != 0 || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("ps --json: exit %d %s", code, errOut)
		}
		found := false
		for _, r := range rows {
			if r.PID == sleep.Process.Pid {
				found = r.PPID == os.Getpid() && r.Comm == "sleep"
			}
		}
		if !found {
			t.Errorf("ps --json lacks the sleep child %d", sleep.Process.Pid)
		}
		for i := 1; i < len(rows); i++ {
			if rows[i-1].PID >= rows[i].PID {
				t.Fatalf("ps --json not sorted by pid: %d then %d", rows[i-1].PID, rows[i].PID)
			}
		}
		// ps --json has its own encoder: its bytes must be what encoding/json
		// prints for the same rows (the documented format). A name with
		// invalid UTF-8 comes back as U+FFFD and would not re-encode the same.
		if !strings.ContainsRune(out, '\uFFFD') && !strings.Contains(out, `\ufffd`) {
			var again strings.Builder
			enc := json.NewEncoder(&again)
			enc.SetIndent("", "  ")
			enc.Encode(rows)
			if again.String() != out {
				t.Errorf("ps --json differs from encoding/json's indented output of the same rows")
			}
		}
		out, _, code = run("ps")
		first, _, _ := strings.Cut(out, "\n")
		if code != 0 || strings.Join(strings.Fields(first), " ") != "PID PPID USER NI S RSS THR CONTAINER NAME COMMAND" {
			t.Errorf("ps header %q (exit %d)", first, code)
		}
		if !strings.Contains(out, "\n"+strconv.Itoa(sleep.Process.Pid)+" ") {
			t.Errorf("ps table lacks the sleep child")
		}
	})

	t.Run("doctor", func(t *testing.T) {
		out, errOut, code := run("doctor", "--json")
		var r inspect.HostReport
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("doctor --json: exit %d %s", code, errOut)
		}
		if r.UID != os.Geteuid() || len(r.Namespaces) != 8 || r.Kernel == "" {
			t.Errorf("doctor %+v", r)
		}
		text, _, code := run("doctor")
		if code != 0 || !strings.Contains(text, "pid namespace") || !strings.Contains(text, "cgroup mode "+r.CgroupMode) {
			t.Errorf("doctor text: exit %d %.300q", code, text)
		}
		// Judge the mode independently: statfs says cgroup2 or not, and a
		// v1 tmpfs with a populated "unified" mount is hybrid.
		want := "v1"
		var st syscall.Statfs_t
		if err := syscall.Statfs("/sys/fs/cgroup", &st); err != nil {
			t.Skipf("no /sys/fs/cgroup: %v", err)
		}
		if st.Type == 0x63677270 { // CGROUP2_SUPER_MAGIC
			want = "v2"
		} else if _, err := os.Stat("/sys/fs/cgroup/unified/cgroup.controllers"); err == nil {
			want = "hybrid"
		}
		if r.CgroupMode != want {
			t.Errorf("cgroup_mode %q, statfs and the layout say %q", r.CgroupMode, want)
		}
		if want != "hybrid" {
			t.Logf("this host is %s, not the hybrid of the dev/CI machines", want)
		}
	})
}

// checkAgainstKernel compares a snapshot with /proc/PID/stat, status and the
// ns links as read right now by the test itself.
func checkAgainstKernel(t *testing.T, pid int, s inspect.Snapshot) {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d", pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		t.Errorf("pid %d: %v", pid, err)
		return
	}
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	// The test process itself may be running or sleeping from one read to the
	// next; the sleep child and kthreadd hold still.
	sameState := s.State == fields[0] || pid == os.Getpid()
	if ppid, _ := strconv.Atoi(fields[1]); s.PID != pid || s.PPID != ppid || !sameState {
		t.Errorf("pid %d: snapshot pid %d ppid %d state %s; kernel ppid %d state %s", pid, s.PID, s.PPID, s.State, ppid, fields[0])
	}
	status, _ := os.ReadFile(dir + "/status")
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			u := strings.Fields(rest)
			got := []int{s.UIDs.Real.ID, s.UIDs.Effective.ID, s.UIDs.Saved.ID, s.UIDs.FS.ID}
			if fmt.Sprint(got) != "["+strings.Join(u, " ")+"]" {
				t.Errorf("pid %d: uids %v, kernel %v", pid, got, u)
			}
		}
	}
	for _, kind := range inspect.NamespaceKinds {
		target, err := os.Readlink(dir + "/ns/" + kind)
		if err != nil {
			continue
		}
		want := target[strings.Index(target, "[")+1 : len(target)-1]
		if got := strconv.FormatUint(s.Namespaces[kind].Inode, 10); got != want {
			t.Errorf("pid %d: ns %s inode %s, kernel %s", pid, kind, got, want)
		}
	}
}

func grepLine(text, needle string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, needle) {
			return l
		}
	}
	return "(no line with " + needle + ")"
}
