package units

import (
	"strconv"
	"strings"
)

// Bytes prints a size the way the lessons and the Lab speak: "512 B",
// "64 MiB", "1.5 GiB". Whole units print without a fraction; otherwise one
// decimal. A negative size has no meaning here and prints as "?".
func Bytes(n int64) string {
	f, unit := scale(n)
	switch {
	case n < 0:
		return "?"
	case unit == "":
		return strconv.FormatInt(n, 10) + " B"
	}
	return oneDecimal(f) + " " + unit + "iB"
}

// Short prints a size in a table column the way ps and top users read it:
// "812K", "64M", "1.5G", "512B". It never needs more than six cells below an
// exbibyte. A negative size prints as "?".
func Short(n int64) string {
	f, unit := scale(n)
	switch {
	case n < 0:
		return "?"
	case unit == "":
		return strconv.FormatInt(n, 10) + "B"
	case f >= 100:
		return strconv.FormatInt(int64(f), 10) + unit
	}
	return oneDecimal(f) + unit
}

// scale divides n by 1024 until it is below 1024 (or the units run out) and
// names the unit reached: "" for bytes, then K, M, G, T, P, E.
func scale(n int64) (float64, string) {
	const names = "KMGTPE"
	f, i := float64(n), -1
	for f >= 1024 && i < len(names)-1 {
		f /= 1024
		i++
	}
	if i < 0 {
		return f, ""
	}
	return f, names[i : i+1]
}

// oneDecimal prints f with one decimal, dropping a useless ".0".
func oneDecimal(f float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0")
}
