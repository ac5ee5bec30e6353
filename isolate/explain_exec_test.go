//go:build linux

package isolate

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestExplainLinesRunAsPrinted executes, as root, every line `procbox run
// --explain` prints for several specs, and each must succeed: the lines are
// a lesson people type, so a line that fails as printed (the old
// `printf … > /proc/self/timens_offsets`) teaches something false.
//
// The lines run one after another in one shell, inside a throwaway sandbox
// (new mount, uts, ipc, net and pid namespaces) so that `hostname`, `mount`
// and `ip link` change nothing on the host; cgroupfs is the host's, so the
// cgroups the lines create are real and removed afterwards. Placeholders the
// output documents are filled in: CMD (the command) with `true`, CHILD_PID
// with the sandbox shell (pid 1 inside it). Specs with --veth or --rootfs are
// left out: their lines name a host device pair and a directory to prepare.
func TestExplainLinesRunAsPrinted(t *testing.T) {
	if testing.Short() {
		t.Skip("creates namespaces and cgroups")
	}
	if os.Geteuid() != 0 {
		t.Skip("the explained commands need root")
	}
	for _, tool := range []string{"unshare", "setsid", "mount", "ip", "hostname", "capsh", "setpriv", "tee"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the printed lines use it", tool)
		}
	}
	timeNS := exec.Command("unshare", "--time", "--monotonic", "1", "true").Run() == nil

	specs := []struct {
		name string
		spec Spec
		skip string
	}{
		{"time offset", Spec{Namespaces: []string{NSTime}, TimeOffset: time.Hour}, map[bool]string{false: "unshare --time does not work on this host"}[timeNS]},
		{"pid mnt uts net ipc", Spec{Namespaces: []string{NSPID, NSMnt, NSUTS, NSNet, NSIPC}, Hostname: "explained"}, ""},
		{"pid without mnt", Spec{Namespaces: []string{NSPID}}, ""},
		{"all with time and limits", Spec{Namespaces: []string{NSPID, NSMnt, NSUTS, NSNet, NSIPC, NSTime}, Hostname: "box",
			TimeOffset: 90 * time.Minute, MemoryMax: 64 << 20, PidsMax: 32, CPUMax: 0.5},
			map[bool]string{false: "unshare --time does not work on this host"}[timeNS]},
		{"caps", Spec{Namespaces: []string{NSMnt}, DropCaps: []string{"cap_net_raw", "cap_chown"}}, ""},
	}
	for _, tc := range specs {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			if err := tc.spec.Validate(); err != nil {
				t.Fatalf("spec: %v", err)
			}
			devnull, err := os.Open(os.DevNull)
			if err != nil {
				t.Fatal(err)
			}
			defer devnull.Close()
			steps := ExplainRun(tc.spec, devnull, devnull, devnull)
			var script strings.Builder
			script.WriteString("set -e\n")
			var made []string
			mkdir := regexp.MustCompile(`^mkdir (/sys/fs/cgroup/\S+)$`)
			for _, st := range steps {
				line := st.Command
				if m := mkdir.FindStringSubmatch(line); m != nil {
					made = append(made, m[1])
				}
				line = strings.ReplaceAll(line, "CHILD_PID", "$$")
				line = regexp.MustCompile(`\bCMD\b`).ReplaceAllString(line, "true")
				// Each line on its own: set -e does not stop at the first
				// command of "a && b", a group's status does.
				if strings.HasPrefix(line, "#") {
					fmt.Fprintf(&script, "%s\n", line) // a comment, as printed
					continue
				}
				fmt.Fprintf(&script, "echo %q >&2\n{ %s\n} || { echo 'FAILED AS PRINTED' >&2; exit 1; }\n", "+ "+st.Command, line)
			}
			if tc.spec.Has(NSMnt) {
				// The effect the text claims: every cgroup hierarchy below
				// /sys is read-only now, not only /sys itself.
				script.WriteString("for h in /sys/fs/cgroup/*/; do if mkdir \"$h\"pbx-explain-probe 2>/dev/null; then " +
					"rmdir \"$h\"pbx-explain-probe; echo \"WRITABLE AFTER THE LINES: $h\" >&2; exit 1; fi; done\n")
			}
			t.Cleanup(func() {
				for i := len(made) - 1; i >= 0; i-- {
					if err := os.Remove(made[i]); err != nil && !os.IsNotExist(err) {
						t.Errorf("leak: %s: %v", made[i], err)
					}
				}
			})
			// A bare `unshare --net` starts $SHELL: /bin/true makes it return.
			cmd := exec.Command("unshare", "--mount", "--uts", "--ipc", "--net", "--pid", "--fork", "--mount-proc", "sh", "-c", script.String())
			cmd.Env = append(os.Environ(), "SHELL=/bin/true")
			cmd.Stdin = devnull
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Errorf("a printed line failed (%v); the run, each line after +:\n%s", err, out.String())
			}
			for _, dir := range made {
				if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err != nil {
					t.Errorf("%s was printed but not created: %v", dir, err)
				}
			}
		})
	}
}
