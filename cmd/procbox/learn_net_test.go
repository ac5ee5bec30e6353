package main

import (
	"net"
	"os"
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
	for _, l := range isolate.LessonLinks {
		if _, err := net.InterfaceByName(l); err == nil {
			t.Skipf("%s exists already and is not this test's", l)
		}
	}
	forward := readIPForward(t)
	before, _ := isolate.NATRules()
	t.Cleanup(func() {
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

func readIPForward(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
