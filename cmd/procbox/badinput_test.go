package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBadInput runs the built binary on malformed command lines. Each must be
// refused the same way: exactly one line on stderr, exit status 2, no panic or
// goroutine dump, and nothing created on the host (no cgroup, mount or link).
func TestBadInput(t *testing.T) {
	bin := faultBuild(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "no-such-dir")
	long := strings.Repeat("h", 100) // longer than HOST_NAME_MAX (64)

	cases := []struct {
		name string
		args []string
	}{
		// unknown subcommands and flags
		{"unknown subcommand", []string{"frobnicate"}},
		{"unknown top-level flag", []string{"--frobnicate"}},
		{"ps unknown flag", []string{"ps", "--bogus"}},
		{"ps json and text", []string{"ps", "--json", "--text"}},
		{"ps empty container filter", []string{"ps", "--container", " "}},
		{"inspect json and text", []string{"inspect", "1", "--json", "--text"}},
		{"run size below a byte", []string{"run", "--mem", "0.1", "--", "true"}},
		{"inspect unknown flag", []string{"inspect", "--bogus", "1"}},
		{"doctor unknown flag", []string{"doctor", "--bogus"}},
		{"run unknown flag", []string{"run", "--bogus", "--", "true"}},
		{"lab unknown flag", []string{"lab", "--bogus"}},
		{"learn unknown flag", []string{"learn", "--bogus"}},
		// bad PIDs
		{"pid abc", []string{"inspect", "abc", "--json"}},
		{"pid 0", []string{"inspect", "0", "--json"}},
		{"pid -1", []string{"inspect", "--json", "--", "-1"}},
		{"pid 1e3", []string{"inspect", "1e3", "--json"}},
		{"pid above PID_MAX_LIMIT", []string{"inspect", "99999999", "--json"}},
		{"compare abc", []string{"inspect", "1", "--compare", "abc", "--json"}},
		{"compare without value", []string{"inspect", "1", "--json", "--compare"}},
		{"inspect two pids", []string{"inspect", "1", "2", "--json"}},
		{"inspect json without pid", []string{"inspect", "--json"}},
		// bad sizes and numbers
		{"mem 12Q", []string{"run", "--mem", "12Q", "--", "true"}},
		{"mem -5", []string{"run", "--mem", "-5", "--", "true"}},
		{"mem empty unit", []string{"run", "--mem", "M", "--", "true"}},
		{"pids abc", []string{"run", "--pids", "abc", "--", "true"}},
		{"pids -3", []string{"run", "--pids", "-3", "--", "true"}},
		{"cpu lots", []string{"run", "--cpu", "lots", "--", "true"}},
		{"cpu -1", []string{"run", "--cpu", "-1", "--", "true"}},
		{"cpu NaN", []string{"run", "--cpu", "NaN", "--", "true"}},
		{"cpu Inf", []string{"run", "--cpu", "Inf", "--", "true"}},
		{"cpu above the host's CPUs", []string{"run", "--cpu", "100000", "--", "true"}},
		{"time-offset soon", []string{"run", "--ns", "time", "--time-offset", "soon", "--", "true"}},
		// unknown names
		{"unknown namespace", []string{"run", "--ns", "pid,bogus", "--", "true"}},
		{"unknown capability", []string{"run", "--drop-caps", "cap_frobnicate", "--", "true"}},
		{"unknown syscall", []string{"run", "--seccomp", "notasyscall", "--", "true"}},
		{"lab unknown namespace", []string{"lab", "--ns", "bogus"}},
		{"lab bad size", []string{"lab", "--mem", "12Q"}},
		// conflicting flags
		{"hostname without uts", []string{"run", "--hostname", "x", "--", "true"}},
		{"hostname too long", []string{"run", "--ns", "uts", "--hostname", long, "--", "true"}},
		{"hostname with an escape", []string{"run", "--ns", "uts", "--hostname", "x\x1b[5;41m", "--", "true"}},
		{"hostname with a newline", []string{"run", "--ns", "uts", "--hostname", "a\nb", "--", "true"}},
		{"lab hostname with an escape", []string{"lab", "--ns", "uts", "--hostname", "x\x1b]2;pwned\x07"}},
		{"map-root without user", []string{"run", "--map-root", "--", "true"}},
		{"veth without net", []string{"run", "--veth", "--", "true"}},
		{"rootfs without mnt", []string{"run", "--rootfs", dir, "--", "true"}},
		{"time-offset without time", []string{"run", "--time-offset", "1h", "--", "true"}},
		{"rootfs at a file", []string{"run", "--ns", "mnt", "--rootfs", file, "--", "true"}},
		{"rootfs missing dir", []string{"run", "--ns", "mnt", "--rootfs", missing, "--", "true"}},
		{"rootfs without pid", []string{"run", "--ns", "mnt", "--rootfs", dir, "--", "true"}},
		{"rootfs is the host's root", []string{"run", "--ns", "mnt", "--rootfs", "/", "--", "true"}},
		{"rootfs is the host's root with pid", []string{"run", "--ns", "mnt,pid", "--rootfs", "/", "--", "true"}},
		{"pids beyond the kernel", []string{"run", "--pids", "99999999999", "--", "true"}},
		{"time offset beyond the kernel", []string{"run", "--ns", "time", "--time-offset", "2562047h", "--", "true"}},
		// `--` and the command
		{"run without --", []string{"run", "true"}},
		{"run -- without command", []string{"run", "--"}},
		{"run nothing", []string{"run"}},
		{"run spec without --", []string{"run", "--mem", "64M"}},
		// extra arguments
		{"ps extra argument", []string{"ps", "extra"}},
		{"doctor extra argument", []string{"doctor", "extra"}},
		{"doctor clean with json", []string{"doctor", "--clean", "--json"}},
		{"version extra argument", []string{"version", "extra"}},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases; the suite promises at least 30", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := takeInventory(t)
			r := faultExec(t, 30*time.Second, bin, c.args...)
			if r.err != nil {
				t.Fatalf("procbox %s: %v (stderr %q)", strings.Join(c.args, " "), r.err, r.stderr)
			}
			if strings.Contains(r.stderr, "not built yet") {
				t.Skipf("procbox %s: %s", strings.Join(c.args, " "), strings.TrimSpace(r.stderr))
			}
			cmdline := "procbox " + strings.Join(c.args, " ")
			for _, bad := range []string{"panic", "goroutine ", "runtime error"} {
				if strings.Contains(r.stderr+r.stdout, bad) {
					t.Errorf("%s: output contains %q:\n%s%s", cmdline, bad, r.stdout, r.stderr)
				}
			}
			if lines := stderrLines(r.stderr); len(lines) != 1 {
				t.Errorf("%s: want exactly one line on stderr, got %d: %q", cmdline, len(lines), r.stderr)
			}
			if r.code != 2 {
				t.Errorf("%s: exit status %d, want 2 (usage error); stderr %q", cmdline, r.code, r.stderr)
			}
			if leaks := before.leaksSince(takeInventory(t), ownedBy(r.pid)); len(leaks) > 0 {
				t.Errorf("%s created things on the host: %v", cmdline, leaks)
			}
		})
	}
}

