package isolate

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"procbox/internal/testtree"
)

// treeListing lists every path under root, to prove a refusal created nothing.
func treeListing(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			out = append(out, strings.TrimPrefix(p, root))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TestFaultHostileCgroupTrees drives the cgroup code over trees a host may
// present: no cgroups at all, v2 without the pids controller, v1 without the
// pids controller, and control files holding garbage. A limit that cannot be
// set is refused in one line that names what is missing, before anything is
// created; garbage is reported, never a panic.
func TestFaultHostileCgroupTrees(t *testing.T) {
	refusals := []struct {
		name  string
		files map[string]string
		mode  string
		spec  Spec
		want  string // the refusal must mention this
	}{
		{"no cgroups", map[string]string{}, CgroupNone, Spec{MemoryMax: 64 << 20}, "cgroup"},
		{"v2 without pids", map[string]string{
			"cgroup.controllers":     "cpu memory\n",
			"cgroup.subtree_control": "cpu memory\n",
			"cgroup.procs":           "",
		}, CgroupV2, Spec{PidsMax: 16}, "pids"},
		{"v1 without pids", map[string]string{
			"memory/cgroup.procs": "",
			"cpu/cgroup.procs":    "",
		}, CgroupV1, Spec{PidsMax: 16, MemoryMax: 64 << 20}, "pids"},
		{"v1 without memory", map[string]string{
			"pids/cgroup.procs": "",
		}, CgroupV1, Spec{MemoryMax: 64 << 20}, "memory"},
		{"hybrid, limits asked of the empty unified half", map[string]string{
			"unified/cgroup.controllers": "",
			"unified/cgroup.procs":       "",
			"pids/cgroup.procs":          "",
		}, CgroupHybrid, Spec{CPUMax: 0.5}, "cpu"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			root := testtree.Temp(t, c.files)
			l, err := DetectCgroups(root)
			if err != nil {
				t.Fatalf("DetectCgroups: %v", err)
			}
			if l.Mode != c.mode {
				t.Errorf("DetectCgroups: mode %q, want %q", l.Mode, c.mode)
			}
			before := treeListing(t, root)
			cg, _, err := NewCgroup(l, c.spec)
			if err == nil {
				cg.Remove()
				t.Fatalf("NewCgroup(%+v) on a tree without the controller: no error", c.spec)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, c.want) {
				t.Errorf("NewCgroup refusal %q: want one line naming %q", msg, c.want)
			}
			if after := treeListing(t, root); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("a refused NewCgroup changed the tree:\nbefore %v\nafter  %v", before, after)
			}
			if err := l.Supports(c.spec); err == nil {
				t.Errorf("Supports(%+v) says yes where NewCgroup says %q", c.spec, msg)
			}
		})
	}

	t.Run("garbage in the control files", func(t *testing.T) {
		root := testtree.Temp(t, map[string]string{
			"memory/cgroup.procs": "",
			"pids/cgroup.procs":   "",
			"cpu/cgroup.procs":    "",
		})
		l, err := DetectCgroups(root)
		if err != nil {
			t.Fatal(err)
		}
		cg, _, err := NewCgroup(l, Spec{MemoryMax: 64 << 20, PidsMax: 16, CPUMax: 0.5})
		if err != nil {
			t.Fatalf("NewCgroup on a v1 fixture: %v", err)
		}
		defer cg.Remove()
		garbage := map[string]string{
			"memory.usage_in_bytes":     "\xff\xfe\x00",
			"memory.max_usage_in_bytes": "-",
			"memory.oom_control":        "oom_kill\noom_kill x y\n\n",
			"memory.failcnt":            "99999999999999999999999",
			"pids.current":              "lots",
			"pids.events":               "max",
			"cpu.stat":                  "nr_throttled\nthrottled_time -1 -2\n",
			"cpuacct.usage":             "NaN",
			"cgroup.procs":              "1\nnot-a-pid\n-5\n\n",
		}
		for _, dir := range cg.Dirs() {
			for f, v := range garbage {
				os.WriteFile(filepath.Join(dir, f), []byte(v), 0o644)
			}
		}
		st, err := cg.Stats() // a reason or zeros: either way no panic
		t.Logf("Stats over garbage: %+v, %v", st, err)
		ev, err := cg.Events()
		t.Logf("Events over garbage: %+v, %v", ev, err)
		if st.PidsCurrent < 0 || st.MemoryCurrent < 0 {
			t.Errorf("garbage came back as a negative usage: %+v", st)
		}
	})
}
