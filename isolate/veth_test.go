package isolate

// Live veth tests: root, a child in its own network namespace, and netlink.

import (
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// vethChild starts `sleep 30` in a new network namespace or skips with the reason.
func vethChild(t *testing.T) int {
	t.Helper()
	if testing.Short() {
		t.Skip("live veth test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces and veth pairs")
	}
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a child in a new network namespace: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd.Process.Pid
}

// vethNeedRoot skips a live veth test in -short mode or without root.
func vethNeedRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("live veth test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to create veth pairs")
	}
}

// vethAssertGone checks no link of that name is left on the host.
func vethAssertGone(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := netlink.LinkByName(n); err == nil {
			t.Errorf("link %s left on the host", n)
		}
	}
}

func TestVethLive(t *testing.T) {
	pid := vethChild(t)
	v, steps, err := SetupVeth(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := v.Remove(); err != nil {
			t.Errorf("Remove: %v", err)
		}
		vethAssertGone(t, v.HostName(), v.ChildName())
	})
	p := strconv.Itoa(pid)
	if v.HostName() != "pbx"+p+"h" || v.ChildName() != "pbx"+p+"c" {
		t.Errorf("names %q %q", v.HostName(), v.ChildName())
	}
	x := strings.TrimSuffix(strings.TrimPrefix(v.HostAddr(), "10.200."), ".1")
	if v.ChildAddr() != "10.200."+x+".2" {
		t.Errorf("addresses %s and %s not in one /30", v.HostAddr(), v.ChildAddr())
	}
	want := []string{
		"ip link add " + v.HostName() + " type veth peer name " + v.ChildName() + " netns " + p,
		"ip addr add " + v.HostAddr() + "/30 dev " + v.HostName(),
		"ip link set " + v.HostName() + " up",
		"nsenter -t " + p + " -n ip addr add " + v.ChildAddr() + "/30 dev " + v.ChildName(),
		"nsenter -t " + p + " -n ip link set " + v.ChildName() + " up",
		"nsenter -t " + p + " -n ip link set lo up",
	}
	if got := commands(steps); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
	// --explain's plan is the same list with placeholders.
	r := strings.NewReplacer("CHILD_PID", p, "10.200.X.", "10.200."+x+".")
	for i, st := range PlanVeth() {
		if i >= len(steps) || r.Replace(st.Command) != steps[i].Command {
			t.Errorf("PlanVeth step %d = %q, SetupVeth did %q", i, r.Replace(st.Command), commands(steps))
		}
	}

	// Host end: present, up, with its address; the child end is not on the host.
	host, err := netlink.LinkByName(v.HostName())
	if err != nil {
		t.Fatal(err)
	}
	if host.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("host end is down")
	}
	addrs, err := netlink.AddrList(host, netlink.FAMILY_V4)
	if err != nil || len(addrs) != 1 || addrs[0].IPNet.String() != v.HostAddr()+"/30" {
		t.Errorf("host end addresses %v %v, want %s/30", addrs, err, v.HostAddr())
	}
	vethAssertGone(t, v.ChildName())

	// Child end, seen from inside with the tools a person would use.
	if _, err := exec.LookPath("nsenter"); err == nil {
		out, err := exec.Command("nsenter", "-t", p, "-n", "ip", "-o", "addr").CombinedOutput()
		if err != nil {
			t.Fatalf("nsenter ip addr: %v %s", err, out)
		}
		if !strings.Contains(string(out), v.ChildName()) || !strings.Contains(string(out), v.ChildAddr()+"/30") {
			t.Errorf("child side does not show %s %s/30:\n%s", v.ChildName(), v.ChildAddr(), out)
		}
		links, _ := exec.Command("nsenter", "-t", p, "-n", "ip", "-o", "link").CombinedOutput()
		for _, l := range strings.Split(string(links), "\n") {
			if (strings.Contains(l, " lo:") || strings.Contains(l, v.ChildName())) && !strings.Contains(l, ",UP") {
				t.Errorf("child link not up: %s", l)
			}
		}
	}

	// The cable carries traffic: a TCP connection from the child's namespace
	// to a listener on the host end.
	ln, err := net.Listen("tcp", v.HostAddr()+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn)
		got <- string(b) + " from " + conn.RemoteAddr().(*net.TCPAddr).IP.String()
	}()
	if err := vethDialFromNetns(pid, ln.Addr().String(), "hello"); err != nil {
		t.Fatal(err)
	}
	if msg := <-got; msg != "hello from "+v.ChildAddr() {
		t.Errorf("host received %q, want hello from %s", msg, v.ChildAddr())
	}

	// Remove deletes both ends; the child's namespace keeps only lo.
	if err := v.Remove(); err != nil {
		t.Fatal(err)
	}
	vethAssertGone(t, v.HostName())
	if out, err := exec.Command("nsenter", "-t", p, "-n", "ip", "-o", "link").CombinedOutput(); err == nil && strings.Contains(string(out), v.ChildName()) {
		t.Errorf("child end survived Remove:\n%s", out)
	}
	if err := v.Remove(); err != nil {
		t.Errorf("second Remove: %v", err)
	}
}

