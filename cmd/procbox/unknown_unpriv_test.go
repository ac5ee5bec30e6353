package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/inspect"
)

// TestUnreadableIsolationIsUnknownNotHost runs procbox as nobody against a
// root process in its own net, uts, ipc and mount namespaces (`unshare
// --pid --net --uts --ipc --mount sleep`). Nobody may not read its namespace
// links, so every answer must be "unknown (why)": the verdict, the text
// header, ps --json's container, and --compare (rows listed as unknown,
// never dropped as equal). Never "plain host process".
func TestUnreadableIsolationIsUnknownNotHost(t *testing.T) {
	bin := unprivBinary(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare (util-linux) is not installed")
	}
	iso := exec.Command("unshare", "--pid", "--net", "--uts", "--ipc", "--mount", "sleep", "60")
	if err := iso.Start(); err != nil {
		t.Skipf("unshare cannot make namespaces here: %v", err)
	}
	t.Cleanup(func() { iso.Process.Kill(); iso.Wait() })
	pid := strconv.Itoa(iso.Process.Pid)
	// Wait until unshare has exec'd sleep in its namespaces.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if exe, _ := os.Readlink("/proc/" + pid + "/exe"); strings.Contains(exe, "sleep") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unshare did not exec sleep within 10s")
		}
	}

	r := asNobody(t, bin, "inspect", pid, "--json")
	var s inspect.Snapshot
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &s) != nil {
		t.Fatalf("as nobody, inspect %s --json: status %d %v: %s", pid, r.code, r.err, r.stderr)
	}
	if s.Container.Isolation != inspect.IsolationUnknown || s.Container.Why == "" {
		t.Errorf("as nobody, verdict of an isolated root process: %+v; want unknown with why", s.Container)
	}

	r = asNobody(t, bin, "inspect", pid)
	if r.code != 0 || strings.Contains(r.stdout, "every namespace is the host's") || strings.Contains(r.stdout, "plain host") ||
		!strings.Contains(r.stdout, "isolated namespaces: unknown (") {
		t.Errorf("as nobody, inspect %s (text): status %d; want the verdict unknown, never host:\n%s", pid, r.code, r.stdout)
	}

	r = asNobody(t, bin, "ps", "--json")
	var rows []inspect.ProcRow
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil {
		t.Fatalf("as nobody, ps --json: status %d: %s", r.code, r.stderr)
	}
	seen := false
	for _, row := range rows {
		if row.PID == iso.Process.Pid {
			seen = true
			if row.Container != "unknown" {
				t.Errorf("as nobody, ps --json: container %q for the isolated root process; want \"unknown\"", row.Container)
			}
		}
	}
	if !seen {
		t.Errorf("as nobody, ps --json does not list pid %s", pid)
	}
	r = asNobody(t, bin, "ps", "--container", "unknown")
	if r.code != 0 || !strings.Contains(r.stdout, "\n"+pid+" ") {
		t.Errorf("as nobody, ps --container unknown does not list %s: status %d\n%s", pid, r.code, r.stdout)
	}

	// Compared with a plain root process: the namespace rows must be there,
	// marked unknown, though nobody can read neither side's links.
	plain := exec.Command("sleep", "60")
	if err := plain.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Process.Kill(); plain.Wait() })
	r = asNobody(t, bin, "inspect", pid, "--compare", strconv.Itoa(plain.Process.Pid), "--json")
	var cmp struct {
		Differences []inspect.Difference `json:"differences"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &cmp) != nil {
		t.Fatalf("as nobody, inspect --compare --json: status %d: %s", r.code, r.stderr)
	}
	got := map[string]inspect.Difference{}
	for _, d := range cmp.Differences {
		got[d.Field] = d
	}
	for _, f := range []string{"namespaces.net", "namespaces.uts", "namespaces.ipc", "namespaces.mnt"} {
		if d, ok := got[f]; !ok || !d.Unknown || !strings.HasPrefix(d.A, "unknown (") {
			t.Errorf("as nobody, --compare: %s = %+v (listed %v); want an unknown row", f, d, ok)
		}
	}
}
