package inspect

import (
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	cases := []struct{ in, want string }{
		{"bash", "bash"},
		{"naïve ✓", "naïve ✓"},
		{"\x1b]2;P\x07\x1b[1m\nFAKE", `\x1b]2;P\x07\x1b[1m\x0aFAKE`},
		{"tab\there", `tab\x09here`},
		{"del\x7f", `del\x7f`},
		{"csi\u009b2J", `csi\u009b2J`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"", ""},
	}
	for _, c := range cases {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSnapshotPrintable(t *testing.T) {
	s := Snapshot{Comm: "\x1b[2J", Cmdline: []string{"a\nb"}, Env: map[string]string{"X": "\x07"},
		FDs: []FD{{Target: "/tmp/\x1b"}}, Memory: Memory{Maps: []MemoryMap{{Path: "/x\x9b"}}},
		Cgroups: []CgroupMembership{{Path: "/\x1b"}}}
	p := s.Printable()
	all := p.Comm + strings.Join(p.Cmdline, "") + p.Env["X"] + p.FDs[0].Target + p.Memory.Maps[0].Path + p.Cgroups[0].Path
	if strings.ContainsAny(all, "\x1b\x07\n") {
		t.Errorf("control characters survived: %q", all)
	}
	if s.Comm != "\x1b[2J" || s.FDs[0].Target != "/tmp/\x1b" {
		t.Error("Printable changed the original snapshot")
	}
}

func FuzzPrintable(f *testing.F) {
	f.Add("\x1b]2;x\x07")
	f.Add("ok")
	f.Fuzz(func(t *testing.T, s string) {
		p := Printable(s)
		for _, r := range p {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("Printable(%q) = %q keeps control %U", s, p, r)
			}
		}
	})
}
