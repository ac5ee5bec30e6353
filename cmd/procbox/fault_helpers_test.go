package main

// Helpers shared by the fault, bad-input and soak tests of the built binary:
// building procbox once per test, running it with a deadline, and taking the
// host's inventory of what procbox may leave behind (cgroups, mounts, links,
// processes) so a test can prove it left nothing.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/internal/leakcheck"
)

// faultBuild builds procbox (static, as released) into a temp dir of t and
// returns its path. Go's build cache makes the second build of a run cheap.
func faultBuild(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "procbox")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// faultRun is one finished run of the binary.
type faultRun struct {
	pid    int
	code   int
	stdout string
	stderr string
	err    error // only for failures to start or the deadline
}

// faultExec runs bin with args, no stdin and no terminal, within timeout.
func faultExec(t testing.TB, timeout time.Duration, bin string, args ...string) faultRun {
	t.Helper()
	return faultExecEnv(t, timeout, nil, bin, args...)
}

// faultExecEnv is faultExec with env added to procbox's environment.
func faultExecEnv(t testing.TB, timeout time.Duration, env []string, bin string, args ...string) faultRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	r := faultRun{code: -1}
	if err := cmd.Start(); err != nil {
		r.err = err
		return r
	}
	r.pid = cmd.Process.Pid
	werr := cmd.Wait()
	r.stdout, r.stderr = out.String(), errb.String()
	if ctx.Err() != nil {
		r.err = ctx.Err()
	} else if werr != nil {
		if ee, ok := werr.(*exec.ExitError); !ok {
			r.err = werr
		} else {
			r.code = ee.ExitCode()
		}
	}
	if r.err == nil && werr == nil {
		r.code = 0
	}
	return r
}

// stderrLines returns the non-empty lines of s.
func stderrLines(s string) []string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// hostInventory is what procbox could leave on the host.
type hostInventory struct {
	cgroups []string        // every procbox* directory in the cgroup hierarchies
	mounts  map[string]bool // /proc/self/mountinfo lines without their mount ids
	links   []string        // network links named pbx* or procbox*
	scratch []string        // the experiments' scratch entries in the temp dir
}

// takeInventory reads the host's current procbox-related state.
func takeInventory(t testing.TB) hostInventory {
	t.Helper()
	return hostInventory{cgroups: procboxCgroups(), mounts: leakcheck.Mounts(t),
		links: leakcheck.Links("pbx", "procbox"), scratch: experimentScratch()}
}

// experimentScratch lists the temp-dir entries the Lab's experiments make and
// must remove again (isolate/experiments_linux.go): a mount point made there
// for a mount inside the child would outlive the child on the host.
func experimentScratch() []string {
	var found []string
	for _, pat := range []string{"procbox-mnt-*", "procbox-mkdir-*", "procbox-demo-*"} {
		m, _ := filepath.Glob(filepath.Join(os.TempDir(), pat))
		found = append(found, m...)
	}
	sort.Strings(found)
	return found
}

// procboxCgroups lists every directory named procbox* in the cgroup
// hierarchies, at any depth: procbox makes its cgroups below the caller's
// own cgroup in each hierarchy (a session's, a CI job's). It does not look
// inside a procbox cgroup (what a child made there goes with it).
func procboxCgroups() []string {
	// Ten levels below /sys/fs/cgroup are deep enough for any caller.
	return leakcheck.Cgroups("/sys/fs/cgroup", 10, func(name string) bool { return strings.HasPrefix(name, "procbox") })
}

// leaksSince lists what is in now but not in before, as readable lines.
// Only entries that match owned() count, so other test packages running at
// the same time (go test ./... runs packages in parallel) are not blamed.
func (before hostInventory) leaksSince(now hostInventory, owned func(string) bool) []string {
	var leaks []string
	had := map[string]bool{}
	for _, c := range before.cgroups {
		had[c] = true
	}
	for _, c := range now.cgroups {
		if !had[c] && owned(c) {
			leaks = append(leaks, "cgroup "+c)
		}
	}
	for m := range now.mounts {
		if !before.mounts[m] {
			leaks = append(leaks, "mount "+m)
		}
	}
	had = map[string]bool{}
	for _, l := range before.links {
		had[l] = true
	}
	for _, l := range now.links {
		if !had[l] && owned(l) {
			leaks = append(leaks, "link "+l)
		}
	}
	had = map[string]bool{}
	for _, p := range before.scratch {
		had[p] = true
	}
	for _, p := range now.scratch {
		if !had[p] {
			leaks = append(leaks, "temp "+p)
		}
	}
	sort.Strings(leaks)
	return leaks
}

// ownedBy reports whether a cgroup or link name was made on behalf of one of
// pids: cgroups are procbox-<owner>-<seq>, links pbx<childpid>h / pbx<childpid>c.
func ownedBy(pids ...int) func(string) bool {
	return func(path string) bool {
		name := filepath.Base(path)
		for _, p := range pids {
			s := strconv.Itoa(p)
			if strings.HasPrefix(name, "procbox-"+s+"-") || name == "pbx"+s+"h" || name == "pbx"+s+"c" {
				return true
			}
		}
		return false
	}
}

// anyProcbox owns every procbox name: for tests that run alone.
func anyProcbox(string) bool { return true }

// requireRoot skips tests that need root, saying so.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (CI runs as root): creates cgroups and namespaces")
	}
}
