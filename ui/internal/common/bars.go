package common

import (
	"strconv"
	"strings"
)

// Bar draws a usage bar of width cells filled to frac (0..1). The filled and
// empty parts use different characters as well as styles, so the bar still
// reads in monochrome (NO_COLOR).
func Bar(st Styles, frac float64, width int) string {
	if width <= 0 {
		return ""
	}
	frac = min(max(frac, 0), 1)
	full := int(frac*float64(width) + 0.5)
	if frac > 0 && full == 0 {
		full = 1 // something is used: show it
	}
	return st.BarFull.Render(strings.Repeat("█", full)) + st.BarEmpty.Render(strings.Repeat("░", width-full))
}

// UsageBar is "[bar] 12.0M of 64.0M (18%)", or "12.0M (no limit)" when max < 0.
func UsageBar(st Styles, used, limit int64, width int, format func(int64) string) string {
	if limit < 0 || limit == 0 {
		return Bar(st, 0, width) + " " + format(used) + " (no limit)"
	}
	frac := float64(used) / float64(limit)
	pct := int(frac*100 + 0.5)
	s := Bar(st, frac, width) + " " + format(used) + " of " + format(limit) + " (" + strconv.Itoa(pct) + "%)"
	if frac >= 0.9 {
		return s + " " + st.Warn.Render("near the limit")
	}
	return s
}
