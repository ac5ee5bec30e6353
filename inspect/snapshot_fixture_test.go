package inspect

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func fixtureFS(cgroupTree string) FS {
	return FS{Proc: fixture("proc"), Cgroup: fixture(cgroupTree), Sys: fixture("sys"), Etc: fixture("etc")}
}

func TestSnapshotFixtureHostProcess(t *testing.T) {
	s, err := fixtureFS("cgroup-v1").Snapshot(100, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.PID != 100 || s.PPID != 1 || s.Comm != "procbox" || s.State != "R" || s.Threads != 7 || s.Nice != 5 || s.Policy != "SCHED_OTHER" {
		t.Errorf("identity: %+v", s)
	}
	if s.Exe != "/usr/bin/procbox" || !reflect.DeepEqual(s.Cmdline, []string{"/usr/bin/procbox", "inspect", "--json"}) {
		t.Errorf("exe %q cmdline %q", s.Exe, s.Cmdline)
	}
	// btime 1700000000 + 250000 ticks / 100.
	if want := time.Unix(1700002500, 0).UTC(); !s.StartTime.Equal(want) {
		t.Errorf("start time %v, want %v", s.StartTime, want)
	}
	if s.UIDs.Real != (ID{1000, "alice"}) || s.User != "alice" || s.GIDs.FS != (ID{1000, "alice"}) {
		t.Errorf("ids: %+v %+v %q", s.UIDs, s.GIDs, s.User)
	}
	if !reflect.DeepEqual(s.Groups, []ID{{1000, "alice"}, {27, "sudo"}}) {
		t.Errorf("groups %v", s.Groups)
	}
	if s.NSReference != "pid 1" {
		t.Errorf("ns reference %q, want pid 1 (the fixture's /proc/1/ns is readable)", s.NSReference)
	}
	if len(s.Namespaces) != 10 || !s.Namespaces["net"].SharedWithHost || !s.Namespaces["net"].SharedWithSelf || s.Namespaces["net"].Inode != 4026531840 {
		t.Errorf("namespaces %v", s.Namespaces)
	}
	if len(s.Container.IsolatedNamespaces) != 0 || s.Container.Runtime != "" {
		t.Errorf("verdict %+v", s.Container)
	}
	if len(s.Caps.Effective) != 0 || len(s.Caps.Bounding) != 41 {
		t.Errorf("caps %+v", s.Caps)
	}
	if s.LSM != "unconfined" {
		t.Errorf("lsm %q", s.LSM)
	}
	if s.Env["HOME"] != "/home/alice" || !strings.HasPrefix(s.Env["GITHUB_TOKEN"], "•••• (masked,") {
		t.Errorf("env %v", s.Env)
	}
	wantFDs := []FD{
		{0, "/dev/pts/0", "tty", ""}, {1, "pipe:[4242]", "pipe", ""}, {2, "/dev/null", "device", ""},
		{3, "socket:[30001]", "socket", "tcp 127.0.0.1:8080 -> 0.0.0.0:0 LISTEN"},
		{4, "socket:[30002]", "socket", "tcp 127.0.0.1:50000 -> 127.0.0.1:8080 ESTABLISHED"},
		{5, "anon_inode:[eventpoll]", "anon_inode", ""}, {6, "socket:[30003]", "socket", "unix /run/procbox.sock"},
		{7, "net:[4026531840]", "namespace", ""}, {8, "/", "directory", ""},
	}
	if !reflect.DeepEqual(s.FDs, wantFDs) {
		t.Errorf("fds:\n got %+v\nwant %+v", s.FDs, wantFDs)
	}
	if len(s.Rlimits) != 6 || s.Rlimits[4] != (Rlimit{"Max open files", 1024, 524288, "files"}) {
		t.Errorf("rlimits %+v", s.Rlimits)
	}
	if s.Memory.VSizeBytes != 1500000000 || s.Memory.RSSBytes <= 0 || len(s.Memory.Maps) != 10 {
		t.Errorf("memory %d %d %d maps", s.Memory.VSizeBytes, s.Memory.RSSBytes, len(s.Memory.Maps))
	}
	var kinds []string
	for _, k := range s.Memory.Kinds {
		kinds = append(kinds, k.Kind)
	}
	if !reflect.DeepEqual(kinds, []string{"text", "heap", "stack", "anon", "lib", "file", "vdso", "vvar", "other"}) {
		t.Errorf("kinds %v", kinds)
	}
	if s.Syscall == nil || s.Syscall.Name != "poll" || s.Syscall.SP != 0x7ffd1b8 {
		t.Errorf("syscall %+v", s.Syscall)
	}
	if s.Limits.MemoryMax != -1 || s.Limits.CgroupVersion != "v1" {
		t.Errorf("limits %+v", s.Limits)
	}
	// It sits in the root pids cgroup of v1, which counts nothing: said, not 0.
	if s.Limits.PidsCurrent != -1 || !strings.Contains(s.Errors["limits.pids_current"], "not accounted here") {
		t.Errorf("pids_current %d, errors %v", s.Limits.PidsCurrent, s.Errors)
	}
	delete(s.Errors, "limits.pids_current")
	if len(s.Errors) != 0 {
		t.Errorf("errors %v", s.Errors)
	}
}

func TestSnapshotFixtureShowSecrets(t *testing.T) {
	s, err := fixtureFS("cgroup-v1").Snapshot(200, Options{ShowSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Env["DB_PASSWORD"] != "hunter2" || s.Env["DATABASE_URL"] != "postgres://app:s3cret@db:5432/app" {
		t.Errorf("secrets not shown: %v", s.Env)
	}
}

func TestSnapshotFixtureDockerV1(t *testing.T) {
	s, err := fixtureFS("cgroup-v1").Snapshot(200, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Comm != "nginx: master (x)" {
		t.Errorf("comm %q", s.Comm)
	}
	if want := []string{"pid", "net", "mnt", "uts", "ipc"}; !reflect.DeepEqual(s.Container.IsolatedNamespaces, want) {
		t.Errorf("isolated %v, want %v", s.Container.IsolatedNamespaces, want)
	}
	if s.Container.Runtime != "docker" || s.Container.ID != fixtureDockerID {
		t.Errorf("container %+v", s.Container)
	}
	if s.Limits.MemoryMax != 268435456 || s.Limits.PidsMax != 100 || s.Limits.CPUMax != "50000 100000" || s.Limits.OOMKills != 2 {
		t.Errorf("limits %+v", s.Limits)
	}
	wantCaps := []string{"cap_chown", "cap_dac_override", "cap_fowner", "cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid",
		"cap_setpcap", "cap_net_bind_service", "cap_net_raw", "cap_sys_chroot", "cap_mknod", "cap_audit_write", "cap_setfcap"}
	if !reflect.DeepEqual(s.Caps.Effective, wantCaps) {
		t.Errorf("caps %v", s.Caps.Effective)
	}
	if s.Seccomp != (Seccomp{2, 1, "filter"}) || !s.NoNewPrivs {
		t.Errorf("seccomp %+v nnp %v", s.Seccomp, s.NoNewPrivs)
	}
	if s.LSM != "docker-default (enforce)" {
		t.Errorf("lsm %q", s.LSM)
	}
	if s.Env["DB_PASSWORD"] != "•••• (masked, 7 chars)" || !strings.HasPrefix(s.Env["DATABASE_URL"], "••••") || s.Env["NGINX_VERSION"] != "1.25.3" {
		t.Errorf("env %v", s.Env)
	}
	if len(s.FDs) != 2 || s.FDs[1].Detail != "tcp 0.0.0.0:80 -> 0.0.0.0:0 LISTEN" {
		t.Errorf("fds %+v (a container's socket resolves from its own net table)", s.FDs)
	}
	if s.Syscall == nil || !s.Syscall.Running {
		t.Errorf("syscall %+v", s.Syscall)
	}
	if len(s.Errors) != 0 {
		t.Errorf("errors %v", s.Errors)
	}
}

func TestSnapshotFixtureDockerV2AndHybrid(t *testing.T) {
	s, err := fixtureFS("cgroup-v2").Snapshot(201, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Container.Runtime != "docker" || s.Container.ID != fixtureDockerID {
		t.Errorf("container %+v", s.Container)
	}
	if s.Limits.CgroupVersion != "v2" || s.Limits.MemoryMax != 268435456 || s.Limits.PidsMax != -1 || s.Limits.OOMKills != 1 {
		t.Errorf("limits %+v", s.Limits)
	}
	h, err := fixtureFS("cgroup-hybrid").Snapshot(200, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Limits.CgroupVersion != "v1" || h.Limits.MemoryMax != 268435456 {
		t.Errorf("hybrid limits %+v", h.Limits)
	}
}

// PID 201 has only stat, status, cgroup and ns: every other section must
// carry a reason while the readable ones are filled in.
func TestSnapshotFixtureSectionsFailAlone(t *testing.T) {
	s, err := fixtureFS("cgroup-v2").Snapshot(201, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []string{"fds", "env", "rlimits", "memory", "syscall", "uid_map", "gid_map"} {
		if s.Errors[sec] == "" {
			t.Errorf("section %s: no reason in Errors (%v)", sec, s.Errors)
		}
	}
	for _, sec := range []string{"identity", "status", "namespaces", "cgroups", "limits"} {
		if r, bad := s.Errors[sec]; bad {
			t.Errorf("section %s failed: %s", sec, r)
		}
	}
	if s.Comm != "nginx" || len(s.Caps.Effective) != 14 {
		t.Errorf("readable sections lost: comm %q caps %d", s.Comm, len(s.Caps.Effective))
	}
	// Empty collections stay empty lists in JSON, never null.
	if s.FDs == nil || s.Env == nil || s.Rlimits == nil || s.Memory.Maps == nil {
		t.Error("a failed section left a nil collection")
	}
}

func TestSnapshotFixtureGoneAndInvalid(t *testing.T) {
	fs := fixtureFS("cgroup-v1")
	_, err := fs.Snapshot(999, Options{})
	if !errors.Is(err, ErrGone) {
		t.Fatalf("err = %v, want ErrGone", err)
	}
	// The fixture's /proc is mounted hidepid=2: for a non-root caller the
	// message says the PID may be someone else's.
	if !strings.HasPrefix(err.Error(), "no process with PID 999") {
		t.Errorf("message %q", err)
	}
	if _, err := fs.Snapshot(0, Options{}); err == nil || errors.Is(err, ErrGone) {
		t.Errorf("pid 0: err = %v", err)
	}
}

func TestReasonClassifiesErrno(t *testing.T) {
	got := reason(&pathErr)
	if os.Geteuid() != 0 && got != ErrDenied.Error() || os.Geteuid() == 0 && !strings.HasPrefix(got, "permission denied even for root") {
		t.Errorf("EACCES reason = %q", got)
	}
}

// Gone answers like Snapshot for a PID with no /proc entry, and nil for one
// that exists.
func TestFSGone(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "42"), 0o755); err != nil {
		t.Fatal(err)
	}
	fs := FS{Proc: dir}
	if err := fs.Gone(42); err != nil {
		t.Errorf("Gone(42) with /proc/42 present: %v", err)
	}
	err := fs.Gone(43)
	if !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), "no process with PID 43") {
		t.Errorf("Gone(43): %v, want ErrGone saying no process with PID 43", err)
	}
}
