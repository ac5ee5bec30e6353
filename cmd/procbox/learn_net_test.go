package main

import (
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"procbox/isolate"
)

// hostNetUntouched skips when the host already has the lesson's links (they
// are not the test's to take), and checks after the test that the host's
// network is as it was: no lesson link, no nat rule naming a lesson address
// or link, ip_forward unchanged.
func hostNetUntouched(t *testing.T) {
	t.Helper()
	if isolate.LessonNetInUse() {
		t.Skip("another procbox's learner is building the lesson's network on this host now")
	}
	for _, l := range isolate.LessonLinks {
		if _, err := net.InterfaceByName(l); err == nil {
			t.Skipf("%s exists already and is not this test's", l)
		}
	}
	forward := readIPForward(t)
	before, _ := isolate.NATRules()
	natTable := natTablePresent()
	t.Cleanup(func() {
		if natTablePresent() != natTable {
			t.Errorf("the host's nat table was there: %v; now: %v", natTable, !natTable)
		}
		for _, l := range isolate.LessonLinks {
			if _, err := net.InterfaceByName(l); err == nil {
				t.Errorf("link %s left on the host", l)
			}
		}
		after, _ := isolate.NATRules()
		for _, r := range after {
			if !slices.Contains(before, r) && strings.Contains(r, isolate.LessonAddrPrefix) {
				t.Errorf("nat rule left on the host: %s", r)
			}
		}
		if f := readIPForward(t); f != forward {
			t.Errorf("net.ipv4.ip_forward is %s, was %s", f, forward)
		}
	})
}

// natTablePresent reports whether iptables-save lists a nat table (with the
// nf_tables backend, iptables makes it for the first rule).
func natTablePresent() bool {
	out, _ := exec.Command("iptables-save").Output()
	return strings.Contains(string(out), "*nat")
}

func readIPForward(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestNetChildCannotTouchHostNetwork: a root child in a network namespace of
// its own (a container's set: net, mnt, pid) attacks the host's network the
// way the deeper lesson builds it: it tries to take down and delete a bridge
// on the host, to flush the nat table (directly and through nsenter into
// "PID 1"), to add a masquerade-everything rule, and to flip
// net.ipv4.ip_forward. Every link, table and sysctl it reaches is its own
// namespace's: the host's bridge, rule and ip_forward are untouched. With a
// mount namespace /proc/sys is read-only to it; without one the write lands
// in its own namespace's ip_forward.
func TestNetChildCannotTouchHostNetwork(t *testing.T) {
	requireRoot(t)
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	for _, tool := range []string{"ip", "iptables", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	const br = "pbxhostile0" // not a lesson name: no lesson cleanup ever touches it
	if _, err := net.InterfaceByName(br); err == nil {
		t.Skipf("%s exists already and is not this test's", br)
	}
	// The host's rule names a lesson address, so the lesson's guard takes
	// it away again, with the nat table if this rule made it.
	hostRule := []string{"POSTROUTING", "-s", "10.199.9.0/24", "-o", br, "-j", "MASQUERADE"}
	guard := isolate.WatchLessonNet()
	if err := guard.Claim(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := guard.Clean(); err != nil {
			t.Error(err)
		}
	})
	mustRun(t, "ip", "link", "add", br, "type", "bridge")
	t.Cleanup(func() { exec.Command("ip", "link", "del", br).Run() })
	mustRun(t, "ip", "link", "set", br, "up")
	mustRun(t, append([]string{"iptables", "-t", "nat", "-A"}, hostRule...)...)
	forward := readIPForward(t)
	flip := map[string]string{"0": "1", "1": "0"}[forward]
	rulesBefore, err := isolate.NATRules()
	if err != nil {
		t.Fatal(err)
	}

	bin := buildProcbox(t)
	script := `
ip link set ` + br + ` down 2>/dev/null && echo link-down || echo link-refused
ip link del ` + br + ` 2>/dev/null && echo link-deleted || echo link-del-refused
iptables -t nat -F && echo own-nat-flushed
iptables -t nat -A POSTROUTING -j MASQUERADE && echo own-nat-added
NSENTER
echo ` + flip + ` > /proc/sys/net/ipv4/ip_forward 2>/dev/null && echo forward-written || echo forward-refused
`
	for _, ns := range []string{"net,mnt,pid", "net,pid"} {
		attack, wants := script, []string{"link-refused", "link-del-refused", "own-nat-flushed", "own-nat-added"}
		if strings.Contains(ns, "mnt") {
			// With its own /proc, "PID 1" is its own init, in its own
			// network namespace. (Without a mount namespace the child sees
			// the host's /proc, and a root child that may open
			// /proc/1/ns/net joins the host's network namespace: root
			// without a user namespace is host root, as the README says.)
			attack = strings.Replace(attack, "NSENTER", "nsenter -t 1 -n iptables -t nat -F && echo pid1-nat-flushed", 1)
			wants = append(wants, "pid1-nat-flushed")
		} else {
			attack = strings.Replace(attack, "NSENTER", "", 1)
		}
		out, err := exec.Command(bin, "run", "--ns", ns, "--", "sh", "-c", attack).CombinedOutput()
		if err != nil {
			t.Errorf("--ns %s: %v\n%s", ns, err, out)
		}
		got := string(out)
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("--ns %s: the child's attack did not run as planned (no %q):\n%s", ns, want, got)
			}
		}
		wantForward := "forward-written" // its own namespace's ip_forward
		if strings.Contains(ns, "mnt") {
			wantForward = "forward-refused" // /proc/sys is read-only
		}
		if !strings.Contains(got, wantForward) {
			t.Errorf("--ns %s: want %s:\n%s", ns, wantForward, got)
		}
		// The host, after the attack.
		if i, err := net.InterfaceByName(br); err != nil || i.Flags&net.FlagUp == 0 {
			t.Errorf("--ns %s: the host's bridge %s was taken down or deleted (%v)", ns, br, err)
		}
		rules, err := isolate.NATRules()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rules, rulesBefore) {
			t.Errorf("--ns %s: the host's nat table changed: %q, was %q", ns, rules, rulesBefore)
		}
		if f := readIPForward(t); f != forward {
			t.Errorf("--ns %s: the host's ip_forward is %s, was %s", ns, f, forward)
			os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte(forward), 0o644)
		}
	}
}

func mustRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
