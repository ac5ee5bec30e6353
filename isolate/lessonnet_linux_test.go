package isolate

import (
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLessonRule(t *testing.T) {
	for line, want := range map[string]bool{
		"-A POSTROUTING -s 10.199.1.0/24 ! -o pbxbr0 -j MASQUERADE":                                  true,
		"-A PREROUTING -i pbxout0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.199.1.2:80": true,
		"-A POSTROUTING -o pbxout0 -j MASQUERADE":                                                    true,
		"-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE":                                 false,
		"-A POSTROUTING -s 10.1.99.0/24 -j MASQUERADE":                                               false,
		"-A POSTROUTING -o pbxbr0x -j MASQUERADE":                                                    false,
		`-A POSTROUTING -m comment --comment "10.199.1.0 is mine" -j RETURN`:                         false, // quoted: never split back
		"-P POSTROUTING ACCEPT":                                                                      false,
		"-N DOCKER":                                                                                  false,
		"-A DOCKER -i pbx1234h -j RETURN":                                                            false, // a procbox veth, not the lesson's
	} {
		if got := lessonRule(line); got != want {
			t.Errorf("lessonRule(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestParseTCPTable(t *testing.T) {
	// Lines as the kernel writes them (little-endian words): tcp, then tcp6
	// with an IPv4-mapped address and a real IPv6 one.
	tcp := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0201C70A:A0D2 0101C70A:1F40 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
`
	tcp6 := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000202C70A:2328 0000000000000000FFFF00000102C70A:C742 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 20 4 30 10 -1
   1: 000080FE00000000FF005452855A8AFE:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
`
	if !littleEndian() {
		t.Skip("the sample lines are a little-endian kernel's")
	}
	got := append(parseTCPTable([]byte(tcp)), parseTCPTable([]byte(tcp6))...)
	want := []Conn{
		{Local: "10.199.1.2:41170", Remote: "10.199.1.1:8000", State: "TIME_WAIT"},
		{Local: "0.0.0.0:80", Remote: "0.0.0.0:0", State: "LISTEN"},
		{Local: "10.199.2.2:9000", Remote: "10.199.2.1:51010", State: "ESTABLISHED"},
		{Local: "[fe80::5254:ff:fe8a:5a85]:22", Remote: "[::]:0", State: "LISTEN"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !got[0].Connected() || !got[2].Connected() || got[1].Connected() {
		t.Error("TIME_WAIT and ESTABLISHED are connected, LISTEN is not")
	}
	if c := parseTCPTable([]byte("   0: zz:1 00:0 01\n   1: 0100007F:0050\n")); len(c) != 0 {
		t.Errorf("malformed lines parsed: %+v", c)
	}
}

func littleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

// inPrivateNet runs fn on a thread of its own in a new network namespace:
// the links, nat rules and ip_forward it changes are that namespace's,
// never the host's (other tests, and other packages' tests, run at the same
// time on the host). Commands fn starts inherit the namespace.
func inPrivateNet(t *testing.T, fn func()) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no live network namespaces")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root for a network namespace")
	}
	done := make(chan bool)
	go func() {
		// The thread is never unlocked: it dies with this goroutine, and
		// its namespace with it.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			t.Errorf("unshare(CLONE_NEWNET): %v", err)
			done <- false
			return
		}
		fn()
		done <- true
	}()
	if !<-done {
		t.FailNow()
	}
}

func netRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func readForward(t *testing.T) string {
	b, err := os.ReadFile(ipForwardFile)
	if err != nil {
		t.Error(err)
	}
	return strings.TrimSpace(string(b))
}

// TestCleanLessonNet: the cleanup removes the lesson's links and nat rules
// and puts ip_forward back, and leaves a rule and a link that are not the
// lesson's alone (it never flushes a table).
func TestCleanLessonNet(t *testing.T) {
	for _, tool := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	inPrivateNet(t, func() {
		netRun(t, "ip", "link", "add", "pbxbr0", "type", "bridge")
		netRun(t, "ip", "link", "add", "pbxveth0", "type", "veth", "peer", "name", "pbxpeer0")
		netRun(t, "ip", "link", "set", "pbxveth0", "master", "pbxbr0")
		netRun(t, "ip", "link", "add", "keepme0", "type", "bridge")
		netRun(t, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.199.1.0/24", "!", "-o", "pbxbr0", "-j", "MASQUERADE")
		netRun(t, "iptables", "-t", "nat", "-A", "PREROUTING", "-i", "pbxout0", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", "10.199.1.2:80")
		netRun(t, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "192.0.2.0/24", "-j", "MASQUERADE")
		if err := os.WriteFile(ipForwardFile, []byte("1\n"), 0o644); err != nil {
			t.Error(err)
			return
		}
		done, err := cleanLessonNet("0", false, nil)
		if err != nil {
			t.Errorf("cleanLessonNet: %v", err)
		}
		for _, l := range []string{"pbxbr0", "pbxveth0", "pbxpeer0"} {
			if _, err := net.InterfaceByName(l); err == nil {
				t.Errorf("%s is still there", l)
			}
		}
		if _, err := net.InterfaceByName("keepme0"); err != nil {
			t.Errorf("a link that is not the lesson's was removed: %v", err)
		}
		rules, err := NATRules()
		if err != nil {
			t.Error(err)
		}
		if want := []string{"-A POSTROUTING -s 192.0.2.0/24 -j MASQUERADE"}; !slices.Equal(rules, want) {
			t.Errorf("nat rules after the cleanup: %q, want only the foreign %q", rules, want)
		}
		if f := readForward(t); f != "0" {
			t.Errorf("ip_forward is %s after the cleanup, want 0 back", f)
		}
		if len(done) != 5 { // two links, two rules, ip_forward (the peer goes with its veth)
			t.Errorf("reported %d undone things: %q", len(done), done)
		}
		// A second cleanup finds nothing to do.
		if again, err := cleanLessonNet("0", false, nil); err != nil || len(again) != 0 {
			t.Errorf("second cleanup: %q, %v", again, err)
		}
	})
}

// TestObserveContainerNet: Observe reads a namespace's default route, a
// connection made in it, ip_forward, and the host side's link kinds and
// masters; the "host" here is a private namespace of the test's own.
func TestObserveContainerNet(t *testing.T) {
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs ip")
	}
	inPrivateNet(t, func() {
		child := exec.Command("sleep", "30")
		child.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
		if err := child.Start(); err != nil {
			t.Errorf("child in a new network namespace: %v", err)
			return
		}
		defer func() { child.Process.Kill(); child.Wait() }()
		pid := strconv.Itoa(child.Process.Pid)
		netRun(t, "ip", "link", "add", "tbr0", "type", "bridge")
		netRun(t, "ip", "addr", "add", "10.198.1.1/24", "dev", "tbr0")
		netRun(t, "ip", "link", "set", "tbr0", "up")
		netRun(t, "ip", "link", "add", "tveth0", "type", "veth", "peer", "name", "eth0", "netns", pid)
		netRun(t, "ip", "link", "set", "tveth0", "master", "tbr0", "up")
		in := []string{"nsenter", "-t", pid, "-n", "ip"}
		netRun(t, append(in, "addr", "add", "10.198.1.2/24", "dev", "eth0")...)
		netRun(t, append(in, "link", "set", "eth0", "up")...)
		netRun(t, append(in, "route", "add", "default", "via", "10.198.1.1")...)

		// A TCP connection from the child's namespace to the bridge's
		// address: listen here, dial from a thread inside the child's.
		ln, err := net.Listen("tcp4", "10.198.1.1:0")
		if err != nil {
			t.Error(err)
			return
		}
		defer ln.Close()
		dialed := make(chan net.Conn, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread dies in the child's namespace
			fd, err := unix.Open("/proc/"+pid+"/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err == nil {
				err = unix.Setns(fd, unix.CLONE_NEWNET)
				unix.Close(fd)
			}
			if err != nil {
				t.Errorf("setns into the child: %v", err)
				dialed <- nil
				return
			}
			c, err := net.Dial("tcp4", ln.Addr().String())
			if err != nil {
				t.Errorf("dial from the child's namespace: %v", err)
			}
			dialed <- c
		}()
		c := <-dialed
		if c == nil {
			return
		}
		defer c.Close()
		srv, err := ln.Accept()
		if err != nil {
			t.Error(err)
			return
		}
		defer srv.Close()

		o, err := Observe(child.Process.Pid)
		if err != nil {
			t.Errorf("Observe: %v", err)
			return
		}
		if !slices.Contains(o.Routes, Route{Dst: "default", Via: "10.198.1.1", Dev: "eth0"}) {
			t.Errorf("routes %+v: want default via 10.198.1.1 dev eth0", o.Routes)
		}
		want := Conn{Local: c.LocalAddr().String(), Remote: ln.Addr().String(), State: "ESTABLISHED"}
		if !slices.Contains(o.Conns, want) {
			t.Errorf("conns %+v: want %+v", o.Conns, want)
		}
		// A new namespace's ip_forward is copied from the host's
		// (net.core.devconf_inherit_init_net 0): read it where it lives.
		inside := strings.TrimSpace(netRun(t, "nsenter", "-t", pid, "-n", "cat", ipForwardFile))
		if o.Forwarding != (inside == "1") {
			t.Errorf("Forwarding %v, but ip_forward in the namespace is %q", o.Forwarding, inside)
		}
		// The "host" side, read through a process in the test's namespace.
		host := exec.Command("sleep", "30")
		if err := host.Start(); err != nil {
			t.Error(err)
			return
		}
		defer func() { host.Process.Kill(); host.Wait() }()
		h, err := Observe(host.Process.Pid)
		if err != nil {
			t.Errorf("Observe: %v", err)
			return
		}
		kinds := map[string]Interface{}
		for _, i := range h.Interfaces {
			kinds[i.Name] = i
		}
		if kinds["tbr0"].Kind != "bridge" || kinds["tveth0"].Kind != "veth" || kinds["tveth0"].Master != "tbr0" {
			t.Errorf("host links: tbr0 %+v, tveth0 %+v: want a bridge and a veth plugged into it", kinds["tbr0"], kinds["tveth0"])
		}
	})
}

// TestCleanLessonNetNatTable: iptables (nf_tables backend) makes the nat
// table for the first rule and leaves it; when the lesson's rule made it,
// the cleanup deletes it once empty, and keeps it while anyone else's rule
// is in it. The sweep's entry drives the same cleanup, and a forged entry
// does nothing.
func TestCleanLessonNetNatTable(t *testing.T) {
	if _, err := exec.LookPath("iptables"); err != nil {
		t.Skip("needs iptables")
	}
	inPrivateNet(t, func() {
		if !iptablesNFT() {
			t.Log("iptables uses the legacy tables here: no nf_tables nat table to check")
			return
		}
		lesson := []string{"POSTROUTING", "-s", "10.199.1.0/24", "!", "-o", "pbxbr0", "-j", "MASQUERADE"}
		add := func(rule []string) { netRun(t, append([]string{"iptables", "-t", "nat", "-A"}, rule...)...) }
		exists := func() bool {
			e, err := natTableExists()
			if err != nil {
				t.Error(err)
			}
			return e
		}
		if exists() {
			t.Error("a new network namespace has a nat table")
			return
		}
		// Through the sweep's entry, as for a procbox that died.
		add(lesson)
		if _, err := sweepItem(ownedItem{OwnLessonNet, "ip_forward=0 nat=new"}, 0, nil, &SweepReport{}); err != nil {
			t.Error(err)
		}
		if exists() {
			t.Error("the nat table the lesson's rule made is still there after the sweep")
		}
		// Someone else's rule keeps the table.
		add(lesson)
		foreign := []string{"POSTROUTING", "-s", "192.0.2.0/24", "-j", "MASQUERADE"}
		add(foreign)
		if _, err := cleanLessonNet("0", true, nil); err != nil {
			t.Error(err)
		}
		if !exists() {
			t.Error("the nat table went with someone else's rule in it")
		}
		if rules, _ := NATRules(); len(rules) != 1 {
			t.Errorf("rules left: %q, want the foreign one", rules)
		}
		// Forged entries are ignored: the foreign rule stays.
		for _, v := range []string{"", "ip_forward=0 nat=new flush", "nat=new", "ip_forward=0 all"} {
			if did, _ := sweepLessonNet(v); did != "" {
				t.Errorf("forged entry %q did %s", v, did)
			}
		}
		if !exists() {
			t.Error("a forged entry deleted the table")
		}
	})
}

// TestLessonNetGuard: a shell that never claimed cleans nothing (a learner
// in a namespace step never touches the lesson's names); a claimed one
// cleans; and while another live procbox also claims the lesson's network,
// the guard leaves it to that one, the last out, and adopts its record of
// ip_forward. Other procboxes on this host (other tests) claim too, so the
// test runs again as a child with a /run/procbox and a network namespace of
// its own, where the only claims are its own.
func TestLessonNetGuard(t *testing.T) {
	if os.Getenv("PROCBOX_TEST_OWN_RUN") == "1" {
		lessonNetGuardInside(t)
		return
	}
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("needs root and no -short: a private /run/procbox and network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs ip")
	}
	script := `mount -t tmpfs -o mode=0700 tmpfs ` + ownerRunDir + ` && exec "$0" -test.run '^TestLessonNetGuard$' -test.count=1 -test.v`
	cmd := exec.Command("unshare", "--mount", "--net", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), "PROCBOX_TEST_OWN_RUN=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestLessonNetGuard") {
		t.Errorf("the guard test in its own namespaces: %v\n%s", err, out)
	}
}

func lessonNetGuardInside(t *testing.T) {
	exists := func() bool { _, err := net.InterfaceByName("pbxbr0"); return err == nil }
	setForward := func(v string) {
		if err := os.WriteFile(ipForwardFile, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setForward("0")
	g := WatchLessonNet()
	netRun(t, "ip", "link", "add", "pbxbr0", "type", "bridge")
	if did, err := g.Clean(); err != nil || len(did) != 0 || !exists() {
		t.Errorf("an unclaimed guard cleaned: %q %v", did, err)
	}
	// Another live procbox's learner builds the network, and recorded
	// ip_forward 0 before its commands turned it on: a lock file held
	// through an open file description of its own.
	other := filepath.Join(OwnerDir(), "other.lock")
	f, err := os.OpenFile(other, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	f.WriteString(OwnLessonNet + " \"ip_forward=0\"\n")
	setForward("1")
	g = WatchLessonNet()
	if g.forward != "0" {
		t.Errorf("a guard made while another learner builds the network records ip_forward %s, not that one's 0", g.forward)
	}
	if err := g.Claim(); err != nil {
		t.Fatal(err)
	}
	if did, err := g.Clean(); err != nil || !exists() || len(did) != 1 || !strings.Contains(did[0], "another procbox's learner") {
		t.Errorf("cleaned while another learner builds the network: %q %v", did, err)
	}
	// The other one is gone: the next guard, claimed, cleans, and puts
	// ip_forward back to the value from before any learner.
	f.Close()
	os.Remove(other)
	g.Claim()
	if did, err := g.Clean(); err != nil || exists() {
		t.Errorf("a claimed guard left pbxbr0: %q %v", did, err)
	}
	if f := readForward(t); f != "0" {
		t.Errorf("ip_forward %s after the last guard, want 0", f)
	}
	if slices.ContainsFunc(ownerSelfItems(), func(it ownedItem) bool { return it.kind == OwnLessonNet }) {
		t.Error("the claim outlived Clean")
	}
}

// TestLegacyListsLessonLinks: a lesson link that no lock file covers (the
// learner typed the commands outside procbox, or procbox died before its
// claim) is listed by doctor --clean as unlisted state, to remove with --legacy.
func TestLegacyListsLessonLinks(t *testing.T) {
	if LessonNetInUse() {
		t.Skip("another procbox's learner is building the lesson's network on this host now")
	}
	inPrivateNet(t, func() {
		netRun(t, "ip", "link", "add", "pbxbr0", "type", "bridge")
		if !slices.Contains(legacyState(), ownedItem{OwnVeth, "pbxbr0"}) {
			t.Error("pbxbr0 is not listed as unlisted state")
		}
		if _, err := sweepItem(ownedItem{OwnVeth, "pbxbr0"}, 0, nil, &SweepReport{}); err != nil {
			t.Error(err)
		}
		if _, err := net.InterfaceByName("pbxbr0"); err == nil {
			t.Error("--legacy's removal left pbxbr0")
		}
	})
}
