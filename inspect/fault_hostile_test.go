package inspect

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"procbox/internal/testtree"
)

// TestFaultHostileCgroupfs points Doctor and Snapshot at cgroup trees a real
// host may present — none at all, v2 only, v1 without the pids controller,
// files full of garbage, a root that is a file — with the live /proc. Each
// must give an answer with a reason, never a panic or a silent blank.
func TestFaultHostileCgroupfs(t *testing.T) {
	self := os.Getpid()
	cases := []struct {
		name      string
		files     map[string]string
		mode      string // the mode Doctor must report
		notCtrl   string // a controller Doctor must not list
		wantCtrls []string
	}{
		{name: "empty dir", files: map[string]string{}, mode: CgroupNone},
		{name: "v2 only", mode: CgroupV2, notCtrl: "pids", wantCtrls: []string{"memory", "cpu"}, files: map[string]string{
			"cgroup.controllers":     "cpu memory\n",
			"cgroup.subtree_control": "",
			"cgroup.procs":           "",
		}},
		{name: "v1 without pids", mode: CgroupV1, notCtrl: "pids", wantCtrls: []string{"memory"}, files: map[string]string{
			"memory/cgroup.procs":           "",
			"memory/memory.limit_in_bytes":  "9223372036854771712\n",
			"memory/memory.usage_in_bytes":  "1000\n",
			"cpu/cgroup.procs":              "",
			"cpu/cpu.cfs_quota_us":          "-1\n",
			"cpu/cpu.cfs_period_us":         "100000\n",
			"systemd/":                      "",
			"unrelated-dir/something":       "x",
			"memory/memory.oom_control":     "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
			"memory/memory.max_usage_in_by": "",
		}},
		{name: "v1 garbage values", mode: CgroupV1, files: map[string]string{
			"memory/cgroup.procs":          "",
			"memory/memory.limit_in_bytes": "lots\x00\xff",
			"memory/memory.usage_in_bytes": "-",
			"memory/memory.oom_control":    "oom_kill oom_kill oom_kill\n\n\n",
			"pids/cgroup.procs":            "",
			"pids/pids.max":                "maxx\n",
			"pids/pids.current":            "99999999999999999999999999\n",
			"cpu/cgroup.procs":             "",
			"cpu/cpu.cfs_quota_us":         "1e9\n",
			"cpu/cpu.cfs_period_us":        "0\n",
			"cpu/cpu.stat":                 "nr_throttled\nthrottled_time x y z\n",
		}},
		{name: "v1 limit files are directories", mode: CgroupV1, files: map[string]string{
			"memory/cgroup.procs":           "",
			"memory/memory.limit_in_bytes/": "",
			"pids/cgroup.procs":             "",
			"pids/pids.max/":                "",
		}},
		{name: "v2 garbage values", mode: CgroupV2, files: map[string]string{
			"cgroup.controllers": "memory pids cpu\n",
			"memory.max":         "\xff\xfe",
			"pids.max":           "-12\n",
			"cpu.max":            "a b c d\n",
			"cpu.stat":           "usage_usec\n",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := testtree.Temp(t, c.files)
			fs := DefaultFS()
			fs.Cgroup = root

			rep := fs.Doctor()
			if rep.CgroupMode != c.mode {
				t.Errorf("Doctor: cgroup mode %q, want %q (note %q)", rep.CgroupMode, c.mode, rep.CgroupNote)
			}
			if rep.CgroupNote == "" {
				t.Errorf("Doctor: no cgroup note to explain mode %q", rep.CgroupMode)
			}
			if c.notCtrl != "" && slices.Contains(rep.Controllers, c.notCtrl) {
				t.Errorf("Doctor lists controller %s that the tree lacks: %v", c.notCtrl, rep.Controllers)
			}
			for _, w := range c.wantCtrls {
				if !slices.Contains(rep.Controllers, w) {
					t.Errorf("Doctor misses controller %s: %v", w, rep.Controllers)
				}
			}

			s, err := fs.Snapshot(self, Options{})
			if err != nil {
				t.Fatalf("Snapshot(self) with a hostile cgroupfs: %v", err)
			}
			if s.PID != self || s.Comm == "" {
				t.Errorf("Snapshot(self): pid %d comm %q; the rest must not suffer from the cgroupfs", s.PID, s.Comm)
			}
			if why, bad := s.Errors["limits"]; bad && strings.TrimSpace(why) == "" {
				t.Errorf("Snapshot: limits failed with an empty reason")
			}
			// Garbage must never come back as a plausible limit without a reason.
			if strings.Contains(c.name, "garbage") && s.Errors["limits"] == "" {
				t.Errorf("Snapshot read garbage limits without a word: %+v", s.Limits)
			}
		})
	}

	t.Run("root is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "cgroup")
		if err := os.WriteFile(file, []byte("not a directory"), 0o644); err != nil {
			t.Fatal(err)
		}
		fs := DefaultFS()
		fs.Cgroup = file
		if rep := fs.Doctor(); rep.CgroupMode != CgroupNone || rep.CgroupNote == "" {
			t.Errorf("Doctor with a file as cgroup root: mode %q note %q", rep.CgroupMode, rep.CgroupNote)
		}
		s, err := fs.Snapshot(self, Options{})
		if err != nil {
			t.Fatalf("Snapshot: %v", err)
		}
		if s.Errors["limits"] == "" {
			t.Errorf("Snapshot with no cgroupfs: limits %+v and no reason", s.Limits)
		}
	})

	t.Run("missing root", func(t *testing.T) {
		fs := DefaultFS()
		fs.Cgroup = filepath.Join(t.TempDir(), "does-not-exist")
		if rep := fs.Doctor(); rep.CgroupMode != CgroupNone || rep.CgroupNote == "" {
			t.Errorf("Doctor with no cgroup root: mode %q note %q", rep.CgroupMode, rep.CgroupNote)
		}
		if _, err := fs.Table(); err != nil {
			t.Errorf("Table does not need cgroupfs, yet: %v", err)
		}
	})
}

