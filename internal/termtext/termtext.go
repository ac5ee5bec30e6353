package termtext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Printable returns s with every byte a terminal would act on written as an
// escape: C0 controls (ESC, newline, BEL…), DEL and the C1 range (U+0080 to
// U+009F, which includes the 8-bit CSI) become \xNN or \u00NN, and a byte
// that is not UTF-8 becomes \xNN. Everything else, including any printable
// Unicode, stays as it is. A clean string is returned without copying.
func Printable(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(uint64(s[i])))
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteString(hex2(uint64(r)))
		case r >= 0x80 && r <= 0x9f:
			b.WriteString(`\u00`)
			b.WriteString(hex2(uint64(r)))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// hex2 is n as two lower-case hex digits.
func hex2(n uint64) string {
	h := strconv.FormatUint(n, 16)
	if len(h) < 2 {
		h = "0" + h
	}
	return h
}

// All applies Printable to every element, in place, and returns the slice.
func All(ss []string) []string {
	for i, s := range ss {
		ss[i] = Printable(s)
	}
	return ss
}
