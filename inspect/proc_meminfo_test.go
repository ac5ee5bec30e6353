package inspect

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseMemTotal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"MemTotal:       16314996 kB\nMemFree:         1234 kB\n", 16314996 << 10, true},
		{"MemFree:  1 kB\nMemTotal: 2048 kB\n", 2 << 20, true},
		{"MemFree: 1 kB\n", 0, false},
		{"MemTotal: x kB\n", 0, false},
		{"", 0, false},
	} {
		got, err := parseMemTotal([]byte(c.in))
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseMemTotal(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "meminfo"), []byte("MemTotal: 1024 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := (FS{Proc: root}).MemTotal(); err != nil || n != 1<<20 {
		t.Fatalf("MemTotal from a fixture = %d, %v", n, err)
	}
	if n, err := DefaultFS().MemTotal(); err != nil || n <= 0 {
		t.Errorf("MemTotal of this host = %d, %v", n, err)
	}
}

// The table's stat parser adds user and system time (fields 14 and 15).
func TestParseStatFastCPUTicks(t *testing.T) {
	line := "42 (sleep) S 1 42 42 0 -1 4194304 100 0 0 0 250 17 0 0 20 0 1 0 12345 8192000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
	st, err := parseStatFast([]byte(line))
	if err != nil || st.CPUTicks != 267 {
		t.Fatalf("CPUTicks = %d, %v; want 250+17", st.CPUTicks, err)
	}
}
