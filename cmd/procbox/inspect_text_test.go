package main

import (
	"strings"
	"testing"

	"procbox/inspect"
)

// The text report never counts what it could not read: an unreadable fd
// directory is "unknown", a partly readable one says the list is not whole,
// and only a readable, empty one is "0".
func TestInspectTextFDCount(t *testing.T) {
	cases := []struct {
		fds  []inspect.FD
		err  string
		want string
	}{
		{nil, "permission denied: needs root or the same user", "== File descriptors (unknown) =="},
		{[]inspect.FD{{FD: 0, Kind: "tty", Target: "/dev/pts/0"}, {FD: 1, Kind: "tty", Target: "/dev/pts/0"}},
			"1 of 3 descriptors could not be read: permission denied", "== File descriptors (2 listed, not all) =="},
		{nil, "", "== File descriptors (0) =="},
	}
	for _, c := range cases {
		s := inspect.Snapshot{PID: 42, Comm: "x", FDs: c.fds, Errors: map[string]string{}}
		if c.err != "" {
			s.Errors["fds"] = c.err
		}
		var b strings.Builder
		writeSnapshotText(&b, s)
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("fds %d, error %q: want %q in\n%s", len(c.fds), c.err, c.want, b.String())
		}
	}
}

// Sizes in the text report and the ps table come from internal/units, the
// one byte formatter: "284K", "1.5M", never a second style such as "284.0K".
func TestInspectTextSizesUseUnits(t *testing.T) {
	s := inspect.Snapshot{PID: 42, Comm: "x", Errors: map[string]string{}}
	s.Memory.RSSBytes = 284 * 1024
	s.Memory.VSizeBytes = 3 << 19 // 1.5 MiB
	var b strings.Builder
	writeSnapshotText(&b, s)
	if !strings.Contains(b.String(), "rss 284K   virtual 1.5M") {
		t.Errorf("sizes not in internal/units' short form:\n%s", b.String())
	}
	var p strings.Builder
	if err := writePsTable(&p, []inspect.ProcRow{{PID: 7, Comm: "y", RSSBytes: 284 * 1024}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.String(), " 284K ") {
		t.Errorf("ps RSS not in internal/units' short form:\n%s", p.String())
	}
}
