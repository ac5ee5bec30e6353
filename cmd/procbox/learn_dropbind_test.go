package main

import (
	"os/exec"
	"strings"
	"testing"

	"procbox/lessons"
)

// TestDropBindDIYBindsPort80 runs, as root, the line the drop-bind step's
// do-it-yourself path types, and holds the text to what it claims: without
// cap_net_bind_service the kernel refuses port 80 with EACCES ("Permission
// denied"), and with it (here in a fresh network namespace, where nothing
// holds port 80) the same line listens. ip(7): ports below
// ip_unprivileged_port_start need the capability.
func TestDropBindDIYBindsPort80(t *testing.T) {
	requireRoot(t)
	for _, tool := range []string{"capsh", "perl", "unshare"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	s := findStep(t, "security", "drop-bind")
	var bind string
	for _, c := range s.DIY.Commands {
		if strings.Contains(c, "LocalPort => 80") {
			bind = c
		}
	}
	if bind == "" {
		t.Fatalf("the drop-bind step no longer tries port 80: %q", s.DIY.Commands)
	}
	// The port test is per network namespace: a fresh one has port 80 free
	// and the default ip_unprivileged_port_start of 1024.
	out, _ := exec.Command("unshare", "--net", "capsh", "--drop=cap_net_bind_service", "--", "-c", bind).CombinedOutput()
	if !strings.Contains(string(out), "port 80: Permission denied") {
		t.Errorf("without cap_net_bind_service the line printed %q, want port 80: Permission denied (EACCES)", out)
	}
	out, err := exec.Command("unshare", "--net", "sh", "-c", bind).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "listening on 80") {
		t.Errorf("with the capability the line printed %q (%v), want listening on 80", out, err)
	}
}

// findStep returns step id of lesson.
func findStep(t *testing.T, lesson, id string) lessons.Step {
	t.Helper()
	l, ok := lessons.Find(lesson)
	if !ok {
		t.Fatalf("no lesson %s", lesson)
	}
	for _, s := range l.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no step %s/%s", lesson, id)
	return lessons.Step{}
}
