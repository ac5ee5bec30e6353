package main

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFaultTinyPidsLimit runs `procbox run --pids N -- true` for the smallest
// limits. pids.max counts threads, and the child is a Go program until it
// execs, so a tiny limit can starve the Go runtime of threads. Whatever
// happens, the user must get either success or one clear line — never the
// runtime's "fatal error" and a goroutine dump.
func TestFaultTinyPidsLimit(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	before := takeInventory(t)
	var owners []int
	for n := 1; n <= 5; n++ {
		for i := 0; i < 6; i++ {
			r := faultExec(t, 30*time.Second, bin, "run", "--pids", strconv.Itoa(n), "--", "true")
			owners = append(owners, r.pid)
			if r.err != nil {
				t.Fatalf("run --pids %d: %v", n, r.err)
			}
			if r.code == 0 {
				continue
			}
			lines := stderrLines(r.stderr)
			if len(lines) != 1 || strings.Contains(r.stderr, "fatal error") || strings.Contains(r.stderr, "goroutine ") {
				first := ""
				if len(lines) > 0 {
					first = lines[0]
				}
				t.Errorf("procbox run --pids %d -- true: status %d and %d lines on stderr, starting %q", n, r.code, len(lines), first)
				break
			}
		}
	}
	if leaks := before.leaksSince(takeInventory(t), ownedBy(owners...)); len(leaks) > 0 {
		t.Errorf("left on the host: %v", leaks)
	}
}
