package termtext

import "testing"

func TestPrintable(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"demo", "demo"},
		{"x\x1b[5;41m", `x\x1b[5;41m`},
		{"a\nb\tc\x07", `a\x0ab\x09c\x07`},
		{"del\x7f", `del\x7f`},
		{"csi\u009b2J", `csi\u009b2J`},
		{"bad\xff\xfe", `bad\xff\xfe`},
		{"ünïcode ✓", "ünïcode ✓"},
		{"", ""},
		{"\x1b]2;pwned\x07", `\x1b]2;pwned\x07`},
	} {
		if got := Printable(tt.in); got != tt.want {
			t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	s := []string{"ok", "\x1b"}
	if All(s); s[1] != `\x1b` {
		t.Errorf("All: %q", s)
	}
}
