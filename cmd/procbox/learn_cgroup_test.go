package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"procbox/lessons"
)

// TestByHandCgroupPaths runs the by-hand lesson's cgroup lines, as typed, on
// a temp-dir cgroupfs of each layout: on a v1 or hybrid host the group goes
// under the pids hierarchy, on a v2 host into the one tree. Either way it is
// named after the learner's shell, its path is written down for the next
// step, and the next step's shell joins that same group. The real kernel
// runs them in TestByHandLesson on whichever layout this host has.
func TestByHandCgroupPaths(t *testing.T) {
	l, _ := lessons.Find("byhand")
	var cgroupStep, enterStep []string
	for _, s := range l.Steps {
		switch s.ID {
		case "cgroup":
			cgroupStep = s.DIY.Commands
		case "enter":
			enterStep = s.DIY.Commands[:1] // joining the group; the rest needs root
		}
	}
	if cgroupStep == nil || enterStep == nil {
		t.Fatal("the by-hand lesson lost its cgroup or enter step")
	}
	for _, shell := range []string{"sh", "bash"} {
		if _, err := exec.LookPath(shell); err != nil {
			t.Logf("no %s here", shell)
			continue
		}
		for _, layout := range []string{"v1", "v2"} {
			t.Run(shell+"/"+layout, func(t *testing.T) {
				dir := t.TempDir()
				root := filepath.Join(dir, "cgroup")
				tree := root // v2: one tree
				if layout == "v1" {
					tree = filepath.Join(root, "pids") // v1 and hybrid: a hierarchy per controller
				}
				if err := os.MkdirAll(tree, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Join(dir, "learner"), 0o755); err != nil {
					t.Fatal(err)
				}
				run := func(lines []string) string {
					script := strings.Join(lines, "\n")
					script = strings.ReplaceAll(script, "/sys/fs/cgroup", root)
					script = strings.ReplaceAll(script, "/tmp/learner", filepath.Join(dir, "learner"))
					out, _ := exec.Command(shell, "-c", script).CombinedOutput() // cat pids.current fails on a plain dir
					return string(out)
				}
				out := run(cgroupStep)
				groups, _ := filepath.Glob(filepath.Join(tree, "learner-*"))
				if len(groups) != 1 || !regexp.MustCompile(`/learner-[0-9]+$`).MatchString(groups[0]) {
					t.Fatalf("want one group learner-PID in %s, got %q; the shell printed:\n%s", tree, groups, out)
				}
				g := groups[0]
				if !strings.Contains(out, g+"\n") {
					t.Errorf("the group's path was not printed:\n%s", out)
				}
				if b, _ := os.ReadFile(filepath.Join(dir, "learner", "cgroup")); strings.TrimSpace(string(b)) != g {
					t.Errorf("the path written down for the next step is %q, want %q", b, g)
				}
				if b, _ := os.ReadFile(filepath.Join(g, "pids.max")); strings.TrimSpace(string(b)) != "32" {
					t.Errorf("pids.max holds %q, want 32", b)
				}
				name := strings.TrimPrefix(filepath.Base(g), "learner-")
				if b, _ := os.ReadFile(filepath.Join(g, "cgroup.procs")); strings.TrimSpace(string(b)) != name {
					t.Errorf("cgroup.procs holds %q, want the shell's PID %s", b, name)
				}
				out = run(enterStep)
				b, _ := os.ReadFile(filepath.Join(g, "cgroup.procs"))
				if pid := strings.TrimSpace(string(b)); !regexp.MustCompile(`^[0-9]+$`).MatchString(pid) || pid == name || !strings.Contains(out, pid+"\n") {
					t.Errorf("the next step's shell did not join the same group, printing its PID (cgroup.procs %q):\n%s", b, out)
				}
				if others, _ := filepath.Glob(filepath.Join(root, "*", "learner-*")); layout == "v2" && len(others) > 0 {
					t.Errorf("on v2 a group went below the root: %q", others)
				}
			})
		}
	}
}
