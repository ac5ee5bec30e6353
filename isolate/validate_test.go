package isolate

import (
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"procbox/internal/kernel"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"64M", 64 << 20, false},
		{"1G", 1 << 30, false},
		{"512k", 512 << 10, false},
		{"512KiB", 512 << 10, false},
		{"64mb", 64 << 20, false},
		{"1.5G", 3 << 29, false},
		{"65536", 65536, false},
		{"", 0, true},
		{"-1M", 0, true},
		{"abc", 0, true},
		{"M", 0, true},
	}
	for _, c := range cases {
		got, err := ParseSize(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, bad=%v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestParseNamespaces(t *testing.T) {
	got, err := ParseNamespaces("net, PID,mount,pid")
	if err != nil || strings.Join(got, ",") != "pid,net,mnt" {
		t.Errorf("got %v, %v", got, err)
	}
	all, _ := ParseNamespaces("all")
	if len(all) != len(AllNamespaces) {
		t.Errorf("all = %v", all)
	}
	_, err = ParseNamespaces("pid,bogus")
	if err == nil || !strings.Contains(err.Error(), `"bogus"`) || !strings.Contains(err.Error(), "pid, net, mnt") {
		t.Errorf("error should name the bad value and list the valid ones: %v", err)
	}
}

func TestParseCaps(t *testing.T) {
	got, err := ParseCaps("CAP_CHOWN,net_raw,cap_chown")
	if err != nil || strings.Join(got, ",") != "cap_chown,cap_net_raw" {
		t.Errorf("got %v, %v", got, err)
	}
	all, err := ParseCaps("all")
	if err != nil || len(all) < 38 {
		t.Errorf("all = %d caps, %v", len(all), err)
	}
	if _, err := ParseCaps("cap_fly"); err == nil || !strings.Contains(err.Error(), "cap_chown") {
		t.Errorf("error should list valid caps: %v", err)
	}
}

func TestParseSyscalls(t *testing.T) {
	got, err := ParseSyscalls("mkdir, unshare")
	if err != nil || strings.Join(got, ",") != "mkdir,unshare" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := ParseSyscalls("mkdirr"); err == nil || !strings.Contains(err.Error(), "mkdirr") {
		t.Errorf("unknown syscall: %v", err)
	}
	if _, err := ParseSyscalls("execve"); err == nil || !strings.Contains(err.Error(), "cannot be denied") {
		t.Errorf("execve must be refused: %v", err)
	}
	if got := expandSyscalls([]string{"mkdir"}); !strings.Contains(strings.Join(got, ","), "mkdirat") {
		t.Errorf("mkdir should also deny mkdirat: %v", got)
	}
	// A family the Go child needs before exec is refused whole, naming the member.
	for _, n := range []string{"open", "creat", "openat2", "fork", "vfork", "execveat"} {
		if _, err := ParseSyscalls(n); err == nil || !strings.Contains(err.Error(), "cannot be denied") {
			t.Errorf("--seccomp %s must be refused: %v", n, err)
		}
	}
	for _, n := range []string{"kill", "tgkill", "setuid", "mount", "fsopen"} {
		if _, err := ParseSyscalls(n); err != nil {
			t.Errorf("--seccomp %s: %v", n, err)
		}
	}
}

// TestSeccompFamily: a name denies every call that does the same job.
func TestSeccompFamily(t *testing.T) {
	if !kernel.HaveSyscallTable() {
		t.Skip("no syscall table for " + runtime.GOARCH)
	}
	for name, want := range map[string][]string{
		"kill":    {"kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo"},
		"tgkill":  {"kill", "tkill", "tgkill", "pidfd_send_signal"},
		"setuid":  {"setuid", "setreuid", "setresuid", "setfsuid"},
		"mount":   {"mount", "fsopen", "fsmount", "fsconfig", "move_mount", "open_tree", "mount_setattr"},
		"open":    {"openat", "openat2"},
		"rmdir":   {"unlinkat", "io_uring_setup", "io_uring_enter"},
		"mkdir":   {"mkdirat", "io_uring_setup", "io_uring_enter", "io_uring_register"},
		"ptrace":  {"ptrace", "process_vm_writev", "pidfd_getfd"},
		"socket":  {"socket", "io_uring_setup", "io_uring_enter", "io_uring_register"},
		"bind":    {"bind", "io_uring_enter"},
		"unshare": {"unshare"},
	} {
		got := SeccompFamily(name)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("SeccompFamily(%s) = %v, missing %s", name, got, w)
			}
		}
	}
	if got := SeccompFamily("unshare"); len(got) != 1 {
		t.Errorf("unshare is a family of one: %v", got)
	}
	// The ring does several jobs; naming it must not deny them all.
	if got := SeccompFamily("io_uring_enter"); len(got) != 3 {
		t.Errorf("io_uring_enter denies only the ring: %v", got)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/f"
	writeFile(t, file)
	cases := []struct {
		name string
		spec Spec
		want string // substring of the error; "" = valid
	}{
		{"zero", Spec{}, ""},
		{"all", Spec{Namespaces: AllNamespaces, Hostname: "x", MapRoot: true, MemoryMax: 64 << 20, PidsMax: 10, CPUMax: 0.5,
			DropCaps: []string{"cap_chown"}, Seccomp: []string{"mkdir"}, Rootfs: dir, Veth: true, TimeOffset: time.Hour}, ""},
		{"unknown ns", Spec{Namespaces: []string{"pid", "nett"}}, "unknown namespace"},
		{"hostname without uts", Spec{Hostname: "x"}, "--hostname needs the uts namespace"},
		{"map-root without user", Spec{MapRoot: true}, "--map-root needs the user namespace"},
		{"rootfs without mnt", Spec{Rootfs: dir}, "--rootfs needs the mnt namespace"},
		{"rootfs not a dir", Spec{Namespaces: []string{NSMnt}, Rootfs: file}, "not a directory"},
		{"rootfs missing", Spec{Namespaces: []string{NSMnt}, Rootfs: dir + "/nope"}, "no such file"},
		{"veth without net", Spec{Veth: true}, "--veth needs the net namespace"},
		{"offset without time", Spec{TimeOffset: time.Hour}, "--time-offset needs the time namespace"},
		{"negative offset", Spec{Namespaces: []string{NSTime}, TimeOffset: -time.Hour}, "negative"},
		{"negative mem", Spec{MemoryMax: -1}, "negative"},
		{"tiny mem", Spec{MemoryMax: 4096}, "below 1 MiB"},
		{"negative pids", Spec{PidsMax: -1}, "negative"},
		{"negative cpu", Spec{CPUMax: -0.5}, "not a CPU quota"},
		{"NaN cpu", Spec{CPUMax: math.NaN()}, "not a CPU quota"},
		{"huge cpu", Spec{CPUMax: 1e9}, "more than"},
		{"unknown cap", Spec{DropCaps: []string{"cap_nope"}}, "unknown capability"},
		{"unknown syscall", Spec{Seccomp: []string{"nope"}}, "unknown syscall"},
	}
	for _, c := range cases {
		err := c.spec.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: error is not one line: %q", c.name, err)
		}
	}
}

func writeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}
