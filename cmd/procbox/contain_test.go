package main

// Containment attacks (issue 10), replayed through the built binary: each
// test runs testdata/attack (a hostile child built here, static) inside
// `procbox run`, asserts the attempt fails and that the host is unchanged.

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"procbox/internal/leakcheck"
)

// attackRoot is a root filesystem holding only the static attack helper, as
// /attack: the smallest --rootfs a test can run a command in.
func attackRoot(t *testing.T, attack string) string {
	t.Helper()
	root := t.TempDir()
	data, err := os.ReadFile(attack)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "attack"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// containAttack builds the hostile helper (static) into a temp dir of t.
func containAttack(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "attack")
	cmd := exec.Command(goBin, "build", "-o", bin, "./testdata/attack")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build attack: %v\n%s", err, out)
	}
	return bin
}

// containTmux is a private tmux server whose one pane runs a host shell:
// the terminal an attacker would like to type into.
type containTmux struct {
	t      *testing.T
	socket string
}

func newContainTmux(t *testing.T, shellCmd string) containTmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux): needs a real terminal")
	}
	x := containTmux{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	t.Cleanup(func() { exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
	x.run("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "c", shellCmd)
	return x
}

func (x containTmux) run(args ...string) string {
	out, err := exec.Command("tmux", append([]string{"-S", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (x containTmux) screen() string { return x.run("capture-pane", "-p", "-J", "-t", "c") }

func (x containTmux) keys(keys ...string) {
	x.run(append([]string{"send-keys", "-t", "c"}, keys...)...)
}

// line types a line and Enter, literally.
func (x containTmux) line(s string) {
	x.keys("-l", s)
	x.keys("Enter")
}

// waitFor waits until the screen contains want, failing with the screen.
func (x containTmux) waitFor(want string, timeout time.Duration) string {
	x.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := x.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("waiting for %q; screen:\n%s", want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestContainTIOCSTI replays CVE-2017-5226 against `procbox run`: the child
// pushes "touch MARKER" and a newline into fd 0 with TIOCSTI. Before the fix
// the host shell read it after procbox exited and ran it as root. Now the
// child has its own terminal: the bytes land there and nothing runs on the
// host side. The test also waits for the host shell to show its next prompt,
// so an injected line would have been read.
func TestContainTIOCSTI(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "injected")
	x := newContainTmux(t, "env PS1='host$ ' sh")
	x.waitFor("host$", 5*time.Second)
	for i, spec := range [][]string{{"--ns", "all", "--drop-caps", "all"}, {}} {
		os.Remove(marker)
		rc, next := "RC"+strconv.Itoa(i)+"=", "NEXT-"+strconv.Itoa(42+i)
		x.keys("-l", bin+" run "+strings.Join(spec, " ")+" -- "+attack+" tiocsti 'touch "+marker+"\n'; echo \"R\"\"C"+strconv.Itoa(i)+"=$?\"")
		x.keys("Enter")
		s := x.waitFor(rc, 10*time.Second)
		if !strings.Contains(s, "tiocsti: ok") {
			// It must have worked on *something*: its own terminal.
			t.Errorf("spec %v: the helper's TIOCSTI did not reach its own terminal; screen:\n%s", spec, s)
		}
		x.line("echo NEXT-$((" + strconv.Itoa(40+i) + "+2))")
		x.waitFor(next, 5*time.Second)
		time.Sleep(300 * time.Millisecond)
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("spec %v: the injected command ran on the host (%s exists); screen:\n%s", spec, marker, x.screen())
		}
	}
}

// TestContainRunInteractiveShell: `procbox run --ns pid,mnt -- sh` has job
// control (no "can't access tty"), Ctrl-C reaches the foreground job inside
// and not the shell, and after exit the caller's terminal is back in its
// normal mode.
func TestContainRunInteractiveShell(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	x := newContainTmux(t, "env PS1='host$ ' sh")
	x.waitFor("host$", 5*time.Second)
	x.line("stty -g > " + filepath.Join(t.TempDir(), "before") + "; " + bin + " run --ns pid,mnt -- env PS1='box''# ' sh -i; echo \"R\"\"C=$?\"")
	x.waitFor("box#", 10*time.Second)
	x.line("sleep 30")
	time.Sleep(500 * time.Millisecond)
	x.keys("C-c")
	x.line("echo alive-$((40+2)) $$; ps -o pgid= -p $$; ps -o pgid= -C ps")
	s := x.waitFor("alive-42", 5*time.Second)
	if strings.Contains(s, "RC=") {
		t.Fatalf("Ctrl-C ended procbox run instead of the shell's sleep:\n%s", s)
	}
	for _, bad := range []string{"can't access tty", "job control turned off", "no job control"} {
		if strings.Contains(s, bad) {
			t.Errorf("the shell has no job control (%q):\n%s", bad, s)
		}
	}
	if !strings.Contains(s, "alive-42 1") {
		t.Errorf("the shell is not PID 1 of its pid namespace:\n%s", s)
	}
	x.line("exit 7")
	s = x.waitFor("RC=", 5*time.Second)
	if !strings.Contains(s, "RC=7") {
		t.Errorf("procbox run did not pass the shell's status on:\n%s", s)
	}
	// The host terminal is cooked again: a line typed now is echoed and run.
	x.line("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo -e isig | tr '\\n' ,; echo")
	s = x.waitFor("icanon,", 5*time.Second)
	if !strings.Contains(s, "isig,icanon,echo,") {
		t.Errorf("the host terminal was not restored (want isig,icanon,echo):\n%s", s)
	}
}

// TestContainRunCtrlCEndsPidInit: a command that is PID 1 of a pid namespace
// ignores signals it has no handler for, even the terminal's SIGINT; Ctrl-C
// must still end `procbox run` (procbox sees the key and kills it).
func TestContainRunCtrlCEndsPidInit(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	x := newContainTmux(t, "env PS1='host$ ' sh")
	x.waitFor("host$", 5*time.Second)
	x.line(bin + " run --ns pid -- sleep 60; echo \"R\"\"C=$?\"")
	time.Sleep(time.Second)
	x.keys("C-c")
	s := x.waitFor("RC=", 5*time.Second)
	if !strings.Contains(s, "RC=137") && !strings.Contains(s, "RC=130") {
		t.Errorf("want the command killed (137 or 130):\n%s", s)
	}
}

// TestContainLabShell drives the Lab's shell (issue 14): `s` opens it with a
// terminal of its own; Ctrl-C ends its foreground `sleep` and not the shell;
// `exit` brings the Lab back, the next key reaches the Lab, and no shell is
// left. A second shell whose client is SIGKILLed must not survive either
// (it would read the Lab's keystrokes).
func TestContainLabShell(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	x := newContainTmux(t, "exec "+bin+" lab")
	x.waitFor("procbox › Lab", 10*time.Second)

	x.keys("s")
	x.waitFor("[procbox child] #", 10*time.Second)
	x.line("echo SH\"\"PID=$$")
	shpid := containScreenInt(t, x.waitFor("SHPID=", 5*time.Second), "SHPID=")
	x.line("sleep 4")
	time.Sleep(500 * time.Millisecond)
	x.keys("C-c")
	x.line("echo alive-$((40+2))")
	s := x.waitFor("alive-42", 5*time.Second)
	if !leakcheck.Alive(shpid) {
		t.Fatalf("Ctrl-C ended the shell (pid %d):\n%s", shpid, s)
	}
	for _, bad := range []string{"can't access tty", "job control turned off", "no job control"} {
		if strings.Contains(s, bad) {
			t.Errorf("the Lab shell has no job control (%q):\n%s", bad, s)
		}
	}
	x.line("exit")
	x.waitFor("procbox › Lab", 5*time.Second)
	x.keys("?")
	x.waitFor("Keys — Lab", 5*time.Second)
	x.keys("?") // closes the help (Escape followed by a key would read as alt+key)
	containWaitGone(t, shpid)
	time.Sleep(300 * time.Millisecond)

	// The client killed: the agent sees its socket close and ends the shell.
	x.keys("s")
	x.waitFor("[procbox child] #", 10*time.Second)
	x.line("clear; echo SH\"\"PID2=$$")
	shpid = containScreenInt(t, x.waitFor("SHPID2=", 5*time.Second), "SHPID2=")
	client := containProcByArgv0("procbox-shell")
	if client == 0 {
		t.Fatal("no procbox-shell client process found")
	}
	if err := syscallKill(client); err != nil {
		t.Fatal(err)
	}
	containWaitGone(t, shpid)
	x.waitFor("procbox › Lab", 5*time.Second)
	x.keys("q", "q") // q asks before it removes the Lab's child; q again quits
}

// containScreenInt reads the number after label on the screen.
func containScreenInt(t *testing.T, screen, label string) int {
	t.Helper()
	i := strings.LastIndex(screen, label)
	f := strings.Fields(screen[i+len(label):])
	if len(f) == 0 {
		t.Fatalf("no number after %q:\n%s", label, screen)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatalf("no number after %q:\n%s", label, screen)
	}
	return n
}

// containWaitGone fails unless pid is gone within 3 s.
func containWaitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for leakcheck.Alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the shell (pid %d) is still alive", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// containProcByArgv0 finds a live process whose argv[0] is name.
func containProcByArgv0(name string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if arg0, _, _ := strings.Cut(string(b), "\x00"); arg0 == name && leakcheck.Alive(pid) {
			return pid
		}
	}
	return 0
}

func syscallKill(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }

// TestContainRootfsHostProc: with --rootfs the child must not reach the
// host's / through /proc/PID/root of a host process. Without a pid namespace
// procbox refuses (exit 2, tested in badinput_test.go); with one, the /proc
// inside lists only the child's own processes, so procbox's host PID and
// PID 1's root lead nowhere outside.
func TestContainRootfsHostProc(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	root := attackRoot(t, attack)
	host := strconv.Itoa(os.Getpid())
	r := faultExec(t, 30*time.Second, bin, "run", "--ns", "pid,mnt", "--rootfs", root, "--",
		"/attack", "ls", "/proc/"+host+"/root/etc")
	if r.err != nil || r.code != 0 {
		t.Fatalf("run: code %d err %v stderr %q", r.code, r.err, r.stderr)
	}
	if got := strings.TrimSpace(r.stdout); got != "ENOENT" {
		t.Errorf("/proc/%s/root/etc inside the rootfs: %q, want ENOENT (the host's /etc must be unreachable)", host, got)
	}
	// PID 1 inside is the command itself: its root is the rootfs, which has no etc.
	r = faultExec(t, 30*time.Second, bin, "run", "--ns", "pid,mnt", "--rootfs", root, "--", "/attack", "ls", "/proc/1/root/etc")
	if got := strings.TrimSpace(r.stdout); got != "ENOENT" {
		t.Errorf("/proc/1/root/etc inside the rootfs: %q, want ENOENT", got)
	}
	r = faultExec(t, 30*time.Second, bin, "run", "--ns", "mnt", "--rootfs", root, "--", "/attack", "ls", "/proc/"+host+"/root/etc")
	if r.code != 2 || !strings.Contains(r.stderr, "pid namespace") {
		t.Errorf("--rootfs without pid: code %d stderr %q, want exit 2 naming the pid namespace", r.code, r.stderr)
	}
}

// TestContainUserNSInheritable: as a normal user, `procbox run --ns user`
// must not leave the inheritable set full: a binary carrying file caps +ei
// would then gain them (CapEff) at exec. Run as nobody, the helper with
// cap_net_raw+ei must see empty CapEff and CapInh.
func TestContainUserNSInheritable(t *testing.T) {
	requireRoot(t)
	setcap, err := exec.LookPath("setcap")
	if err != nil {
		t.Skip("setcap is not installed (apt-get install libcap2-bin; .ci/run does)")
	}
	bin, attack := faultBuild(t), containAttack(t)
	for _, f := range []string{bin, attack} {
		// nobody must reach both binaries: the temp dirs are 0700.
		for d := filepath.Dir(f); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
			os.Chmod(d, 0o755)
		}
	}
	if out, err := exec.Command(setcap, "cap_net_raw+ei", attack).CombinedOutput(); err != nil {
		t.Skipf("setcap on %s: %v %s (the file system may not keep security xattrs)", attack, err, out)
	}
	cmd := exec.Command(bin, "run", "--ns", "user", "--", attack, "capeff")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "namespaces") || strings.Contains(string(out), "permission denied") {
			t.Skipf("this host does not let nobody create a user namespace: %s", out)
		}
		t.Fatalf("run as nobody: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "CapInh: 0000000000000000") || !strings.Contains(s, "CapEff: 0000000000000000") {
		t.Errorf("a +ei binary inside the user namespace gained capabilities:\n%s", s)
	}
}

// TestContainCgroupfsReadOnly replays the cgroupfs escape: with --ns mnt a
// root child wrote its own pid into the pids hierarchy's root cgroup.procs
// (leaving its limits) or "max" into its pids.max. Both must now fail with
// EROFS, the limit must still read 50 and the child still sit in its procbox
// cgroup; /proc/sys is read-only too, with and without a fresh /proc.
func TestContainCgroupfsReadOnly(t *testing.T) {
	requireRoot(t)
	if _, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs"); err != nil {
		t.Skip("no cgroup v1 pids hierarchy at /sys/fs/cgroup/pids (the v2 path is the same mount code, tested by the /proc/sys half)")
	}
	bin, attack := faultBuild(t), containAttack(t)
	script := `d=$(grep ':pids:' /proc/self/cgroup | cut -d: -f3)
echo "leave=$(` + attack + ` write /sys/fs/cgroup/pids/cgroup.procs $$)"
echo "raise=$(` + attack + ` write /sys/fs/cgroup/pids$d/pids.max max)"
echo "sysctl=$(` + attack + ` write /proc/sys/vm/overcommit_ratio $(cat /proc/sys/vm/overcommit_ratio))"
echo "in=$(grep ':pids:' /proc/self/cgroup | cut -d: -f3) max=$(cat /sys/fs/cgroup/pids$d/pids.max)"`
	for _, ns := range []string{"mnt", "mnt,pid"} {
		before := takeInventory(t)
		r := faultExec(t, 30*time.Second, bin, "run", "--ns", ns, "--pids", "50", "--", "sh", "-c", script)
		if r.err != nil || r.code != 0 {
			t.Fatalf("--ns %s: code %d err %v stderr %q", ns, r.code, r.err, r.stderr)
		}
		for _, want := range []string{"leave=EROFS", "raise=EROFS", "sysctl=EROFS", "in=/procbox-", "max=50"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("--ns %s: want %q in:\n%s", ns, want, r.stdout)
			}
		}
		if leaks := before.leaksSince(takeInventory(t), ownedBy(r.pid)); len(leaks) > 0 {
			t.Errorf("--ns %s left: %v", ns, leaks)
		}
	}
	// Without a mount namespace procbox says the limits are advisory.
	r := faultExec(t, 30*time.Second, bin, "run", "--explain", "--pids", "50", "--", "true")
	if !strings.Contains(r.stdout, "advisory") {
		t.Errorf("--explain without mnt does not say the limits are advisory:\n%s", r.stdout)
	}
}

// TestContainSeccompFamilies replays the open doors of issue 10 item 7:
// --seccomp kill left tkill, tgkill and pidfd_send_signal; setuid left
// setreuid and setresuid; mount left the new mount API. Each member is called
// by the helper inside the child, with harmless arguments: without a filter
// none answers EPERM (the control), with the family names every one does.
// --seccomp open is refused (exit 2): its family holds openat, which the
// child needs before exec.
func TestContainSeccompFamilies(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	members := []string{"kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
		"setuid", "setreuid", "setresuid", "setfsuid",
		"mount", "fsopen", "fsconfig", "fsmount", "move_mount", "open_tree", "mount_setattr"}
	run := func(seccomp ...string) map[string]string {
		args := append([]string{"run"}, seccomp...)
		args = append(append(args, "--", attack, "syscalls"), members...)
		r := faultExec(t, 30*time.Second, bin, args...)
		if r.err != nil || r.code != 0 {
			t.Fatalf("procbox %v: code %d err %v stderr %q", args, r.code, r.err, r.stderr)
		}
		got := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				got[k] = v
			}
		}
		return got
	}
	free := run()
	denied := run("--seccomp", "kill,setuid,mount")
	for _, m := range members {
		if free[m] == "EPERM" || free[m] == "" {
			t.Errorf("%s without a filter: %q (the control must not be EPERM)", m, free[m])
		}
		if denied[m] != "EPERM" {
			t.Errorf("%s under --seccomp kill,setuid,mount: %q, want EPERM", m, denied[m])
		}
	}
	for _, name := range []string{"open", "creat", "execve", "fork"} {
		r := faultExec(t, 30*time.Second, bin, "run", "--seccomp", name, "--", "/bin/true")
		if r.code != 2 || len(stderrLines(r.stderr)) != 1 || !strings.Contains(r.stderr, "cannot be denied") {
			t.Errorf("--seccomp %s: code %d stderr %q, want exit 2 and one line saying why", name, r.code, r.stderr)
		}
	}
	r := faultExec(t, 30*time.Second, bin, "run", "--explain", "--seccomp", "kill", "--", "true")
	if !strings.Contains(r.stdout, "pidfd_send_signal") {
		t.Errorf("--explain does not list the kill family:\n%s", r.stdout)
	}
}

