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

// cgroupDIY is what each do-it-yourself path that makes a cgroup must leave
// behind on each layout: the hierarchy it goes under on v1 (v2 has one
// tree), the limit file and the value written to it.
var cgroupDIY = map[string]struct{ v1Tree, v1File, v2File, value string }{
	"cgroups/memory": {"memory", "memory.limit_in_bytes", "memory.max", "64M"},
	"cgroups/pids":   {"pids", "pids.max", "pids.max", "16"},
	"cgroups/cpu":    {"cpu", "cpu.cfs_quota_us", "cpu.max", "20000"},
	"byhand/cgroup":  {"pids", "pids.max", "pids.max", "32"},
}

// TestCgroupDIYPaths runs the lines of every do-it-yourself path that makes
// a cgroup, as typed, on a temp-dir cgroupfs of each layout: on a v1 or
// hybrid host the group goes under the controller's hierarchy, on a v2 host
// into the one tree, with the right limit file. Either way it is named after
// the learner's shell, so two learners (or two test runs) never share one.
// The real kernel runs the same lines in TestDIYByHand and TestByHandLesson,
// on whichever layout this host has.
func TestCgroupDIYPaths(t *testing.T) {
	fixedName := regexp.MustCompile(`/sys/fs/cgroup/([a-z,_]+/)?learner([\s/;]|$)`)
	seen := map[string]bool{}
	for _, l := range lessons.Catalog() {
		for _, s := range l.Steps {
			if s.DIY == nil {
				continue
			}
			key := l.ID + "/" + s.ID
			all := strings.Join(s.DIY.Commands, "\n")
			if m := fixedName.FindString(all); m != "" {
				t.Errorf("%s: makes %s, a name every learner on the host shares; name it learner-$$", key, m)
			}
			want, ok := cgroupDIY[key]
			if !ok {
				continue
			}
			seen[key] = true
			var lines []string
			for _, c := range s.DIY.Commands {
				if c != "exit" && !strings.HasPrefix(c, "sh -c") && !strings.HasPrefix(c, "cat ") {
					lines = append(lines, c) // the limit's effect needs the real kernel
				}
			}
			for _, shell := range []string{"sh", "bash"} {
				for _, layout := range []string{"v1", "v2"} {
					t.Run(key+"/"+shell+"/"+layout, func(t *testing.T) {
						if _, err := exec.LookPath(shell); err != nil {
							t.Skipf("no %s here", shell)
						}
						dir := t.TempDir()
						root := filepath.Join(dir, "cgroup")
						tree, file := root, want.v2File
						if layout == "v1" {
							tree, file = filepath.Join(root, want.v1Tree), want.v1File
						}
						for _, d := range []string{tree, filepath.Join(dir, "learner")} {
							if err := os.MkdirAll(d, 0o755); err != nil {
								t.Fatal(err)
							}
						}
						g, out := runCgroupLines(t, shell, lines, dir, tree)
						if !strings.Contains(out, g+"\n") {
							t.Errorf("the group's path was not printed:\n%s", out)
						}
						if b, _ := os.ReadFile(filepath.Join(g, file)); strings.TrimSpace(string(b)) != want.value {
							t.Errorf("%s holds %q, want %s", file, b, want.value)
						}
						name := strings.TrimPrefix(filepath.Base(g), "learner-")
						if b, _ := os.ReadFile(filepath.Join(g, "cgroup.procs")); strings.TrimSpace(string(b)) != name {
							t.Errorf("cgroup.procs holds %q, want the shell's PID %s", b, name)
						}
					})
				}
			}
		}
	}
	for key := range cgroupDIY {
		if !seen[key] {
			t.Errorf("%s: no such do-it-yourself step any more; update cgroupDIY", key)
		}
	}
}

// runCgroupLines runs lines in shell with /sys/fs/cgroup and /tmp/learner
// moved into dir, and returns the one learner-PID group they made in tree
// and what they printed.
func runCgroupLines(t *testing.T, shell string, lines []string, dir, tree string) (group, out string) {
	t.Helper()
	script := strings.Join(lines, "\n")
	script = strings.ReplaceAll(script, "/sys/fs/cgroup", filepath.Join(dir, "cgroup"))
	script = strings.ReplaceAll(script, "/tmp/learner", filepath.Join(dir, "learner"))
	b, _ := exec.Command(shell, "-c", script).CombinedOutput()
	groups, _ := filepath.Glob(filepath.Join(tree, "learner-*"))
	if len(groups) != 1 || !regexp.MustCompile(`/learner-[0-9]+$`).MatchString(groups[0]) {
		t.Fatalf("want one group learner-PID in %s, got %q; the shell printed:\n%s", tree, groups, b)
	}
	if others, _ := filepath.Glob(filepath.Join(dir, "cgroup", "*", "*", "learner-*")); len(others) > 0 {
		t.Errorf("a group went deeper than the tree: %q", others)
	}
	return groups[0], string(b)
}

// TestByHandCgroupCarried: the by-hand lesson's enter step, in a new shell,
// joins the very group the cgroup step made (its path written down in
// /tmp/learner/cgroup) and prints the shell's PID as it does, on both layouts.
func TestByHandCgroupCarried(t *testing.T) {
	l, _ := lessons.Find("byhand")
	var cgroupStep, enterStep []string
	for _, s := range l.Steps {
		switch s.ID {
		case "cgroup":
			cgroupStep = s.DIY.Commands[:2] // pick the tree, make the group, write its path down
		case "enter":
			enterStep = s.DIY.Commands[:1] // join it; the rest needs root
		}
	}
	if cgroupStep == nil || enterStep == nil {
		t.Fatal("the by-hand lesson lost its cgroup or enter step")
	}
	for _, layout := range []string{"v1", "v2"} {
		t.Run(layout, func(t *testing.T) {
			dir := t.TempDir()
			tree := filepath.Join(dir, "cgroup")
			if layout == "v1" {
				tree = filepath.Join(tree, "pids")
			}
			for _, d := range []string{tree, filepath.Join(dir, "learner")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			g, _ := runCgroupLines(t, "sh", cgroupStep, dir, tree)
			if b, _ := os.ReadFile(filepath.Join(dir, "learner", "cgroup")); strings.TrimSpace(string(b)) != g {
				t.Errorf("the path written down for the next step is %q, want %q", b, g)
			}
			script := strings.ReplaceAll(enterStep[0], "/tmp/learner", filepath.Join(dir, "learner"))
			out, _ := exec.Command("sh", "-c", script).CombinedOutput()
			b, _ := os.ReadFile(filepath.Join(g, "cgroup.procs"))
			pid := strings.TrimSpace(string(b))
			if !regexp.MustCompile(`^[0-9]+$`).MatchString(pid) || "learner-"+pid == filepath.Base(g) || !strings.Contains(string(out), pid+"\n") {
				t.Errorf("the enter step's shell did not join the same group printing its PID (cgroup.procs %q):\n%s", b, out)
			}
		})
	}
}
