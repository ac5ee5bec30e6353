package main

// Red-team attacks found after issue 10's fixes, replayed through the built
// binary: each one got out before its fix. A control run without the
// protection shows the attack is real on this host, so a test that passes
// because the attack itself broke is caught.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRedteamSeccompKillBySIGIO: `--seccomp kill` denied every kill-family
// call, yet the child killed a host process it could see: it made the
// process the owner of a socket (fcntl F_SETOWN), chose SIGKILL as the
// owner's signal (F_SETSIG), set O_ASYNC and wrote a byte; the kernel sent
// the signal itself. Now F_SETOWN (and F_SETOWN_EX, FIOSETOWN, SIOCSPGRP)
// fail with EPERM when the kill family is denied, and the victim lives.
func TestRedteamSeccompKillBySIGIO(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	// victim starts a host process and returns a channel that yields how it
	// ended: one goroutine waits for it, and the cleanup kills what is left.
	victim := func() (int, <-chan string) {
		v := exec.Command("sleep", "300")
		if err := v.Start(); err != nil {
			t.Fatalf("start victim: %v", err)
		}
		end := make(chan string, 1)
		go func() {
			v.Wait()
			if ws, ok := v.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				end <- "killed by " + ws.Signal().String()
				return
			}
			end <- "exited"
		}()
		t.Cleanup(func() { v.Process.Kill() })
		return v.Process.Pid, end
	}
	state := func(end <-chan string) string {
		select {
		case s := <-end:
			return s
		case <-time.After(2 * time.Second):
			return "alive"
		}
	}

	pid, end := victim()
	r := faultExec(t, 30*time.Second, bin, "run", "--", attack, "sigio", strconv.Itoa(pid))
	if strings.TrimSpace(r.stdout) != "sent" {
		t.Skipf("the attack does not work on this host even without a filter: %q %q", r.stdout, r.stderr)
	}
	if got := state(end); got != "killed by "+syscall.SIGKILL.String() {
		t.Skipf("without a filter the victim is %s: SIGIO does not reach it on this host", got)
	}

	for _, spec := range [][]string{{"--seccomp", "kill"}, {"--seccomp", "tgkill"}, {"--ns", "mnt", "--drop-caps", "all", "--seccomp", "kill"}} {
		pid, end := victim()
		args := append(append([]string{"run"}, spec...), "--", attack, "sigio", strconv.Itoa(pid))
		r := faultExec(t, 30*time.Second, bin, args...)
		if got := strings.TrimSpace(r.stdout); got != "F_SETOWN EPERM" {
			t.Errorf("procbox %v: the child says %q (stderr %q), want F_SETOWN EPERM", args, got, r.stderr)
		}
		if got := state(end); got != "alive" {
			t.Errorf("procbox %v: the host's victim is %s", args, got)
		}
	}
	r = faultExec(t, 30*time.Second, bin, "run", "--explain", "--seccomp", "kill", "--", "true")
	if !strings.Contains(r.stdout, "F_SETOWN") {
		t.Errorf("--explain --seccomp kill does not say F_SETOWN is denied:\n%s", r.stdout)
	}
}

