//go:build !linux

package inspect

import "os"

// Off Linux the table works on fixture trees only, with plain os calls.

// readStatOwner reads path (NUL-terminated). The owner cannot be portable
// (Windows has no uid): every fixture process belongs to uid 0 off Linux.
func readStatOwner(path []byte, buf []byte) (n, uid int, err error) {
	f, err := os.Open(string(path[:len(path)-1]))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	n, err = f.Read(buf)
	return n, 0, err
}

func readlinkZ(path []byte, buf []byte) (int, error) {
	s, err := os.Readlink(string(path[:len(path)-1]))
	if err != nil {
		return 0, err
	}
	return copy(buf, s), nil
}
