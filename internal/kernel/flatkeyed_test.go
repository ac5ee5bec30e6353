package kernel

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseFlatKeyed(t *testing.T) {
	cases := []struct {
		name, in string
		want     map[string]int64
	}{
		{"v1 cpu.stat", "nr_periods 4\nnr_throttled 2\nthrottled_time 1234\n", map[string]int64{"nr_periods": 4, "nr_throttled": 2, "throttled_time": 1234}},
		{"v1 memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", map[string]int64{"oom_kill_disable": 0, "under_oom": 0, "oom_kill": 2}},
		{"v2 pids.events", "max 17\n", map[string]int64{"max": 17}},
		{"negative", "x -1\n", map[string]int64{"x": -1}},
		{"malformed lines skipped", "a\nb c d\nx notanumber\ny 3\n\n", map[string]int64{"y": 3}},
		{"empty", "", map[string]int64{}},
	}
	for _, c := range cases {
		if got := ParseFlatKeyed(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func FuzzParseFlatKeyed(f *testing.F) {
	f.Add("oom_kill 2\nmax 3\n")
	f.Add("a b c\n\x00 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		for k := range ParseFlatKeyed(s) {
			if k == "" || strings.ContainsAny(k, " \t\n") {
				t.Errorf("ParseFlatKeyed(%q) produced key %q", s, k)
			}
		}
	})
}