// TestRedteamSeccompIOURing: `--seccomp mkdir` and `--seccomp unlink` denied
// mkdir/mkdirat and unlink/unlinkat, yet the child made and removed host
// files through io_uring (IORING_OP_MKDIRAT, IORING_OP_UNLINKAT), which the
// kernel runs without those syscalls; `--seccomp socket` left
// IORING_OP_SOCKET. Now a call a ring can make denies the ring's calls too.
func TestRedteamSeccompIOURing(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	dir := t.TempDir()

	probe := filepath.Join(dir, "control")
	r := faultExec(t, 30*time.Second, bin, "run", "--", attack, "uring", "mkdir", probe)
	if strings.TrimSpace(r.stdout) != "ok" {
		t.Skipf("io_uring does not work on this host even without a filter (kernel.io_uring_disabled?): %q %q", r.stdout, r.stderr)
	}
	if _, err := os.Stat(probe); err != nil {
		t.Fatalf("the control said ok but made nothing: %v", err)
	}

	made := filepath.Join(dir, "made")
	r = faultExec(t, 30*time.Second, bin, "run", "--seccomp", "mkdir", "--", attack, "uring", "mkdir", made)
	if got := strings.TrimSpace(r.stdout); got != "io_uring_setup EPERM" {
		t.Errorf("--seccomp mkdir: the child says %q (stderr %q), want io_uring_setup EPERM", got, r.stderr)
	}
	if _, err := os.Stat(made); err == nil {
		t.Errorf("--seccomp mkdir: the child made %s through io_uring", made)
	}

	// IORING_OP_SOCKET (Linux 5.19) makes a socket without socket(2).
	for _, name := range []string{"socket", "bind"} {
		r = faultExec(t, 30*time.Second, bin, "run", "--seccomp", name, "--", attack, "uring", "socket", "-")
		if got := strings.TrimSpace(r.stdout); got != "io_uring_setup EPERM" {
			t.Errorf("--seccomp %s: the child says %q (stderr %q), want io_uring_setup EPERM", name, got, r.stderr)
		}
	}

	keep := filepath.Join(dir, "keep")
	if err := os.WriteFile(keep, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"unlink", "rmdir"} {
		r = faultExec(t, 30*time.Second, bin, "run", "--seccomp", name, "--", attack, "uring", "unlink", keep)
		if got := strings.TrimSpace(r.stdout); got != "io_uring_setup EPERM" {
			t.Errorf("--seccomp %s: the child says %q (stderr %q), want io_uring_setup EPERM", name, got, r.stderr)
		}
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("--seccomp %s: the child removed %s through io_uring", name, keep)
		}
	}
}

// TestRedteamSeccompPidfdGetfd: `--seccomp ptrace` denied ptrace and
// process_vm_readv/writev, yet the child copied a host process's open file
// (its terminal, a secret it holds) with pidfd_getfd, which the kernel allows
// on ptrace's own access check. Now it is in the ptrace family.
func TestRedteamSeccompPidfdGetfd(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("host's secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(secret)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	v := exec.Command("sleep", "300")
	v.Stdin = in
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { v.Process.Kill(); v.Wait() }()
	pid := strconv.Itoa(v.Process.Pid)

	r := faultExec(t, 30*time.Second, bin, "run", "--", attack, "getfd", pid, "0")
	if got := strings.TrimSpace(r.stdout); got != "ok "+secret {
		t.Skipf("pidfd_getfd does not work on this host even without a filter: %q %q", got, r.stderr)
	}
	r = faultExec(t, 30*time.Second, bin, "run", "--seccomp", "ptrace", "--", attack, "getfd", pid, "0")
	if got := strings.TrimSpace(r.stdout); got != "pidfd_getfd EPERM" {
		t.Errorf("--seccomp ptrace: the child says %q (stderr %q), want pidfd_getfd EPERM", got, r.stderr)
	}
}

// TestRedteamUserNSMapRoot: run by root, `--ns user,mnt,pid,cgroup
// --map-root --pids 20` (or the same without --map-root: the map keeps root
// 0) gave a child that is root of its own user namespace
// and uid 0 on the host. It unmounted its read-only copy of /sys (its own
// mount, not locked) and wrote the host's cgroupfs beneath (echo max >
// pids.max, echo $$ > the root's cgroup.procs), unmounted the mask on
// /run/procbox, and mounted a fresh pids cgroupfs in its cgroup namespace to
// raise its own limit. procbox cannot lock those mounts from a Go child, so
// --explain and the README say the limits are advisory against it unless
// cap_sys_admin is dropped; this test holds them to that: with
// --drop-caps cap_sys_admin every step fails, and without it --explain warns.
func TestRedteamUserNSMapRoot(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	spec := []string{"--ns", "user,mnt,pid,cgroup", "--map-root", "--pids", "20"}

	// Run by root, the map keeps uid 0 without --map-root as well.
	for _, sp := range [][]string{spec, {"--ns", "user,mnt,pid,cgroup", "--pids", "20"}} {
		r := faultExec(t, 30*time.Second, bin, append(append([]string{"run", "--explain"}, sp...), "--", "true")...)
		if !strings.Contains(r.stdout, "advisory unless you also --drop-caps cap_sys_admin") {
			t.Errorf("--explain %v does not warn that root of the user namespace can undo the read-only cgroupfs:\n%s", sp, r.stdout)
		}
	}
	dropped := append(slices.Clone(spec), "--drop-caps", "cap_sys_admin")
	r := faultExec(t, 30*time.Second, bin, append(append([]string{"run", "--explain"}, dropped...), "--", "true")...)
	if strings.Contains(r.stdout, "advisory unless") {
		t.Errorf("--explain %v still warns with cap_sys_admin dropped:\n%s", dropped, r.stdout)
	}

	script := `a=` + attack + `
echo "umount-sys=$($a umount /sys)"
echo "umount-run=$($a umount /run/procbox)"
d=$(mktemp -d)
echo "cgroupfs=$($a cgroupfs $d)"
rmdir $d
echo "leave=$($a write /sys/fs/cgroup/pids/cgroup.procs $$)"
echo "locks=$($a ls /run/procbox)"
`
	r = faultExec(t, 30*time.Second, bin, append(append([]string{"run"}, dropped...), "--", "sh", "-c", script)...)
	if r.err != nil || r.code != 0 {
		t.Fatalf("procbox run %v: code %d err %v stderr %q", dropped, r.code, r.err, r.stderr)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			got[k] = v
		}
	}
	for _, k := range []string{"umount-sys", "umount-run", "cgroupfs", "leave"} {
		if v := got[k]; v == "ok" || v == "" {
			t.Errorf("%s: %q, want an error (the child must not undo its read-only cgroupfs or mount a fresh one)\n%s", k, v, r.stdout)
		}
	}
	if v := got["locks"]; v != "ok 0" {
		t.Errorf("the child lists /run/procbox as %q, want the empty mask (ok 0)", v)
	}
}

