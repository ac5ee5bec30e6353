package units

import "testing"

func TestBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{-1, "?"}, {0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"},
		{64 << 20, "64 MiB"}, {33554432, "32 MiB"}, {1610612736, "1.5 GiB"},
		{1<<40 + 1<<39, "1.5 TiB"}, {1 << 62, "4 EiB"},
	} {
		if got := Bytes(c.n); got != c.want {
			t.Errorf("Bytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestShort(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{-5, "?"}, {0, "0B"}, {512, "512B"}, {812 << 10, "812K"}, {1536, "1.5K"},
		{64 << 20, "64M"}, {150 << 20, "150M"}, {1610612736, "1.5G"}, {12 << 30, "12G"},
	} {
		if got := Short(c.n); got != c.want {
			t.Errorf("Short(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