// vethDialFromNetns connects to addr from inside pid's network namespace: a
// socket belongs to the namespace of the thread that creates it, so one locked
// thread switches in, dials, and switches back.
func vethDialFromNetns(pid int, addr, msg string) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			runtime.UnlockOSThread()
			return
		}
		defer orig.Close()
		target, err := netns.GetFromPid(pid)
		if err != nil {
			errc <- err
			runtime.UnlockOSThread()
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			errc <- err
			runtime.UnlockOSThread()
			return
		}
		conn, dialErr := net.Dial("tcp", addr)
		if err := netns.Set(orig); err != nil {
			// Leave the thread locked: the runtime discards it when this
			// goroutine ends, so no other goroutine runs in the wrong namespace.
			errc <- errors.Join(dialErr, err)
			return
		}
		runtime.UnlockOSThread()
		if dialErr != nil {
			errc <- dialErr
			return
		}
		_, err = conn.Write([]byte(msg))
		errc <- errors.Join(err, conn.Close())
	}()
	return <-errc
}

func TestVethSetupFailsCleanly(t *testing.T) {
	vethNeedRoot(t)
	// A pid with no process: refused before anything is made.
	_, _, err := SetupVeth(sweepDeadPID)
	if err == nil {
		t.Fatal("SetupVeth for a dead pid succeeded")
	}
	host, peer := vethNames(sweepDeadPID)
	vethAssertGone(t, host, peer)

	// The child's namespace already has a link with the peer's name: the
	// pair cannot be made, and nothing may appear on the host.
	pid := vethChild(t)
	host, peer = vethNames(pid)
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		t.Fatal(err)
	}
	h, err := netlink.NewHandleAt(ns)
	ns.Close()
	if err != nil {
		t.Fatal(err)
	}
	// (A veth pair of its own, inside the child: it dies with the child's namespace.)
	err = h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: peer}, PeerName: "procbox-tmp"})
	h.Close()
	if err != nil {
		t.Fatalf("cannot create a link in the child's namespace: %v", err)
	}
	_, _, err = SetupVeth(pid)
	if err == nil || !strings.Contains(err.Error(), "cannot create veth pair "+host+"/"+peer) {
		t.Errorf("SetupVeth with the peer name taken: err = %v", err)
	}
	vethAssertGone(t, host, peer)
	if _, _, err := SetupVeth(0); err == nil {
		t.Error("SetupVeth(0) succeeded")
	}
	// A process in the host's network namespace gets no pair at all.
	_, _, err = SetupVeth(os.Getpid())
	if err == nil || !strings.Contains(err.Error(), "shares the host's network namespace") {
		t.Errorf("SetupVeth(self) err = %v", err)
	}
	host, peer = vethNames(os.Getpid())
	vethAssertGone(t, host, peer)
}

// TestSweepVethsByLock: a link a dead owner's lock file lists is deleted; a
// pbx link no lock file lists (an older procbox's, or a live nested one's
// whose file this sweep cannot see) is only listed as legacy.
func TestSweepVethsByLock(t *testing.T) {
	vethNeedRoot(t)
	deadHost, deadPeer := vethNames(sweepDeadPID)
	otherHost, otherPeer := vethNames(sweepDeadPID + 1)
	for _, pair := range [][2]string{{deadHost, deadPeer}, {otherHost, otherPeer}} {
		if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: pair[0]}, PeerName: pair[1]}); err != nil {
			t.Fatalf("ip link add %s: %v", pair[0], err)
		}
	}
	t.Cleanup(func() {
		_, _ = vethDelete(otherHost)
		_, _ = vethDelete(deadHost)
		vethAssertGone(t, deadHost, deadPeer, otherHost, otherPeer)
	})
	writeDeadLock(t, ownedItem{OwnVeth, deadHost})
	rep, err := SweepOwned(true, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rep.Removed, deadHost) {
		t.Errorf("the sweep removed %q, want %s", rep.Removed, deadHost)
	}
	vethAssertGone(t, deadHost, deadPeer)
	if _, err := netlink.LinkByName(otherHost); err != nil {
		t.Errorf("an unlisted link was swept: %v", err)
	}
	if !slices.Contains(rep.Legacy, otherHost) {
		t.Errorf("the unlisted link is not reported as legacy: %q", rep.Legacy)
	}
}

// BenchmarkVethSetup measures what --veth adds to a start: create the pair
// with one end in the child's namespace, address and raise both ends.
func BenchmarkVethSetup(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root to create veth pairs")
	}
	cmd := exec.Command("sleep", "300")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Skipf("cannot start a child in a new network namespace: %v", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, _, err := SetupVeth(cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		// Removal is not on the start path (and waits for the kernel to
		// quiesce the device): left out of the time.
		b.StopTimer()
		if err := v.Remove(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
