package inspect

import (
	"net"
	"strconv"
	"strings"
	"testing"
)

// Fuzz targets for the parsers the package's own fuzz_test.go leaves out.
// Each checks a property, not only the absence of a panic.

// FuzzParseCPUMaxV1: an accepted quota/period pair comes back in cpu.max form,
// "max PERIOD" or "QUOTA PERIOD", with both numbers readable again.
func FuzzParseCPUMaxV1(f *testing.F) {
	for _, s := range [][2]string{{"-1", "100000"}, {"50000\n", "100000\n"}, {"", ""}, {"x", "1"}, {"1", "x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, quota, period string) {
		out, err := parseCPUMaxV1(quota, period)
		if err != nil {
			return
		}
		fields := strings.Fields(out)
		if len(fields) != 2 {
			t.Fatalf("parseCPUMaxV1(%q, %q) = %q: want two fields", quota, period, out)
		}
		if fields[0] != "max" {
			if _, err := strconv.ParseInt(fields[0], 10, 64); err != nil {
				t.Errorf("parseCPUMaxV1(%q, %q) = %q: quota unreadable", quota, period, out)
			}
		}
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			t.Errorf("parseCPUMaxV1(%q, %q) = %q: period unreadable", quota, period, out)
		}
	})
}

// FuzzParseHexAddr: an accepted /proc/net address is a valid host:port.
func FuzzParseHexAddr(f *testing.F) {
	for _, s := range []string{"0100007F:1F90", "00000000000000000000000001000000:0016", "0100007F", ":", "zz:1", "0100007F:FFFFF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := parseHexAddr(s)
		if err != nil {
			return
		}
		host, port, err := net.SplitHostPort(out)
		if err != nil {
			t.Fatalf("parseHexAddr(%q) = %q: not host:port: %v", s, out, err)
		}
		if net.ParseIP(host) == nil {
			t.Errorf("parseHexAddr(%q) = %q: host is not an IP", s, out)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			t.Errorf("parseHexAddr(%q) = %q: bad port", s, out)
		}
	})
}
