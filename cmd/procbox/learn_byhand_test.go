package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"procbox/lessons"
)

// byHand is what one "By hand" block of a step's text must do when a root
// shell runs it: check gets its combined output and returns what is wrong.
var byHand = map[string]func(out string, pid, ppid int) string{
	"process/pid": func(out string, pid, ppid int) string {
		return want(out, fmt.Sprintf(`(?m)^Pid:\s+%d$`, pid), fmt.Sprintf(`(?m)^PPid:\s+%d$`, ppid), `(?m)^\s*PID\s+PPID\s+COMMAND`)
	},
	"process/ids": func(out string, _, _ int) string {
		// Four columns: real, effective, saved set-user-ID, filesystem.
		return want(out, `(?m)^Uid:\s+0\s+0\s+0\s+0$`, `(?m)^Gid:\s+0\s+0\s+0\s+0$`)
	},
	"process/nice": func(out string, _, _ int) string { return want(out, `(?m)^25 5$`) },
	"process/memory": func(out string, _, _ int) string {
		lines := regexp.MustCompile(`(?m)^([0-9a-f]+)-[0-9a-f]+ .*\[stack\]$`).FindAllStringSubmatch(out, -1)
		if len(lines) != 2 {
			return fmt.Sprintf("want two [stack] lines, got %d", len(lines))
		}
		if lines[0][1] == lines[1][1] {
			return "ASLR did not move the stack between the two runs: " + lines[0][1]
		}
		return ""
	},
	"process/fds":       func(out string, _, _ int) string { return want(out, `(?m) 3 -> /etc/hostname$`) },
	"process/env":       func(out string, _, _ int) string { return want(out, `(?m)^PROCBOX_DEMO=1$`) },
	"process/registers": func(out string, _, _ int) string { return want(out, `(?m)^[0-9]+$`, `(?m)^State:\s+R \(running\)$`) },
	"limits/sees-all": func(out string, _, _ int) string {
		return want(out, `(?m)^[0-9]{2,}$`, `(?m)^PID 1 could be signalled$`)
	},
	"limits/shared": func(out string, _, _ int) string {
		return want(out, `(?m)^uts:\[[0-9]+\]$`, `(?m)^net:\[[0-9]+\]$`, `(?m)^mnt:\[[0-9]+\]$`)
	},
	"limits/fork":   func(out string, _, _ int) string { return want(out, `\A[0-9]+\n[0-9]+\n([0-9]+|unlimited)\n\z`) },
	"limits/memory": func(out string, _, _ int) string { return want(out, `\A[0-9]+\n-?[0-9]+\n\z`) },
	"limits/root":   func(out string, _, _ int) string { return want(out, `(?m)^1:1$`) },
	"cgroups/versions": func(out string, _, _ int) string {
		return want(out, `(?m)\A(tmpfs|cgroup2fs)$`, `(?m)^[0-9]+:[^:]*:/`, `(?m)^some avg10=[0-9.]+ avg60=`)
	},
	"security/caps": func(out string, _, _ int) string { return want(out, `^0x[0-9a-f]+=.*cap_chown`) },
	"security/seccomp": func(out string, _, _ int) string {
		return want(out, `(?m)^Seccomp:\s+0$`, `(?m)^Seccomp_filters:\s+0$`)
	},
	"security/lsm": func(out string, _, _ int) string {
		return want(out, `(?m)(Invalid argument|^[a-z_]+(:[a-z_]+)+|unconfined)`)
	},
	"container/all": func(out string, _, _ int) string {
		return want(out, `unshare`, `pids.max`)
	},
	"container/rootfs": func(out string, _, _ int) string {
		// Only what was copied is in /, the old root is gone, and the shell is PID 1.
		if !regexp.MustCompile(`(?s)/:\nbin\nlib\nlib64\nold\nproc\n\n/old:\n1\n`).MatchString(out) {
			return "the new root does not hold exactly bin lib lib64 old proc, /old empty, shell PID 1"
		}
		return ""
	},
	"container/encapsulation": func(out string, _, _ int) string {
		if strings.Contains(out, "HOME=") || strings.Contains(out, "TERM=") {
			return "the caller's environment leaked in"
		}
		return want(out, `(?m)^HOSTNAME=box$`, `(?m)^PATH=/usr/bin:/bin$`)
	},
	"container/isolation": func(out string, _, _ int) string {
		return want(out, `(?m)^PPID is 0$`, `(?m)^\s+1 \?\s+\S+ sh$`)
	},
	"runtimes/runc": func(out string, _, _ int) string {
		// Detached and running, and its parent is not runc: runc has exited.
		if regexp.MustCompile(`(?m)^parent of [0-9]+: runc$`).MatchString(out) {
			return "the detached container's parent is still runc"
		}
		return want(out, `(?m)^learner-oci-d[0-9]+\s+[0-9]+\s+running\s`, `(?m)^parent of [0-9]+: \S+`)
	},
	"container/portability": func(out string, _, _ int) string { return want(out, `\A\S+\n(x86_64|aarch64|\S+)\n\z`) },
	"container/efficiency":  func(out string, _, _ int) string { return want(out, `(?m)^real\s+[0-9]+m[0-9.]+s$`) },
}

