package isolate

// Red-team attacks on the lesson network's cleanup: the lesson's names
// (pbxbr0, pbxveth0, pbxout0) and addresses (10.199.0.0/16) are fixed, so a
// host that had a link or a nat rule of that shape before the learner's
// shell must keep it: procbox undoes what the learner's commands made, and
// nothing the host had.

import (
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRedteamLessonNetSparesHostState: the host has a link named pbxbr0 and
// a MASQUERADE rule for 10.199.0.0/16 of its own before the learner's shell
// opens; the learner builds the lesson's veth and rule; the shell's end
// removes the learner's and keeps the host's. Run again in a network
// namespace and /run/procbox of its own (other procboxes' claims on this
// host would make Clean wait for them).
func TestRedteamLessonNetSparesHostState(t *testing.T) {
	const env = "PROCBOX_TEST_REDTEAM_NET"
	if os.Getenv(env) == "1" {
		redteamLessonNetInside(t)
		return
	}
	if testing.Short() || os.Geteuid() != 0 {
		t.Skip("needs root and no -short: a private /run/procbox and network namespace")
	}
	for _, tool := range []string{"ip", "iptables", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	script := `mount -t tmpfs -o mode=0700 tmpfs ` + ownerRunDir + ` && exec "$0" -test.run '^TestRedteamLessonNetSparesHostState$' -test.count=1 -test.v`
	cmd := exec.Command("unshare", "--mount", "--net", "sh", "-c", script, os.Args[0])
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestRedteamLessonNetSparesHostState") {
		t.Errorf("in its own namespaces: %v\n%s", err, out)
	}
}

func redteamLessonNetInside(t *testing.T) {
	has := func(l string) bool { _, err := net.InterfaceByName(l); return err == nil }
	rules := func() []string {
		r, err := NATRules()
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// The host's own, from before any learner: a bridge someone named
	// pbxbr0 first, and a rule for a 10.199 network it routes.
	netRun(t, "ip", "link", "add", "pbxbr0", "type", "bridge")
	hostRule := "-A POSTROUTING -s 10.199.0.0/16 -o eth9 -j MASQUERADE"
	netRun(t, append([]string{"iptables", "-t", "nat"}, strings.Fields(hostRule)...)...)
	if err := os.WriteFile(ipForwardFile, []byte("0\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	g := WatchLessonNet()
	if err := g.Claim(); err != nil { // the learner built a network namespace
		t.Fatal(err)
	}
	// The learner's own commands (pbxbr0 exists, so theirs uses it).
	netRun(t, "ip", "link", "add", "pbxveth0", "type", "veth", "peer", "name", "pbxpeer0")
	netRun(t, "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.199.1.0/24", "!", "-o", "pbxbr0", "-j", "MASQUERADE")
	if err := os.WriteFile(ipForwardFile, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	did, err := g.Clean()
	if err != nil {
		t.Errorf("Clean: %v", err)
	}
	// The learner's went: proof the cleanup ran.
	if has("pbxveth0") || slices.ContainsFunc(rules(), func(r string) bool { return strings.Contains(r, "10.199.1.0/24") }) {
		t.Fatalf("the learner's veth or rule is left: the cleanup did not run (%q)", did)
	}
	if !has("pbxbr0") {
		t.Errorf("the host's own pbxbr0, there before the learner's shell, was deleted (%q)", did)
	}
	if !slices.Contains(rules(), hostRule) {
		t.Errorf("the host's own rule %q, there before the learner's shell, was deleted (%q)", hostRule, did)
	}
}
