//go:build linux

package isolate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"procbox/internal/leakcheck"

	"golang.org/x/sys/unix"
)

// Integration tests: real namespaces, cgroups, caps and filters, as root.
// Each asserts the effect inside the child and that nothing leaked.

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: namespaces, cgroups and mounts are created for real")
	}
}

// needNS skips when the kernel lacks a namespace kind.
func needNS(t *testing.T, kinds ...string) {
	t.Helper()
	for _, k := range kinds {
		if _, err := os.Stat("/proc/self/ns/" + k); err != nil {
			t.Skipf("this kernel has no %s namespace (%v)", k, err)
		}
	}
}

// needCgroup skips when the controller cannot be limited here.
func needCgroup(t *testing.T, ctrl string) {
	t.Helper()
	l, err := DetectCgroups(cgroupRoot)
	if err != nil || l.Mode == CgroupNone {
		t.Skipf("no cgroup filesystem: %v", err)
	}
	if l.limitsOn() == CgroupV1 {
		if _, ok := l.V1[ctrl]; !ok {
			t.Skipf("cgroup v1 controller %s is not mounted", ctrl)
		}
	}
}

// hostState is what a child could leak onto the host.
type hostState struct {
	cgroups  []string
	mounts   map[string]bool // mountinfo lines without the mount ID fields
	links    []string
	children []int
}

func snapshotHost(t *testing.T) hostState {
	t.Helper()
	prefix := fmt.Sprintf("procbox-%d-", os.Getpid())
	return hostState{
		cgroups:  leakcheck.Cgroups(cgroupRoot, 4, func(name string) bool { return strings.HasPrefix(name, prefix) }),
		mounts:   leakcheck.Mounts(t),
		links:    leakcheck.Links("pbx"),
		children: leakcheck.Children(os.Getpid(), false),
	}
}

// checkNoLeaks compares the host after the test with before it.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	before := snapshotHost(t)
	t.Cleanup(func() {
		after := snapshotHost(t)
		if len(after.cgroups) > len(before.cgroups) {
			t.Errorf("leaked cgroups: %v", after.cgroups)
		}
		for m := range after.mounts {
			if !before.mounts[m] {
				t.Errorf("new mount on the host: %s", m)
			}
		}
		// A pbx link of a live child belongs to a run elsewhere on this host
		// (other test packages run at the same time); ours are all dead.
		for _, name := range after.links {
			if slices.Contains(before.links, name) {
				continue
			}
			if pid, ok := parseVethName(name); ok && unix.Kill(pid, 0) == nil {
				continue
			}
			t.Errorf("leaked link: %s", name)
		}
		if len(after.children) > len(before.children) {
			var desc []string
			for _, p := range after.children {
				cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
				desc = append(desc, fmt.Sprintf("%d %q", p, strings.ReplaceAll(string(cmdline), "\x00", " ")))
			}
			t.Errorf("leaked child processes: %v", desc)
		}
	})
}

// run runs a shell script isolated and returns its stdout.
func run(t *testing.T, spec Spec, script string) (string, Result) {
	t.Helper()
	return runArgv(t, spec, "sh", "-c", script)
}

func runArgv(t *testing.T, spec Spec, argv ...string) (string, Result) {
	t.Helper()
	var out, errb bytes.Buffer
	res, err := Run(spec, argv, nil, &out, &errb)
	if err != nil {
		t.Fatalf("Run: %v (stderr %q)", err, errb.String())
	}
	if errb.Len() > 0 {
		t.Logf("stderr: %s", errb.String())
	}
	return out.String(), res
}

func TestRunExitStatus(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	_, res := run(t, Spec{}, "exit 7")
	if res.ExitCode != 7 {
		t.Errorf("exit code %d, want 7", res.ExitCode)
	}
	_, res = run(t, Spec{}, "kill -TERM $$")
	if res.ExitCode != 128+int(unix.SIGTERM) || res.Signal == "" {
		t.Errorf("killed by SIGTERM: code %d signal %q", res.ExitCode, res.Signal)
	}
}

func TestRunSetupErrorComesBack(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	var out bytes.Buffer
	_, err := Run(Spec{}, []string{"/nonexistent/procbox-cmd"}, nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("want a clear exec error, got %v", err)
	}
}

func TestRunPIDNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSPID, NSMnt)
	checkNoLeaks(t)
	out, _ := run(t, Spec{Namespaces: []string{NSPID, NSMnt}}, `echo $$; ls /proc | grep -c '^[0-9]'`)
	f := strings.Fields(out)
	if len(f) != 2 || f[0] != "1" {
		t.Fatalf("the child should be PID 1: %q", out)
	}
	if n, _ := strconv.Atoi(f[1]); n < 1 || n > 3 {
		t.Errorf("the child's /proc should show only its tree (sh, ls, grep), got %d processes", n)
	}
}

func TestRunNetNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSNet)
	checkNoLeaks(t)
	out, _ := run(t, Spec{Namespaces: []string{NSNet}}, `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`)
	if strings.TrimSpace(out) != "lo" {
		t.Errorf("only lo should be visible, got %q", out)
	}
}

func TestRunMountNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSMnt)
	checkNoLeaks(t)
	dir := t.TempDir()
	out, _ := run(t, Spec{Namespaces: []string{NSMnt}},
		fmt.Sprintf(`mount -t tmpfs procbox-test-tmpfs %s && grep -c procbox-test-tmpfs /proc/self/mountinfo`, dir))
	if strings.TrimSpace(out) != "1" {
		t.Errorf("the mount should exist inside: %q", out)
	}
	if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), "procbox-test-tmpfs") {
		t.Error("a mount made inside the child appeared on the host")
	}
}

func TestRunUTSNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSUTS)
	checkNoLeaks(t)
	host, _ := os.Hostname()
	out, _ := run(t, Spec{Namespaces: []string{NSUTS}, Hostname: "procbox-box"}, `hostname`)
	if strings.TrimSpace(out) != "procbox-box" {
		t.Errorf("hostname inside %q", out)
	}
	if h, _ := os.Hostname(); h != host {
		t.Errorf("the host was renamed to %q", h)
	}
}

func TestRunIPCNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSIPC)
	checkNoLeaks(t)
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, 4096, unix.IPC_CREAT|0o600)
	if err != nil {
		t.Skipf("cannot create a SysV shared memory segment: %v", err)
	}
	t.Cleanup(func() { unix.SysvShmCtl(id, unix.IPC_RMID, nil) })
	inside, _ := run(t, Spec{Namespaces: []string{NSIPC}}, `grep -c . /proc/sysvipc/shm`)
	outside, _ := run(t, Spec{}, `grep -c . /proc/sysvipc/shm`)
	if strings.TrimSpace(inside) != "1" {
		t.Errorf("inside, /proc/sysvipc/shm should hold only its header: %q lines", inside)
	}
	if n, _ := strconv.Atoi(strings.TrimSpace(outside)); n < 2 {
		t.Errorf("without ipc the host's segment should be visible: %q", outside)
	}
}

func TestRunUserNamespaceMapRoot(t *testing.T) {
	needNS(t, NSUser)
	checkNoLeaks(t)
	out, res := runArgvAllowFail(t, Spec{Namespaces: []string{NSUser}, MapRoot: true}, "sh", "-c", `id -u; cat /proc/self/uid_map`)
	if res == nil {
		return
	}
	f := strings.Fields(out)
	want := []string{"0", "0", strconv.Itoa(os.Getuid()), "1"}
	if strings.Join(f, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want id 0 and uid_map %v", out, want[1:])
	}
}

// runArgvAllowFail skips when an unprivileged host refuses user namespaces.
func runArgvAllowFail(t *testing.T, spec Spec, argv ...string) (string, *Result) {
	t.Helper()
	var out, errb bytes.Buffer
	res, err := Run(spec, argv, nil, &out, &errb)
	if err != nil {
		if os.Geteuid() != 0 {
			t.Skipf("this host refuses an unprivileged user namespace: %v", err)
		}
		t.Fatalf("Run: %v", err)
	}
	return out.String(), &res
}

func TestRunCgroupNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSCgroup)
	needCgroup(t, "memory")
	checkNoLeaks(t)
	out, _ := run(t, Spec{Namespaces: []string{NSCgroup}, MemoryMax: 64 << 20}, `grep -E '(^0::|memory)' /proc/self/cgroup`)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasSuffix(line, ":/") {
			t.Errorf("inside a cgroup namespace the child's cgroup is /: %q", line)
		}
	}
	outside, _ := run(t, Spec{MemoryMax: 64 << 20}, `grep memory /proc/self/cgroup`)
	if !strings.Contains(outside, "procbox-") && strings.Contains(outside, "memory") {
		t.Errorf("without the namespace the procbox cgroup should show: %q", outside)
	}
}

func TestRunTimeNamespace(t *testing.T) {
	needRoot(t)
	needNS(t, NSTime)
	checkNoLeaks(t)
	out, _ := run(t, Spec{Namespaces: []string{NSTime}, TimeOffset: 48 * time.Hour}, `cut -d' ' -f1 /proc/uptime`)
	up, err := strconv.ParseFloat(strings.TrimSpace(out), 64)
	if err != nil {
		t.Fatalf("uptime %q", out)
	}
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts)
	if host := float64(ts.Sec); up < host+48*3600-60 {
		t.Errorf("boottime inside %.0f s, host %.0f s: want it shifted by 48 h", up, host)
	}
}