// TestPsContainerNoMatch: a filter that matches nothing prints the empty
// table and exits 1 with one line naming the filter, as grep and pgrep do,
// so a script can tell "no such container" from a listing.
func TestPsContainerNoMatch(t *testing.T) {
	bin := faultBuild(t)
	const text = "no-such-container-7f3a"
	for _, args := range [][]string{
		{"ps", "--container", text},
		{"ps", "--json", "--container", text},
	} {
		r := faultExec(t, 30*time.Second, bin, args...)
		if r.err != nil {
			t.Fatalf("procbox %s: %v", strings.Join(args, " "), r.err)
		}
		if r.code != 1 {
			t.Errorf("procbox %s: exit status %d, want 1; stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
		if lines := stderrLines(r.stderr); len(lines) != 1 || !strings.Contains(r.stderr, text) {
			t.Errorf("procbox %s: want one stderr line naming %q, got %q", strings.Join(args, " "), text, r.stderr)
		}
		if args[1] == "--json" && strings.TrimSpace(r.stdout) != "[]" {
			t.Errorf("procbox %s: stdout %q, want []", strings.Join(args, " "), r.stdout)
		}
	}
	// Without a filter the listing is never empty and the status stays 0.
	r := faultExec(t, 30*time.Second, bin, "ps", "--json")
	if r.code != 0 {
		t.Errorf("procbox ps --json: exit status %d, want 0", r.code)
	}
}
