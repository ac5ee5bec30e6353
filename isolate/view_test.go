package isolate

import (
	"os"
	"testing"
)

// The views' cheap readers must say what the plain ones say.
func TestViewReadersMatchPlainReads(t *testing.T) {
	want, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := hostname(); err != nil || got != want {
		t.Errorf("hostname %q (%v), os.Hostname %q", got, err, want)
	}
	var buf [4096]byte
	st, err := readProcFile("/proc/self/status", buf[:])
	if err != nil {
		t.Fatal(err)
	}
	m, err := readStatus()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"CapEff", "Seccomp", "NoNewPrivs", "Name", "Uid"} {
		if got := statusField(st, k); got != m[k] {
			t.Errorf("%s: %q, want %q", k, got, m[k])
		}
	}
	if got := statusField(st, "NoSuchKey"); got != "" {
		t.Errorf("a missing key reads %q", got)
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readProcFile("/proc/self/cgroup", buf[:]); err != nil || string(got) != string(b) {
		t.Errorf("cgroup %q (%v), want %q", got, err, b)
	}
	if _, err := readProcFile("/proc/self/no-such-file", buf[:]); err == nil {
		t.Error("a missing file reads without error")
	}
}