func TestRunMemoryLimitOOM(t *testing.T) {
	needRoot(t)
	needCgroup(t, "memory")
	checkNoLeaks(t)
	// The hog is this test binary in its memhog role (see ChildHook).
	_, res := runArgv(t, Spec{MemoryMax: 32 << 20}, selfExe, memhogMarker, strconv.Itoa(256<<20))
	if !res.OOMKilled || res.Signal == "" || res.ExitCode != 128+9 {
		t.Errorf("want an OOM kill reported: %+v", res)
	}
	if !strings.Contains(res.Report(Spec{MemoryMax: 32 << 20}), "killed by the OOM killer at 32 MiB") {
		t.Errorf("report: %s", res.Report(Spec{MemoryMax: 32 << 20}))
	}
}

func TestRunPidsLimit(t *testing.T) {
	needRoot(t)
	needCgroup(t, "pids")
	checkNoLeaks(t)
	// 16: the helper is a Go program whose own threads count against pids.max.
	// 16 is below procbox's own setup limit, so the child writes it itself just
	// before exec (execTightening): the bomb never runs a moment without it.
	// (Through sh, /proc/self/exe would name sh: use the test binary's path.)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out, res := run(t, Spec{PidsMax: 16}, "exec '"+exe+"' "+forkbombMarker)
	var r bombResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("forkbomb output %q: %v", out, err)
	}
	if r.Errno != "EAGAIN" || r.Count >= 16 {
		t.Errorf("fork should fail with EAGAIN below 16 processes: %+v", r)
	}
	if res.ForkFailures < 1 {
		t.Errorf("pids.events should count the failure: %+v", res)
	}
	// The host is unaffected.
	if err := exec.Command("true").Run(); err != nil {
		t.Errorf("the host cannot fork: %v", err)
	}
}

func TestRunCPULimit(t *testing.T) {
	needRoot(t)
	needCgroup(t, "cpu")
	checkNoLeaks(t)
	_, res := run(t, Spec{CPUMax: 0.2}, `end=$(( $(date +%s) + 2 )); while [ $(date +%s) -lt $end ]; do :; done`)
	if res.Stats.NrThrottled < 1 || res.Stats.ThrottledUsec <= 0 {
		t.Errorf("a busy loop under a 0.2 CPU quota should be throttled: %+v", res.Stats)
	}
}

func TestRunDropCaps(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	f := filepath.Join(t.TempDir(), "f")
	writeFile(t, f)
	out, res := run(t, Spec{DropCaps: []string{"cap_chown"}},
		fmt.Sprintf(`grep CapEff /proc/self/status; chown 1 %s 2>&1; echo rc=$?`, f))
	if !strings.Contains(out, "Operation not permitted") || strings.Contains(out, "rc=0") {
		t.Errorf("chown should fail with EPERM: %q", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "CapEff:") {
			m, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "CapEff:")), 16, 64)
			if m&1 != 0 {
				t.Errorf("cap_chown (bit 0) still effective: %s", line)
			}
		}
	}
	_ = res
}

func TestRunSeccomp(t *testing.T) {
	needRoot(t)
	checkNoLeaks(t)
	dir := t.TempDir()
	out, _ := run(t, Spec{Seccomp: []string{"mkdir"}},
		fmt.Sprintf(`grep Seccomp: /proc/self/status; mkdir %s/x 2>&1; echo rc=$?`, dir))
	if !strings.Contains(out, "Seccomp:\t2") {
		t.Errorf("seccomp mode should be 2 (filter): %q", out)
	}
	if !strings.Contains(out, "Operation not permitted") {
		t.Errorf("mkdir should fail with EPERM: %q", out)
	}
	if _, err := os.Stat(dir + "/x"); err == nil {
		t.Error("mkdir succeeded despite the filter")
	}
}

// lsrootDir builds testdata/lsroot as /init of a fresh rootfs directory
// (skipping without the go tool) and checks the test leaks nothing.
func lsrootDir(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go tool to build the rootfs program")
	}
	checkNoLeaks(t)
	root := t.TempDir()
	build := exec.Command(goTool, "build", "-o", filepath.Join(root, "init"), "./testdata/lsroot")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the rootfs program: %v\n%s", err, b)
	}
	return root
}

func TestRunRootfs(t *testing.T) {
	needRoot(t)
	needNS(t, NSMnt, NSPID)
	root := lsrootDir(t)
	out, _ := runArgv(t, Spec{Namespaces: []string{NSMnt, NSPID}, Rootfs: root}, "/init")
	if strings.TrimSpace(out) != "init proc" {
		t.Errorf("/ inside should hold only what we put there (and /proc): %q", out)
	}
	if _, err := os.Stat(filepath.Join(root, "proc")); err != nil {
		t.Errorf("/proc mount point missing in the rootfs: %v", err)
	}
}

