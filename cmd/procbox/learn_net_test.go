package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"procbox/internal/leakcheck"
	"procbox/isolate"
	"procbox/lessons"
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
	// The host's rule is not the lesson's (no learner's cleanup takes it):
	// the test deletes it, and the lesson's guard then deletes the nat
	// table if this rule made it.
	hostRule := []string{"POSTROUTING", "-s", "10.198.9.0/24", "-o", br, "-j", "MASQUERADE"}
	guard := isolate.WatchLessonNet()
	guard.Claim()
	t.Cleanup(func() {
		if _, err := guard.Clean(); err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(func() { exec.Command("iptables", append([]string{"-t", "nat", "-D"}, hostRule...)...).Run() })
	mustRun(t, "ip", "link", "add", br, "type", "bridge")
	t.Cleanup(func() { exec.Command("ip", "link", "del", br).Run() })
	mustRun(t, "ip", "link", "set", br, "up")
	mustRun(t, append([]string{"iptables", "-t", "nat", "-A"}, hostRule...)...)
	forward := readIPForward(t)
	flip := map[string]string{"0": "1", "1": "0"}[forward]

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
		// Other learners on this host may add and remove the lesson's rules
		// meanwhile: the host's own rule must be there, the child's not.
		if !slices.Contains(rules, "-A "+strings.Join(hostRule, " ")) || slices.Contains(rules, "-A POSTROUTING -j MASQUERADE") {
			t.Errorf("--ns %s: the host's nat table changed: %q", ns, rules)
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

// TestLearnNetProcboxKilled: the learner is half-way through the NAT step
// (a bridge, an outside namespace, ip_forward on, the MASQUERADE rule) when
// procbox is killed with SIGKILL, so nothing of procbox's own runs at the
// end of the shell. The lock file it claimed while the learner built the
// namespaces is dead; `procbox doctor --clean` takes it and puts the host's
// network back as it was: no lesson link, no lesson rule, ip_forward and the
// nat table as before.
func TestLearnNetProcboxKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	requireRoot(t)
	for _, tool := range []string{"tmux", "ip", "iptables", "unshare", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	hostNetUntouched(t)
	bin := faultBuild(t)
	x, pid := startLearn(t, t.TempDir(), "exec "+bin+" learn deeper")
	l, _ := lessons.Find("deeper")
	at := slices.IndexFunc(l.Steps, func(s lessons.Step) bool { return s.ID == "nat" })
	x.waitFor("Step 1/", 60*time.Second)
	for range at {
		x.run("send-keys", "-t", "learn", "n")
		time.Sleep(200 * time.Millisecond)
	}
	x.waitFor(fmt.Sprintf("Step %d/%d", at+1, len(l.Steps)), 30*time.Second)
	x.run("send-keys", "-t", "learn", "s")
	x.waitFor("Your own shell for", 30*time.Second)
	cmds := l.Steps[at].DIY.Commands
	upto := slices.IndexFunc(cmds, func(c string) bool { return strings.Contains(c, "MASQUERADE") })
	for _, line := range cmds[:upto+1] {
		x.run("send-keys", "-t", "learn", "-l", line)
		x.run("send-keys", "-t", "learn", "Enter")
		time.Sleep(500 * time.Millisecond) // a person's pace: one line at a time
	}
	// Half-way: the host has the lesson's network, and procbox's lock file
	// says so.
	x.run("send-keys", "-t", "learn", "-l", "echo built-$((1+1)); sleep 1")
	x.run("send-keys", "-t", "learn", "Enter")
	x.waitFor("built-2", 30*time.Second)
	if _, err := net.InterfaceByName("pbxbr0"); err != nil {
		t.Fatalf("the learner's commands made no pbxbr0:\n%s", x.screen())
	}
	if readIPForward(t) != "1" {
		t.Fatalf("ip_forward is not on after the learner's sysctl:\n%s", x.screen())
	}
	// procbox claims the lesson's network in its lock file once it has
	// sampled a learner's process in a network namespace of its own; on a
	// loaded machine that can come after the marker. Kill only once it did,
	// or the test proves nothing (and leaves the network to no one).
	claimed := func() bool {
		files, _ := filepath.Glob(filepath.Join(isolate.OwnerDir(), "*.lock"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), isolate.OwnLessonNet+" ") {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(15 * time.Second); !claimed(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("procbox never claimed the lesson's network in %s:\n%s", isolate.OwnerDir(), x.screen())
		}
	}
	tree := append(descendants(pid), pid)
	if err := unix.Kill(pid, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && leakcheck.Alive(pid); {
		time.Sleep(10 * time.Millisecond)
	}
	// The learner's shell and its sleeps outlive procbox; they are the
	// learner's, and the test ends them.
	for _, p := range tree {
		unix.Kill(p, unix.SIGKILL)
	}
	out, err := exec.Command(bin, "doctor", "--clean").CombinedOutput()
	if err != nil {
		t.Fatalf("doctor --clean: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "lesson's network") {
		t.Errorf("doctor --clean does not say it undid the lesson's network:\n%s", out)
	}
	// hostNetUntouched's cleanup checks the links, rules, ip_forward and
	// the nat table are as they were.
}
