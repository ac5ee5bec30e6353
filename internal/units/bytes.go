package units

import (
	"strconv"
	"strings"
)

// Bytes prints a size the way the lessons and the Lab speak: "512 B",
// "64 MiB", "1.5 GiB". Whole units print without a fraction; otherwise one
// decimal. A negative size has no meaning here and prints as "?".
func Bytes(n int64) string {
	if n < 0 {
		return "?"
	}
	const names = "KMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f := float64(n)
	i := -1
	for f >= 1024 && i < len(names)-1 {
		f /= 1024
		i++
	}
	return trimZero(strconv.FormatFloat(f, 'f', 1, 64)) + " " + names[i:i+1] + "iB"
}

// Short prints a size in a table column the way ps and top users read it:
// "812K", "64M", "1.5G", "512B". It never needs more than six cells below an
// exbibyte. A negative size prints as "?".
func Short(n int64) string {
	if n < 0 {
		return "?"
	}
	const names = "KMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + "B"
	}
	f := float64(n)
	i := -1
	for f >= 1024 && i < len(names)-1 {
		f /= 1024
		i++
	}
	if f >= 100 {
		return strconv.FormatInt(int64(f), 10) + names[i:i+1]
	}
	return trimZero(strconv.FormatFloat(f, 'f', 1, 64)) + names[i:i+1]
}

// trimZero drops a useless ".0".
func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }
