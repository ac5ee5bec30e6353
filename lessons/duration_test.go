package lessons

import "testing"

// TestMeasuredDurations keeps the walk's table honest: every entry names a
// step of the course, a step without a demo has no demo time, a step
// without a shell path has no shell time, and a step the walk has not timed
// yet is named (it is estimated with unmeasuredSeconds until the walk runs
// again: PROCBOX_WALK=1 go test -run TestLearnWalkTimed ./cmd/procbox).
func TestMeasuredDurations(t *testing.T) {
	steps := map[string]Step{}
	for _, l := range Catalog() {
		for _, s := range l.Steps {
			k := Key(l.ID, s.ID)
			steps[k] = s
			if _, ok := measuredSeconds[k]; !ok {
				t.Logf("%s: not timed by the walk yet; estimated with %v seconds", k, unmeasuredSeconds)
			}
		}
	}
	for k, m := range measuredSeconds {
		s, ok := steps[k]
		if !ok {
			t.Errorf("%s: timed by the walk but no longer a step; run the walk again or drop the line", k)
			continue
		}
		if m[0] < 0 || m[1] < 0 || (s.ByHandOnly && m[0] != 0) || (s.DIY == nil && m[1] != 0) {
			t.Errorf("%s: measured %v does not fit the step (by hand only %v, shell path %v)", k, m, s.ByHandOnly, s.DIY != nil)
		}
	}
}
