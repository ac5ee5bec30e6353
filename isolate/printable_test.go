package isolate

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

const sgr = "x\x1b[5;41m" // blink on red: what `hostname "$(printf 'x\033[5;41m')"` sets

func noEscape(t *testing.T, what, s string) {
	t.Helper()
	if strings.ContainsAny(s, "\x1b\n\x07\x9b") {
		t.Errorf("%s reaches the terminal raw: %q", what, s)
	}
}

// TestViewPrintable: every string of a view, an observation and an outcome
// comes out escaped.
func TestViewPrintable(t *testing.T) {
	v := View{Hostname: sgr, Procs: []string{"1 " + sgr}, Interfaces: []Interface{{Name: "e\x1b]2;t\x07", Addrs: []string{sgr}}},
		MountRoot: sgr, UIDMap: sgr, CgroupPath: "/\x1b[2J", CapEff: []string{sgr}, Errors: map[string]string{"x": "bad\nline"}}
	p := v.Printable()
	for _, s := range []string{p.Hostname, p.Procs[0], p.Interfaces[0].Name, p.Interfaces[0].Addrs[0], p.MountRoot, p.UIDMap, p.CgroupPath, p.CapEff[0], p.Errors["x"]} {
		noEscape(t, "View", s)
	}
	if p.Hostname != `x\x1b[5;41m` {
		t.Errorf("hostname shown as %q", p.Hostname)
	}
	if v.Procs[0] != "1 "+sgr {
		t.Error("Printable changed the original view's slice")
	}
	o := Observed{Comm: sgr, Hostname: sgr, Mounts: []string{"/mnt/\x1b[31m tmpfs none"}, Errors: map[string]string{"a": sgr}}.Printable()
	for _, s := range []string{o.Comm, o.Hostname, o.Mounts[0], o.Errors["a"]} {
		noEscape(t, "Observed", s)
	}
	out := Outcome{Summary: sgr, Cause: sgr, Errno: sgr}.Printable()
	for _, s := range []string{out.Summary, out.Cause, out.Errno} {
		noEscape(t, "Outcome", s)
	}
}

// TestChildStringsEscaped replays the attack on a live Lab child: its
// hostname set to an SGR sequence from inside its uts namespace, and a
// process named with ESC observed from the host. Neither reaches the
// terminal raw.
func TestChildStringsEscaped(t *testing.T) {
	needRoot(t)
	needNS(t, NSUTS)
	checkNoLeaks(t)
	c := startChild(t, Spec{Namespaces: []string{NSUTS}})
	// Do what `hostname "$(printf 'x\033[5;41m')"` in the child's shell does:
	// sethostname inside its uts namespace (on a thread of our own).
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends in the child's namespace
		fd, err := unix.Open("/proc/"+strconv.Itoa(c.PID())+"/ns/uts", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWUTS); err != nil {
			errc <- err
			return
		}
		errc <- unix.Sethostname([]byte(sgr))
	}()
	if err := <-errc; err != nil {
		t.Fatalf("sethostname in the child's namespace: %v", err)
	}
	v, err := c.ChildView()
	if err != nil {
		t.Fatal(err)
	}
	noEscape(t, "the child's hostname", v.Hostname)
	if v.Hostname != `x\x1b[5;41m` {
		t.Errorf("the child's hostname shown as %q", v.Hostname)
	}
	ob, err := Observe(c.PID())
	if err != nil {
		t.Fatal(err)
	}
	noEscape(t, "Observe's hostname", ob.Hostname)

	// A process whose name holds ESC (comm is the file name executed).
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep")
	}
	link := filepath.Join(t.TempDir(), "n\x1b[31m")
	if err := os.Symlink(sleep, link); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(link, "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	ob, err = Observe(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	noEscape(t, "a process name", ob.Comm)
	if !strings.Contains(ob.Comm, `\x1b[31m`) {
		t.Errorf("process name shown as %q", ob.Comm)
	}
}