// TestFaultHostileProc points FS at a /proc that is not one: empty, missing,
// and a tree whose PID directories hold garbage. Table and Snapshot must
// fail with a reason or skip the broken entries, never panic.
func TestFaultHostileProc(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		fs := DefaultFS()
		fs.Proc = filepath.Join(t.TempDir(), "no-proc")
		if _, err := fs.Table(); err == nil {
			t.Errorf("Table over a missing /proc: no error")
		}
		if _, err := fs.Snapshot(1, Options{}); err == nil {
			t.Errorf("Snapshot over a missing /proc: no error")
		}
		fs.Doctor() // must not panic
	})
	t.Run("garbage pids", func(t *testing.T) {
		root := testtree.Temp(t, map[string]string{
			"7/stat":        "7 (ok) S 1 7 7 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
			"7/status":      "Name:\tok\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n",
			"8/stat":        "garbage",
			"9/stat":        "",
			"10/":           "",
			"11/stat":       "11 (a) b) Z 1 2 3",
			"12/stat":       "12 (x)",
			"13/status":     "\x00\x00",
			"notapid/stat":  "1 (x) S 0",
			"stat":          "btime 1700000000\n",
			"self":          "",
			"sys/kernel/":   "",
			"99999999/stat": "99999999 (big) R 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1",
		})
		fs := DefaultFS()
		fs.Proc = root
		rows, err := fs.Table()
		if err != nil {
			t.Fatalf("Table over a /proc with broken entries: %v (broken entries are to be skipped)", err)
		}
		found := false
		for _, r := range rows {
			found = found || r.PID == 7
			if r.PID == 8 || r.PID == 9 || r.PID == 10 {
				t.Errorf("Table made a row of broken entry %d: %+v", r.PID, r)
			}
		}
		if !found {
			t.Errorf("Table lost the one good entry among broken ones: %+v", rows)
		}
		for _, pid := range []int{7, 8, 9, 10, 11, 12, 13, 99999999} {
			s, err := fs.Snapshot(pid, Options{})
			if err == nil && len(s.Errors) == 0 && pid != 7 {
				t.Errorf("Snapshot(%d) of a broken entry: no error and no section errors", pid)
			}
		}
		fs.Doctor()
	})
}