// TestRedteamRootfsInheritedFD: a descriptor procbox's caller left open
// without close-on-exec (a shell's `exec 6</`) crossed into the command, and
// inside --rootfs, /proc/self/fd/6 led back to the host's /: `ls
// /proc/self/fd/6/etc` listed the host's /etc past pivot_root (runc's
// CVE-2024-21626 class). Now the command gets stdio and nothing else, with
// and without a rootfs.
func TestRedteamRootfsInheritedFD(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	root := attackRoot(t, attack)
	hostRoot, err := os.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer hostRoot.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		// procbox's fds 3, 4, 5 are /dev/null and fd 6 the host's /, both
		// without close-on-exec, as a shell would hand them down.
		cmd.ExtraFiles = []*os.File{null, null, null, hostRoot}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("procbox %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	if got := run("run", "--ns", "pid,mnt", "--rootfs", root, "--", "/attack", "ls", "/proc/self/fd/6/etc"); got != "ENOENT" {
		t.Errorf("--rootfs: the command lists the host's /etc through an inherited fd: %q, want ENOENT", got)
	}
	if got := run("run", "--ns", "mnt", "--", attack, "ls", "/proc/self/fd/6"); got != "ENOENT" {
		t.Errorf("no rootfs: the caller's fd 6 reaches the command: %q, want ENOENT", got)
	}
}

// TestRedteamSeccompOtherABI: on amd64 a process can make i386 calls through
// int $0x80 and x32 calls with bit 30 set; their numbers mean other calls
// (i386 39 is mkdir, amd64 39 getpid), so a filter that read them by the
// amd64 table would let `--seccomp mkdir` be bypassed. The filter checks
// seccomp_data.arch and the x32 bit first and kills the process (SIGSYS,
// exit 159) before any number is judged. This held; the test keeps it so.
func TestRedteamSeccompOtherABI(t *testing.T) {
	requireRoot(t)
	if runtime.GOARCH != "amd64" {
		t.Skip("only amd64 has the i386 and x32 entries")
	}
	bin, attack := faultBuild(t), containAttack(t)
	dir := t.TempDir()
	control := filepath.Join(dir, "control")
	r := faultExec(t, 30*time.Second, bin, "run", "--", attack, "abi", "i386", control)
	if got := strings.TrimSpace(r.stdout); got != "ok" {
		t.Skipf("the i386 entry does not work on this kernel (no IA32 emulation?): %q %q", got, r.stderr)
	}
	for _, abi := range []string{"i386", "x32"} {
		made := filepath.Join(dir, abi)
		r := faultExec(t, 30*time.Second, bin, "run", "--seccomp", "mkdir", "--", attack, "abi", abi, made)
		if r.code != 128+int(syscall.SIGSYS) || strings.TrimSpace(r.stdout) != "" {
			t.Errorf("%s mkdir under --seccomp mkdir: exit %d, output %q; want the filter to kill it (exit %d)", abi, r.code, r.stdout, 128+int(syscall.SIGSYS))
		}
		if _, err := os.Stat(made); err == nil {
			t.Errorf("%s mkdir under --seccomp mkdir made %s", abi, made)
		}
	}
}