// want returns what is missing: the patterns out does not match.
func want(out string, patterns ...string) string {
	var miss []string
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			miss = append(miss, p)
		}
	}
	if len(miss) == 0 {
		return ""
	}
	return "output does not match " + strings.Join(miss, ", ")
}

// TestByHandCommands runs, as root, every command a step's text offers as
// "By hand" and checks it does what the text says. A block with no check
// here fails the test: the text and its proof move together.
func TestByHandCommands(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	// container/all runs procbox itself.
	bin := buildProcbox(t)
	path := filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")
	sleep := exec.Command("sleep", "600")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleep.Process.Kill(); sleep.Wait() })
	pid := sleep.Process.Pid
	seen := map[string]bool{}
	for _, l := range lessons.Catalog() {
		for _, s := range l.Steps {
			body, err := s.Body()
			if err != nil {
				t.Fatal(err)
			}
			for _, script := range lessons.ByHandScripts(body) {
				key := l.ID + "/" + s.ID
				seen[key] = true
				t.Run(key, func(t *testing.T) {
					check, ok := byHand[key]
					if !ok {
						t.Fatalf("the text offers a By hand command with no check here:\n%s", script)
					}
					if key == "runtimes/runc" {
						requireRuncAndBusybox(t)
						// The block deletes its container (learner-oci-d + its
						// shell's PID); whatever a failed run left, its shell gone.
						t.Cleanup(func() { removeDeadLearnerContainers(t, "learner-oci-d", false) })
					}
					skipWithoutTools(t, script)
					if key == "cgroups/versions" {
						if _, err := os.Stat("/proc/pressure/cpu"); err != nil {
							t.Skip("this kernel has no pressure stall information (/proc/pressure)")
						}
					}
					if key == "process/memory" {
						if b, _ := os.ReadFile("/proc/sys/kernel/randomize_va_space"); strings.TrimSpace(string(b)) == "0" {
							t.Skip("ASLR is off on this host (kernel.randomize_va_space = 0)")
						}
					}
					script = strings.ReplaceAll(script, "<PID>", strconv.Itoa(pid))
					cmd := exec.Command("bash", "-c", script)
					cmd.Env = append(os.Environ(), "PATH="+path)
					cmd.Dir = t.TempDir()
					var out bytes.Buffer
					cmd.Stdout, cmd.Stderr = &out, &out
					err := cmd.Run()
					if err != nil && key != "security/lsm" {
						t.Errorf("exit: %v\n%s\n---\n%s", err, script, out.String())
					}
					if msg := check(out.String(), pid, os.Getpid()); msg != "" {
						t.Errorf("%s\nscript:\n%s\noutput:\n%s", msg, script, out.String())
					}
				})
			}
		}
	}
	for key := range byHand {
		if !seen[key] {
			t.Errorf("%s: a check for a By hand block the text no longer has", key)
		}
	}
}
