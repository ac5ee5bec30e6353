//go:build linux

package isolate

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Command is pure: these run without root and create nothing.
func TestCommandCloneFlags(t *testing.T) {
	cmd, err := Command(Spec{Namespaces: AllNamespaces, MapRoot: true, TimeOffset: time.Hour}, []string{"true"})
	if err != nil {
		t.Fatal(err)
	}
	attr := cmd.SysProcAttr
	want := uintptr(unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWUSER)
	if attr.Cloneflags != want {
		t.Errorf("Cloneflags = %#x, want %#x", attr.Cloneflags, want)
	}
	// cgroup and time are unshared by the child itself, after placement / before exec.
	if attr.Cloneflags&(unix.CLONE_NEWCGROUP|unix.CLONE_NEWTIME) != 0 {
		t.Error("cgroup/time namespaces must not be clone flags")
	}
	if attr.Pdeathsig != syscall.SIGKILL {
		t.Errorf("Pdeathsig = %v", attr.Pdeathsig)
	}
	if len(attr.UidMappings) != 1 || attr.UidMappings[0].ContainerID != 0 || attr.UidMappings[0].HostID != os.Getuid() || attr.UidMappings[0].Size != 1 {
		t.Errorf("UidMappings = %+v", attr.UidMappings)
	}
	if len(attr.GidMappings) != 1 || attr.GidMappings[0].HostID != os.Getgid() || attr.GidMappingsEnableSetgroups {
		t.Errorf("GidMappings = %+v setgroups=%v", attr.GidMappings, attr.GidMappingsEnableSetgroups)
	}
	if cmd.Path != "/proc/self/exe" || strings.Join(cmd.Args[1:], " ") != childMarker+" run -- true" {
		t.Errorf("Path %q Args %q", cmd.Path, cmd.Args)
	}
	if cmd.Process != nil {
		t.Error("Command must not start anything")
	}
}

func TestCommandPlain(t *testing.T) {
	cmd, err := Command(Spec{}, []string{"echo", "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if cmd.SysProcAttr.Cloneflags != 0 || cmd.SysProcAttr.UidMappings != nil {
		t.Errorf("the zero Spec must isolate nothing: %+v", cmd.SysProcAttr)
	}
}

func TestCommandUserWithoutMapRoot(t *testing.T) {
	cmd, err := Command(Spec{Namespaces: []string{NSUser}}, []string{"id"})
	if err != nil {
		t.Fatal(err)
	}
	m := cmd.SysProcAttr.UidMappings
	if len(m) != 1 || m[0].ContainerID != os.Getuid() || m[0].HostID != os.Getuid() {
		t.Errorf("without --map-root the caller stays itself: %+v", m)
	}
}

func TestCommandRejects(t *testing.T) {
	if _, err := Command(Spec{Hostname: "x"}, []string{"true"}); err == nil {
		t.Error("invalid spec accepted")
	}
	if _, err := Command(Spec{}, nil); err == nil {
		t.Error("empty argv accepted")
	}
}

func TestExplain(t *testing.T) {
	spec := Spec{Namespaces: AllNamespaces, Hostname: "box", MapRoot: true, MemoryMax: 64 << 20, PidsMax: 10,
		DropCaps: []string{"cap_chown"}, Seccomp: []string{"mkdir"}, TimeOffset: 24 * time.Hour}
	var all []string
	for _, s := range Explain(spec) {
		if s.What == "" || s.Command == "" {
			t.Errorf("empty step %+v", s)
		}
		all = append(all, s.Command)
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		"unshare --pid --fork --mount-proc", "--map-root-user", "--monotonic 86400",
		"mount --make-rprivate /", "mount -t proc proc /proc", "hostname box", "ip link set lo up",
		"capsh --drop=cap_chown", "mkdirat", "--boottime 86400",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Explain lacks %q:\n%s", want, text)
		}
	}
	// unshare writes the offsets; the same write typed inside fails (I/O error).
	if strings.Contains(text, "timens_offsets") {
		t.Errorf("Explain prints a timens_offsets write that cannot run as printed:\n%s", text)
	}
	if _, err := os.Stat("/sys/fs/cgroup"); err == nil && !strings.Contains(text, "67108864") {
		t.Errorf("Explain lacks the memory limit write:\n%s", text)
	}
	if len(Explain(Spec{})) != 0 {
		t.Errorf("the zero Spec needs no steps: %v", Explain(Spec{}))
	}
}
