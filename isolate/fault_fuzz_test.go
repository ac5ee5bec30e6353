package isolate

import (
	"strings"
	"testing"
)

// Fuzz targets for the parsers the package's own tests leave out. Each checks
// a property, not only the absence of a panic.

// FuzzParseVethName: a name is accepted only if it is exactly what vethNames
// makes for that pid, so a sweep never deletes a link procbox did not name.
func FuzzParseVethName(f *testing.F) {
	for _, s := range []string{"pbx123h", "pbx123c", "pbx0h", "pbx-1h", "pbx0123h", "pbxh", "eth0", "pbx99999999999999999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		pid, ok := parseVethName(name)
		if !ok {
			return
		}
		host, peer := vethNames(pid)
		if name != host && name != peer {
			t.Errorf("parseVethName(%q) = %d, but vethNames(%d) = %q, %q", name, pid, pid, host, peer)
		}
		if pid <= 0 {
			t.Errorf("parseVethName(%q) accepted pid %d", name, pid)
		}
	})
}

// FuzzParseProcs: only positive pids, never more than there are lines.
func FuzzParseProcs(f *testing.F) {
	for _, s := range []string{"1\n2\n3\n", "", "\n\n", "-1\n0\nx\n", " 42 \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pids := parseProcs(s)
		if len(pids) > strings.Count(s, "\n")+1 {
			t.Errorf("parseProcs(%q): %d pids from %d lines", s, len(pids), strings.Count(s, "\n")+1)
		}
		for _, p := range pids {
			if p <= 0 {
				t.Errorf("parseProcs(%q) returned pid %d", s, p)
			}
		}
	})
}

// FuzzVethSubnet: the third octet is a byte, and a free one is chosen when
// there is one.
func FuzzVethSubnet(f *testing.F) {
	f.Add(1234, []byte{0, 1, 2})
	f.Add(1, []byte{})
	f.Fuzz(func(t *testing.T, pid int, usedList []byte) {
		if pid <= 0 {
			return // pids are positive
		}
		used := map[int]bool{}
		for _, b := range usedList {
			used[int(b)] = true
		}
		x := vethSubnet(pid, used)
		if x < 0 || x > 255 {
			t.Fatalf("vethSubnet(%d) = %d: not a byte", pid, x)
		}
		if used[x] && len(used) < 256 {
			t.Errorf("vethSubnet(%d) = %d, which is taken, though %d are free", pid, x, 256-len(used))
		}
	})
}

// FuzzParseSize: an accepted size is a whole, non-negative byte count, and
// the refusal is one line.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"64M", "1G", "512k", "1.5G", "65536", "-5", "12Q", "NaN", "Inf", "1e300G", "0x10", " 64 M ", "MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("ParseSize(%q): refusal is more than one line: %q", s, err)
			}
			return
		}
		if n < 0 {
			t.Errorf("ParseSize(%q) = %d: negative", s, n)
		}
	})
}

// FuzzParseNames: namespaces, capabilities and syscalls come back known,
// without duplicates, and valid for Spec.Validate.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"pid,net", "all", "none", "PID, Net", "pid,pid", "cap_chown,NET_RAW", "mkdir,mkdir", "", ",,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ns, err := ParseNamespaces(s); err == nil {
			seen := map[string]bool{}
			for _, n := range ns {
				if seen[n] || !isNamespace(n) {
					t.Errorf("ParseNamespaces(%q) = %v: unknown or repeated %q", s, ns, n)
				}
				seen[n] = true
			}
			if err := (Spec{Namespaces: ns}).Validate(); err != nil {
				t.Errorf("ParseNamespaces(%q) = %v, which Validate refuses: %v", s, ns, err)
			}
		}
		if caps, err := ParseCaps(s); err == nil {
			seen := map[string]bool{}
			for _, c := range caps {
				if seen[c] {
					t.Errorf("ParseCaps(%q) repeats %q", s, c)
				}
				seen[c] = true
			}
			if err := (Spec{DropCaps: caps}).Validate(); err != nil {
				t.Errorf("ParseCaps(%q) = %v, which Validate refuses: %v", s, caps, err)
			}
		}
		if calls, err := ParseSyscalls(s); err == nil {
			if err := (Spec{Seccomp: calls}).Validate(); err != nil {
				t.Errorf("ParseSyscalls(%q) = %v, which Validate refuses: %v", s, calls, err)
			}
		}
	})
}
