package inspect

import (
	"bytes"
	"errors"
)

// parseBootTime finds the "btime SECONDS" line of /proc/stat
// (proc_stat(5)): when the system booted, in seconds since the epoch. The
// rest of the file (one line per CPU, interrupts) is not parsed.
func parseBootTime(b []byte) (uint64, error) {
	for len(b) > 0 {
		line := b
		if nl := bytes.IndexByte(b, '\n'); nl >= 0 {
			line, b = b[:nl], b[nl+1:]
		} else {
			b = nil
		}
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			if t, ok := atouBytes(bytes.TrimSpace(v)); ok {
				return t, nil
			}
			return 0, errors.New("malformed btime line in /proc/stat")
		}
	}
	return 0, errors.New("no btime line in /proc/stat")
}
