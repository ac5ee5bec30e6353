//go:build !linux

package inspect

import "os"

// Off Linux the table works on fixture trees only, with plain os calls.

func readSmall(path string, buf []byte) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return f.Read(buf)
}

// ownerUID cannot be portable (Windows has no uid): every fixture process
// belongs to uid 0 off Linux.
func ownerUID(dir string) (int, error) {
	_, err := os.Stat(dir)
	return 0, err
}

func readlinkInto(path string, buf []byte) (string, error) { return os.Readlink(path) }