// TestContainCallerLimitsHold replays "the caller's limits stay in force": a
// shell in a 48 MiB memory cgroup ran `procbox run --ns pid -- <200 MiB
// allocation>` and survived, because procbox moved the child into a new
// cgroup at the root of the hierarchy. Now the child stays below the caller's
// cgroup: with no limit of its own, with a limit on another controller, and
// with a larger --mem, it is OOM-killed at the caller's 48 MiB. --explain,
// run from there, prints the real nested path.
func TestContainCallerLimitsHold(t *testing.T) {
	requireRoot(t)
	self, _ := os.ReadFile("/proc/self/cgroup")
	var memPath string
	for _, l := range strings.Split(string(self), "\n") {
		if f := strings.SplitN(l, ":", 3); len(f) == 3 && slicesContains(strings.Split(f[1], ","), "memory") {
			memPath = f[2]
		}
	}
	if memPath == "" || !fileExists("/sys/fs/cgroup/memory/cgroup.procs") {
		t.Skip("no cgroup v1 memory hierarchy (pure v2 hosts: the nesting is tested on a temp-dir cgroupfs in isolate, TestCgroupBelowCaller)")
	}
	bin, attack := faultBuild(t), containAttack(t)
	parent := filepath.Join("/sys/fs/cgroup/memory", memPath, "contain-test-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if err := syscall.Rmdir(parent); err == nil || time.Now().After(deadline) {
				return
			}
		}
	})
	if err := os.WriteFile(filepath.Join(parent, "memory.limit_in_bytes"), []byte("50331648"), 0); err != nil {
		t.Fatal(err)
	}
	inParent := func(args ...string) faultRun {
		script := `echo $$ > "$0"/cgroup.procs && exec "$@"`
		return faultExec(t, 60*time.Second, "sh", append([]string{"-c", script, parent, bin}, args...)...)
	}
	for _, spec := range [][]string{{"--ns", "pid"}, {"--ns", "pid", "--pids", "64"}, {"--ns", "pid", "--mem", "100M"}} {
		args := append(append([]string{"run"}, spec...), "--", attack, "alloc", "200")
		r := inParent(args...)
		if strings.Contains(r.stdout, "allocated") || r.code != 137 {
			t.Errorf("procbox %v in a 48 MiB cgroup: code %d stdout %q stderr %q; want the OOM killer (137)", args, r.code, r.stdout, r.stderr)
		}
	}
	r := inParent("run", "--explain", "--ns", "pid", "--mem", "100M", "--", "true")
	if want := "mkdir " + parent + "/procbox-"; !strings.Contains(r.stdout, want) {
		t.Errorf("--explain does not show the real nested path %q:\n%s", want, r.stdout)
	}
	if strings.Contains(r.stdout, "mkdir /sys/fs/cgroup/pids/") {
		t.Errorf("--explain makes a pids cgroup without a pids limit:\n%s", r.stdout)
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestContainDoctorReadOnly: with cgroupfs read-only (here: inside procbox's
// own mount namespace, which mounts it so) doctor says read-only, as root,
// instead of "delegated to you", and JSON agrees; on the host it says that
// limits are advisory against a root child without a mount namespace.
func TestContainDoctorReadOnly(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	r := faultExec(t, 30*time.Second, bin, "run", "--ns", "mnt", "--", bin, "doctor")
	if r.code != 0 || !strings.Contains(r.stdout, "✗ read-only") || strings.Contains(r.stdout, "delegated to you") {
		t.Errorf("doctor with cgroupfs read-only: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = faultExec(t, 30*time.Second, bin, "run", "--ns", "mnt", "--", bin, "doctor", "--json")
	if !strings.Contains(r.stdout, `"cgroup_read_only": true`) || !strings.Contains(r.stdout, `"delegated": []`) {
		t.Errorf("doctor --json with cgroupfs read-only:\n%s", r.stdout)
	}
	r = faultExec(t, 30*time.Second, bin, "doctor")
	if !fileExists("/sys/fs/cgroup/pids") && !fileExists("/sys/fs/cgroup/cgroup.controllers") {
		return
	}
	if !strings.Contains(r.stdout, "advisory") {
		t.Errorf("host doctor does not say limits are advisory without a mount namespace:\n%s", r.stdout)
	}
}
