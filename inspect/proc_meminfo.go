package inspect

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
)

var errMemInfo = errors.New("no MemTotal line in /proc/meminfo")

// MemTotal is the RAM the kernel manages, from the MemTotal line of
// /proc/meminfo (proc_meminfo(5)): what the picker's MEM% is a share of.
func (fs FS) MemTotal() (int64, error) {
	b, err := os.ReadFile(filepath.Join(fs.Proc, "meminfo"))
	if err != nil {
		return 0, classify(err)
	}
	return parseMemTotal(b)
}

// parseMemTotal reads "MemTotal:  16314996 kB" (the kernel always says kB,
// meaning KiB) from the text of /proc/meminfo.
func parseMemTotal(b []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "MemTotal:" {
			n, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil || n <= 0 {
				break
			}
			if len(f) >= 3 && string(f[2]) == "kB" {
				n *= 1024
			}
			return n, nil
		}
	}
	return 0, errMemInfo
}
