//go:build !linux

package inspect

import "os"

// Off Linux the table works on fixture trees only, with plain os calls.

// procRoot is the proc directory paths are joined to.
type procRoot struct{ path string }

func procRootOf(_ *os.File, path string) procRoot { return procRoot{path} }

func (r procRoot) join(path []byte) string { return r.path + "/" + string(path[:len(path)-1]) }

// readStatOwner reads path (NUL-terminated, relative to root). The owner
// cannot be portable (Windows has no uid): every fixture process belongs to
// uid 0 off Linux.
func readStatOwner(root procRoot, path []byte, buf []byte) (n, uid int, err error) {
	f, err := os.Open(root.join(path))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	n, err = f.Read(buf)
	return n, 0, err
}

func readlinkZ(root procRoot, path []byte, buf []byte) (int, error) {
	s, err := os.Readlink(root.join(path))
	if err != nil {
		return 0, err
	}
	return copy(buf, s), nil
}
