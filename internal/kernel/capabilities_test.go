package kernel

import (
	"reflect"
	"sort"
	"testing"
)

func TestCapNames(t *testing.T) {
	for bit, name := range map[int]string{0: "cap_chown", 12: "cap_net_admin", 13: "cap_net_raw", 21: "cap_sys_admin", 63: "cap_63"} {
		if got := CapName(bit); got != name {
			t.Errorf("CapName(%d) = %q, want %q", bit, got, name)
		}
	}
	if nr, ok := CapNumber("cap_sys_admin"); !ok || nr != 21 {
		t.Errorf("CapNumber(cap_sys_admin) = %d, %v", nr, ok)
	}
	for _, bad := range []string{"", "sys_admin", "cap_nope", "cap_63"} {
		if _, ok := CapNumber(bad); ok {
			t.Errorf("CapNumber(%q) found a bit", bad)
		}
	}
	names := CapNames()
	if len(names) < 41 || !sort.StringsAreSorted(names) {
		t.Errorf("CapNames() = %d names, sorted %v; want >= 41, sorted", len(names), sort.StringsAreSorted(names))
	}
	for _, n := range names {
		bit, ok := CapNumber(n)
		if !ok || CapName(bit) != n {
			t.Errorf("%q does not round-trip (bit %d, %v)", n, bit, ok)
		}
	}
}

func TestCapsFromMask(t *testing.T) {
	// CapEff of a root shell with cap_net_raw dropped, plus an unknown bit 62.
	mask := uint64(1)<<0 | 1<<12 | 1<<62
	want := []string{"cap_chown", "cap_net_admin", "cap_62"}
	if got := CapsFromMask(mask); !reflect.DeepEqual(got, want) {
		t.Errorf("CapsFromMask(%#x) = %v, want %v", mask, got, want)
	}
	if got := CapsFromMask(0); got == nil || len(got) != 0 {
		t.Errorf("CapsFromMask(0) = %#v, want an empty list", got)
	}
}
