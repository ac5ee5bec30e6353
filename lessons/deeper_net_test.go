package lessons

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"procbox/isolate"
)

// netTrace is the passing trace of a network step, to spoil one thing at a time.
func netTrace(t *testing.T, key string) *isolate.ShellTrace {
	return &isolate.ShellTrace{Host: hostObserved(), Procs: afterCommandsAll(t, key), HostNet: afterHostNet(key)}
}

func netStep(t *testing.T, id string) Step {
	l, ok := Find("deeper")
	if !ok {
		t.Fatal("no deeper lesson")
	}
	for _, s := range l.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no deeper/%s step", id)
	return Step{}
}

// TestBridgeCheckNeedsEachPart: the bridge step fails when any one part of
// what it teaches is missing, and says which.
func TestBridgeCheckNeedsEachPart(t *testing.T) {
	s := netStep(t, "bridge")
	for name, spoil := range map[string]struct {
		f    func(tr *isolate.ShellTrace)
		want string
	}{
		"no default route": {func(tr *isolate.ShellTrace) { tr.Procs[0].Routes = tr.Procs[0].Routes[1:] }, "no default route"},
		"gateway is no bridge's": {func(tr *isolate.ShellTrace) {
			tr.HostNet.Links[1].Kind = "veth" // 10.199.1.1 on a plain veth: a cable, no switch
		}, "no bridge on the host holds"},
		"nothing plugged in": {func(tr *isolate.ShellTrace) { tr.HostNet.Links[2].Master = "" }, "no link on the host is plugged into pbxbr0"},
		"connection never made": {func(tr *isolate.ShellTrace) {
			tr.Procs[0].Conns[0].State = "SYN_SENT" // the host never answered
		}, "got through"},
		"the host's own namespace": {func(tr *isolate.ShellTrace) { tr.Procs[0].NSInodes["net"] = 2 }, "shares the host's net namespace"},
	} {
		tr := netTrace(t, "deeper/bridge")
		spoil.f(tr)
		r := s.EvaluateDIY(State{Shell: tr})
		if r.Passed || !strings.Contains(r.Missing, spoil.want) {
			t.Errorf("%s: want a failure saying %q, got %+v", name, spoil.want, r)
		}
	}
}

// TestNATCheckNeedsEachPart: the NAT step fails without either rule, without
// forwarding, when the outside saw the container's own address (no
// masquerade), and without the connection through the published port.
func TestNATCheckNeedsEachPart(t *testing.T) {
	s := netStep(t, "nat")
	for name, spoil := range map[string]struct {
		f    func(tr *isolate.ShellTrace)
		want string
	}{
		"no rules at all": {func(tr *isolate.ShellTrace) { tr.HostNet.NAT = nil }, "never had a rule"},
		"no masquerade":   {func(tr *isolate.ShellTrace) { tr.HostNet.NAT = tr.HostNet.NAT[:1] }, "MASQUERADE"},
		"no DNAT":         {func(tr *isolate.ShellTrace) { tr.HostNet.NAT = tr.HostNet.NAT[1:] }, "DNAT"},
		"no forwarding":   {func(tr *isolate.ShellTrace) { tr.HostNet.Forwarding = false }, "ip_forward"},
		"outside saw the container": {func(tr *isolate.ShellTrace) {
			tr.Procs[1].Conns[0].Remote = "10.199.1.2:41000"
		}, "no masquerade"},
		"nothing reached the outside": {func(tr *isolate.ShellTrace) {
			tr.Procs[0].Conns = tr.Procs[0].Conns[:1]
			tr.Procs[1].Conns = nil
		}, "port 9000"},
		"nothing came in on 8080": {func(tr *isolate.ShellTrace) { tr.Procs[0].Conns = tr.Procs[0].Conns[1:] }, "port 8080"},
	} {
		tr := netTrace(t, "deeper/nat")
		spoil.f(tr)
		r := s.EvaluateDIY(State{Shell: tr})
		if r.Passed || !strings.Contains(r.Missing, spoil.want) {
			t.Errorf("%s: want a failure saying %q, got %+v", name, spoil.want, r)
		}
	}
	// Either end of each connection is proof: here only the outside's
	// record of the first and only the outside's of the second.
	tr := netTrace(t, "deeper/nat")
	tr.Procs[0].Conns = nil
	tr.Procs[1].Conns = append(tr.Procs[1].Conns, isolate.Conn{Local: "10.199.2.2:52200", Remote: "10.199.2.1:8080", State: "TIME_WAIT"})
	if r := s.EvaluateDIY(State{Shell: tr}); !r.Passed {
		t.Errorf("fails on the outside's ends of both connections: %s", r.Missing)
	}
}

// TestNetStepsUseLessonNames: every link the network steps make on the host
// and every address they use is one procbox's cleanup knows as the lesson's
// (isolate.LessonLinks, isolate.LessonAddrPrefix), so a learner's shell that
// ends half-way leaves nothing behind that cleanup would not recognise.
func TestNetStepsUseLessonNames(t *testing.T) {
	link := regexp.MustCompile(`(?:ip link add|dev|master|-o|-i|ip link del) ([^\s;]+)`)
	addr := regexp.MustCompile(`\b\d+\.\d+\.\d+\.\d+`)
	for _, id := range []string{"veth", "bridge", "nat"} {
		s := netStep(t, id)
		for _, c := range s.DIY.Commands {
			// Commands run inside a namespace (nsenter … -n) name its links.
			host := c
			if strings.HasPrefix(c, "nsenter ") || strings.Contains(c, "| nsenter ") {
				host = ""
			}
			for _, m := range link.FindAllStringSubmatch(host, -1) {
				if !slices.Contains(isolate.LessonLinks, m[1]) {
					t.Errorf("%s: %q makes or names host link %s, which procbox's cleanup does not know", id, c, m[1])
				}
			}
			for _, a := range addr.FindAllString(c, -1) {
				if !strings.HasPrefix(a, isolate.LessonAddrPrefix) {
					t.Errorf("%s: %q uses address %s outside %s*", id, c, a, isolate.LessonAddrPrefix)
				}
			}
		}
	}
}