// TestRedteamSeccompUnshareByClone: `--seccomp unshare` made unshare(2) fail,
// yet the child made a new user namespace (and could make any other) by
// clone(CLONE_NEWUSER), which does unshare's job at fork. Now clone with a
// CLONE_NEW* flag fails with EPERM and clone3, whose flags a filter cannot
// read, with ENOSYS (libc falls back to clone); forks and threads still work.
func TestRedteamSeccompUnshareByClone(t *testing.T) {
	requireRoot(t)
	bin, attack := faultBuild(t), containAttack(t)
	r := faultExec(t, 30*time.Second, bin, "run", "--", attack, "clonens")
	if got := strings.TrimSpace(r.stdout); got != "ok" {
		t.Skipf("clone(CLONE_NEWUSER) fails here even without a filter: %q %q", got, r.stderr)
	}
	r = faultExec(t, 30*time.Second, bin, "run", "--seccomp", "unshare", "--", attack, "clonens")
	if got := strings.TrimSpace(r.stdout); got != "EPERM" {
		t.Errorf("--seccomp unshare: clone(CLONE_NEWUSER) says %q (stderr %q), want EPERM", got, r.stderr)
	}
	// The Go helper above ran its threads under the filter; a shell still forks.
	r = faultExec(t, 30*time.Second, bin, "run", "--seccomp", "unshare", "--", "sh", "-c", "true & wait; echo forked")
	if got := strings.TrimSpace(r.stdout); got != "forked" || r.code != 0 {
		t.Errorf("--seccomp unshare broke fork: code %d, output %q, stderr %q", r.code, got, r.stderr)
	}
}

// TestRedteamPtraceParent: run by a normal user without a user namespace
// (seccomp is all such a user can ask for), the command has procbox's uid and
// could PTRACE_ATTACH procbox, its parent: it made procbox call
// ioctl(0, TIOCSTI) on the caller's terminal — procbox's controlling terminal,
// so no capability is needed — and the caller's shell ran the typed command
// after procbox exited; or any syscall the filter denies the command. Now
// procbox is not dumpable while the command runs: attach and pidfd_getfd
// answer EPERM. A user namespace still starts (its maps are written first).
func TestRedteamPtraceParent(t *testing.T) {
	bin := unprivBinary(t)
	data, err := os.ReadFile(containAttack(t))
	if err != nil {
		t.Fatal(err)
	}
	attack := filepath.Join(filepath.Dir(bin), "attack")
	if err := os.WriteFile(attack, data, 0o755); err != nil {
		t.Fatal(err)
	}
	r := asNobody(t, bin, "run", "--seccomp", "mkdir", "--", "/bin/sh", "-c", attack+" ptrace $PPID; "+attack+" getfd $PPID 0")
	if r.err != nil || r.code != 0 {
		t.Fatalf("as nobody, run: code %d err %v stderr %q", r.code, r.err, r.stderr)
	}
	if got := strings.Fields(strings.TrimSpace(r.stdout)); !slices.Equal(got, []string{"EPERM", "pidfd_getfd", "EPERM"}) {
		t.Errorf("as nobody, the command attaching to procbox and copying its fd 0 says %q, want EPERM for both", r.stdout)
	}
	r = asNobody(t, bin, "run", "--ns", "user", "--map-root", "--", "/bin/sh", "-c", "id -u")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "0" {
		t.Errorf("as nobody, run --ns user --map-root: code %d, uid %q, stderr %q; the user namespace must still start", r.code, r.stdout, r.stderr)
	}
}
