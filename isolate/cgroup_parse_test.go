package isolate

import (
	"reflect"
	"testing"
)

func TestParseCgroupValue(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"67108864\n", 67108864, false},
		{"max\n", -1, false},
		{"-1\n", -1, false},                  // v1 cpu.cfs_quota_us with no quota
		{"9223372036854771712\n", -1, false}, // v1 memory.limit_in_bytes with no limit
		{"0", 0, false},
		{"18446744073709551615", -1, false}, // an unsigned counter at its top
		{"", 0, true},
		{"12 34", 0, true},
		{"-5", 0, true},
		{"lots", 0, true},
	}
	for _, tt := range tests {
		got, err := parseCgroupValue(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseCgroupValue(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && got != tt.want {
			t.Errorf("parseCgroupValue(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseCPUMax(t *testing.T) {
	tests := []struct {
		in            string
		quota, period int64
		wantErr       bool
	}{
		{"max 100000\n", -1, 100000, false},
		{"20000 100000\n", 20000, 100000, false},
		{"20000\n", 0, 0, true},
		{"20000 0\n", 0, 0, true},
		{"x 100000", 0, 0, true},
	}
	for _, tt := range tests {
		q, p, err := parseCPUMax(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseCPUMax(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && (q != tt.quota || p != tt.period) {
			t.Errorf("parseCPUMax(%q) = %d %d, want %d %d", tt.in, q, p, tt.quota, tt.period)
		}
	}
}

func TestParseProcs(t *testing.T) {
	if got := parseProcs("12\n345\n\n0\nx\n"); !reflect.DeepEqual(got, []int{12, 345}) {
		t.Errorf("parseProcs = %v, want [12 345]", got)
	}
	if got := parseProcs(""); got != nil {
		t.Errorf("parseProcs(\"\") = %v, want nil", got)
	}
}

func TestParseCgroupName(t *testing.T) {
	tests := []struct {
		in    string
		owner int
		seq   uint64
		ok    bool
	}{
		{"procbox-123-1", 123, 1, true},
		{"procbox-4194304-99", 4194304, 99, true},
		{"procbox-123", 0, 0, false},
		{"procbox--1", 0, 0, false},
		{"procbox-0-1", 0, 0, false},
		{"procbox-012-1", 0, 0, false},
		{"procbox-12-x", 0, 0, false},
		{"other-12-1", 0, 0, false},
		{"procbox-12-1-2", 0, 0, false},
	}
	for _, tt := range tests {
		owner, seq, ok := parseCgroupName(tt.in)
		if ok != tt.ok || owner != tt.owner || seq != tt.seq {
			t.Errorf("parseCgroupName(%q) = %d %d %v, want %d %d %v", tt.in, owner, seq, ok, tt.owner, tt.seq, tt.ok)
		}
	}
	if owner, seq, ok := parseCgroupName(cgroupName(77, 5)); !ok || owner != 77 || seq != 5 {
		t.Errorf("cgroupName does not round-trip: %d %d %v", owner, seq, ok)
	}
}

func TestParseVethName(t *testing.T) {
	tests := []struct {
		in  string
		pid int
		ok  bool
	}{
		{"pbx123h", 123, true},
		{"pbx123c", 123, true},
		{"pbx123", 0, false},
		{"pbxh", 0, false},
		{"pbx0h", 0, false},
		{"pbx12xh", 0, false},
		{"eth0", 0, false},
	}
	for _, tt := range tests {
		pid, ok := parseVethName(tt.in)
		if ok != tt.ok || pid != tt.pid {
			t.Errorf("parseVethName(%q) = %d %v, want %d %v", tt.in, pid, ok, tt.pid, tt.ok)
		}
	}
	host, peer := vethNames(4194304)
	if len(host) > 15 || len(peer) > 15 {
		t.Errorf("link names %q %q longer than IFNAMSIZ-1", host, peer)
	}
	if pid, ok := parseVethName(host); !ok || pid != 4194304 {
		t.Errorf("vethNames does not round-trip: %d %v", pid, ok)
	}
}

func TestVethSubnet(t *testing.T) {
	if got := vethSubnet(300, nil); got != 44 {
		t.Errorf("vethSubnet(300) = %d, want 44", got)
	}
	if got := vethSubnet(300, map[int]bool{44: true, 45: true}); got != 46 {
		t.Errorf("vethSubnet(300) with 44,45 used = %d, want 46", got)
	}
	if got := vethSubnet(255, map[int]bool{255: true}); got != 0 {
		t.Errorf("vethSubnet wraps to %d, want 0", got)
	}
}

func FuzzParseCgroupValue(f *testing.F) {
	for _, s := range []string{"max\n", "-1", "9223372036854771712", "18446744073709551615", "", "12 3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseCgroupValue(s)
		if err == nil && n < -1 {
			t.Errorf("parseCgroupValue(%q) = %d: below -1", s, n)
		}
	})
}

func FuzzParseCPUMax(f *testing.F) {
	f.Add("max 100000\n")
	f.Add("20000 100000")
	f.Add("1 2 3")
	f.Fuzz(func(t *testing.T, s string) {
		q, p, err := parseCPUMax(s)
		if err == nil && (p <= 0 || q < -1) {
			t.Errorf("parseCPUMax(%q) = %d %d without error", s, q, p)
		}
	})
}

func FuzzParseCgroupName(f *testing.F) {
	f.Add("procbox-123-1")
	f.Add("procbox--")
	f.Fuzz(func(t *testing.T, s string) {
		owner, seq, ok := parseCgroupName(s)
		if ok && cgroupName(owner, seq) != s {
			t.Errorf("parseCgroupName(%q) = %d %d but cgroupName gives %q", s, owner, seq, cgroupName(owner, seq))
		}
	})
}