func TestRunVeth(t *testing.T) {
	needRoot(t)
	needNS(t, NSNet)
	checkNoLeaks(t)
	ln, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	accepted := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- ""
			return
		}
		accepted <- c.RemoteAddr().String()
		c.Close()
	}()
	t.Setenv("PROCBOX_TEST_CONNECT_PORT", strconv.Itoa(port))
	out, res := runArgv(t, Spec{Namespaces: []string{NSNet}, Veth: true}, selfExe, "-test.run=^TestHelperConnect$")
	if res.ExitCode != 0 || !strings.Contains(out, "connected") {
		t.Fatalf("the child could not reach the host end: %q %+v", out, res)
	}
	select {
	case from := <-accepted:
		if !strings.HasPrefix(from, "10.200.") {
			t.Errorf("connection came from %q, want the child end 10.200.x.2", from)
		}
	case <-time.After(5 * time.Second):
		t.Error("the host never saw the connection")
	}
}

// TestHelperConnect runs inside the veth test's child: it finds its pbx
// interface address 10.200.X.2 and connects to the host end 10.200.X.1.
func TestHelperConnect(t *testing.T) {
	port := os.Getenv("PROCBOX_TEST_CONNECT_PORT")
	if port == "" {
		t.Skip("helper for TestRunVeth")
	}
	ifs, _ := net.Interfaces()
	for _, i := range ifs {
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.To4() == nil || !strings.HasPrefix(ipn.IP.String(), "10.200.") {
				continue
			}
			host := ipn.IP.To4()
			host = net.IPv4(host[0], host[1], host[2], host[3]-1)
			c, err := net.DialTimeout("tcp4", net.JoinHostPort(host.String(), port), 3*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			fmt.Println("connected")
			return
		}
	}
	t.Fatal("no 10.200.x.x address inside")
}

// Limits too small for procbox's own Go setup are written once the command
// runs: the command gets exactly what was asked.
func TestRunTinyLimits(t *testing.T) {
	needRoot(t)
	needCgroup(t, "pids")
	needCgroup(t, "memory")
	checkNoLeaks(t)
	// The first thing the command does is read its pids.max (builtins only, no
	// fork): the small limit must already be there, written by the child just
	// before exec, not a moment later by the parent.
	out, res := run(t, Spec{PidsMax: 2, MemoryMax: 4 << 20},
		pidsMaxNow+`; echo "pids.max at start: $m"; sleep 5 & sleep 5 & echo forks-done; kill %1 2>/dev/null; wait`)
	if !strings.Contains(out, "pids.max at start: 2") {
		t.Errorf("the command started under another pids limit than the 2 asked: %q", out)
	}
	if res.ForkFailures < 1 {
		t.Errorf("the second background sleep should hit pids.max=2: %q %+v", out, res)
	}
	if res.Stats.PidsMax != 2 || res.Stats.MemoryMax != 4<<20 {
		t.Errorf("the asked limits must be in place while the command runs: %+v", res.Stats)
	}
	var lowered bool
	for _, s := range res.Steps {
		if strings.Contains(s.What, "now that CMD runs") {
			lowered = true
		}
	}
	if !lowered {
		t.Errorf("the steps should show the limits written after exec: %+v", res.Steps)
	}
}

// pidsMaxNow is shell, builtins only (no fork), that reads the pids.max of
// its own cgroup into $m: v1 first, then the v2 line.
const pidsMaxNow = `while IFS=: read -r _ ctl p; do case "$ctl" in pids) cg=/sys/fs/cgroup/pids$p;; "") [ -z "$cg" ] && cg=/sys/fs/cgroup$p;; esac; done < /proc/self/cgroup; read -r m < "$cg/pids.max"`

// --rootfs with a user namespace (--ns all, or a normal user's only way to
// use --rootfs): the kernel mounts a new proc in a user namespace only while
// a fully visible one is in the mount namespace, so /proc must be mounted in
// the new root before the pivot drops the host's. It failed with "mount -t
// proc proc /proc: operation not permitted".
func TestRunRootfsUserNS(t *testing.T) {
	needRoot(t)
	needNS(t, NSUser, NSMnt, NSPID)
	root := lsrootDir(t)
	for _, s := range []Spec{
		{Namespaces: []string{NSUser, NSMnt, NSPID}, MapRoot: true, Rootfs: root},
		{Namespaces: AllNamespaces, Rootfs: root},
	} {
		out, res := runArgv(t, s, "/init")
		if strings.TrimSpace(out) != "init proc" || res.ExitCode != 0 {
			t.Errorf("--ns %s --rootfs: / inside should hold only init and proc: %q %+v", strings.Join(s.Namespaces, ","), out, res)
		}
	}
}
