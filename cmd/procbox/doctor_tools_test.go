package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"procbox/lessons"
)

// TestCourseToolsLine: a host without iptables and runc can run every typed
// step but those that type them, and the one line names each missing program
// with the steps it stops and the packages to install.
func TestCourseToolsLine(t *testing.T) {
	r := courseTools(func(name string) bool { return name != "iptables" && name != "runc" })
	if len(r.Missing) != 2 || r.Missing[0].Tool != "iptables" || r.Missing[1].Tool != "runc" {
		t.Fatalf("missing = %+v, want iptables and runc", r.Missing)
	}
	if !slices.Equal(r.Missing[0].Steps, []string{"deeper/nat"}) || r.Missing[0].Package != "iptables" {
		t.Errorf("iptables: %+v, want the NAT step, package iptables", r.Missing[0])
	}
	if !slices.Equal(r.Missing[1].Steps, []string{"runtimes/runc", "runtimes/defaults"}) {
		t.Errorf("runc stops %v, want both runtimes steps", r.Missing[1].Steps)
	}
	if r.CanRun != r.Steps-3 || r.Steps < 40 {
		t.Errorf("%d of %d can run; want all but the three steps", r.CanRun, r.Steps)
	}
	want := "✗ by-hand steps — " + strconv.Itoa(r.Steps-3) + " of " + strconv.Itoa(r.Steps) +
		" can run here; not in PATH: iptables (deeper/nat), runc (runtimes/runc, runtimes/defaults); Debian: apt install iptables runc"
	if got := r.line(); got != want {
		t.Errorf("line:\n got %s\nwant %s", got, want)
	}
	all := courseTools(func(string) bool { return true })
	if all.CanRun != all.Steps || len(all.Missing) != 0 || !strings.HasPrefix(all.line(), "✓ by-hand steps — all ") {
		t.Errorf("with every program here: %+v, %q", all, all.line())
	}
}

// TestDoctorByHandPath runs the binary, as root and as nobody, with a PATH
// of symlinks to every program the course types except iptables: the text
// and the JSON both say the NAT step cannot run here and why.
func TestDoctorByHandPath(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("iptables is not installed here, so there is none to take away")
	}
	bin := unprivBinary(t)
	dir, err := os.MkdirTemp("", "procbox-path-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	absent := map[string]bool{"iptables": true} // what the binary should find missing
	for _, l := range lessons.Catalog() {
		for _, s := range l.Steps {
			for _, tool := range s.Tools() {
				p, err := exec.LookPath(tool.Name)
				if err != nil {
					absent[tool.Name] = true
					continue
				}
				if tool.Name == "iptables" {
					continue
				}
				if err := os.Symlink(p, filepath.Join(dir, tool.Name)); err != nil && !os.IsExist(err) {
					t.Fatal(err)
				}
			}
		}
	}
	want := courseTools(func(name string) bool { return !absent[name] })
	for _, who := range []string{"root", "nobody"} {
		t.Run(who, func(t *testing.T) {
			text := runDoctorWithPath(t, bin, dir, who == "nobody")
			if !strings.Contains(text, "\n"+want.line()+"\n") || !strings.Contains(text, "iptables (deeper/nat)") {
				t.Errorf("the text does not end its For you section with\n%s\n%s", want.line(), text)
			}
			var got struct {
				UID    int          `json:"uid"`
				ByHand byHandReport `json:"by_hand"`
			}
			if err := json.Unmarshal([]byte(runDoctorWithPath(t, bin, dir, who == "nobody", "--json")), &got); err != nil {
				t.Fatal(err)
			}
			if (who == "nobody") != (got.UID == nobodyUID) {
				t.Errorf("ran as uid %d", got.UID)
			}
			i := slices.IndexFunc(got.ByHand.Missing, func(m missingTool) bool { return m.Tool == "iptables" })
			if i < 0 || !slices.Equal(got.ByHand.Missing[i].Steps, []string{"deeper/nat"}) || got.ByHand.Missing[i].Package != "iptables" {
				t.Fatalf("by_hand.missing lacks iptables for deeper/nat: %+v", got.ByHand)
			}
			if got.ByHand.Steps != want.Steps || got.ByHand.CanRun != want.CanRun || got.ByHand.CanRun >= got.ByHand.Steps {
				t.Errorf("by_hand = %d of %d, want %d of %d", got.ByHand.CanRun, got.ByHand.Steps, want.CanRun, want.Steps)
			}
		})
	}
}

// runDoctorWithPath runs bin doctor with PATH=dir only, as nobody if asked.
func runDoctorWithPath(t *testing.T, bin, dir string, nobody bool, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"doctor"}, args...)...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=" + dir, "HOME=/nonexistent", "LANG=C"}
	if nobody {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID, Groups: []uint32{}}}
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("doctor %v: %v", args, err)
	}
	return string(out)
}

// TestREADMEDoctorByHand: the README's doctor --json schema names every key
// of by_hand.
func TestREADMEDoctorByHand(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, schema, _ := strings.Cut(string(b), "### `procbox doctor --json`")
	schema, _, _ = strings.Cut(schema, "\n## ")
	for _, key := range []string{"`by_hand`", "steps", "can_run", "missing", "tool", "package"} {
		if !strings.Contains(schema, key) {
			t.Errorf("the README's doctor --json schema does not name %s", key)
		}
	}
}
