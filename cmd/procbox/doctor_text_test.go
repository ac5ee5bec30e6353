package main

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"procbox/inspect"
)

// doctor says what works for this user, not only what the kernel has; facts
// (no LSM, no hidepid) are not failures.
func TestDoctorTextForAUser(t *testing.T) {
	r := inspect.HostReport{Root: false, UID: 1001, Kernel: "6.1", CgroupMode: "v2", LSM: "none",
		Controllers:  []string{"cpu", "memory", "pids"},
		UserNSUnpriv: inspect.Feature{Name: "user namespaces for unprivileged users", Why: "kernel.unprivileged_userns_clone is 0"},
		Seccomp:      inspect.Feature{Name: "seccomp", Available: true},
		HidePID:      inspect.Feature{Name: "hidepid", Why: "/proc shows every process to every user (no hidepid option)"},
	}
	for _, ns := range []string{"pid", "net", "mnt", "uts", "ipc", "user", "cgroup", "time"} {
		r.Namespaces = append(r.Namespaces, inspect.Feature{Name: ns, Available: true})
	}
	var b strings.Builder
	doctorText(&b, r)
	out := b.String()
	for _, want := range []string{"For you (uid 1001)", "✗ lab pid — needs root", "✗ lab memory — the memory controller is not delegated to uid 1001", "✗ lab veth", "✗ learn", "· lsm none", "· hidepid"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "✗ lsm") || strings.Contains(out, "✗ hidepid") {
		t.Errorf("a fact is marked as a failure:\n%s", out)
	}
}

// Long lines wrap at word boundaries, never inside a word, the rest indented.
func TestDoctorWrapsAtWords(t *testing.T) {
	long := "✓ cgroup mode hybrid — hybrid: v1 controllers under /sys/fs/cgroup and a v2 tree at /sys/fs/cgroup/unified holding no controllers; limits live on v1"
	got := wrapWords(long+"\nshort", 60)
	lines := strings.Split(got, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "short" {
		t.Fatalf("not wrapped:\n%s", got)
	}
	words := strings.Fields(long)
	if strings.Join(strings.Fields(got), " ") != strings.Join(words, " ")+" short" {
		t.Fatalf("a word was cut or lost:\n%s", got)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 60 {
			t.Errorf("line wider than 60: %q", l)
		}
	}
	if wrapWords(long, 0) != long {
		t.Error("width 0 (not a terminal) must not wrap")
	}
}

// A user with no delegated controller is told why, in the terms of the host's
// cgroup mode, never "delegated to you — -".
func TestDoctorTextNothingDelegated(t *testing.T) {
	for _, c := range []struct{ mode, want string }{
		{"hybrid", "may write no cgroup of its own under /sys/fs/cgroup"},
		{"v1", "may write no cgroup of its own under /sys/fs/cgroup"},
		{"v2", "does not own its cgroup"},
		{"none", "no cgroup filesystem is mounted"},
	} {
		r := inspect.HostReport{UID: 65534, CgroupMode: c.mode, Delegated: []string{}}
		var b strings.Builder
		doctorText(&b, r)
		var line string
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.Contains(l, "delegated to you") {
				line = l
			}
		}
		if !strings.HasPrefix(line, "✗ delegated to you — none: ") || !strings.Contains(line, c.want) {
			t.Errorf("%s: delegated line %q, want ✗ … none: …%s…", c.mode, line, c.want)
		}
	}
	r := inspect.HostReport{Root: true, CgroupMode: "hybrid", Delegated: []string{"memory", "pids"}}
	var b strings.Builder
	doctorText(&b, r)
	if !strings.Contains(b.String(), "✓ delegated to you — memory pids\n") {
		t.Errorf("root's delegated controllers not listed:\n%s", b.String())
	}
}
