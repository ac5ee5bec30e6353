package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"procbox/ui"
)

// init plugs the file-backed progress store into the UI (see progressHook in tui.go).
func init() {
	progressHook = func() ui.ProgressStore {
		p, err := defaultProgressPath()
		if err != nil {
			// No home and no XDG_STATE_HOME: the UI says progress is not saved.
			return nil
		}
		return fileProgress{path: p}
	}
}

// defaultProgressPath is $XDG_STATE_HOME/procbox/progress.json, or
// ~/.local/state/procbox/progress.json as the XDG base directory spec says.
func defaultProgressPath() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "procbox", "progress.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", fmt.Errorf("no home directory to keep progress in: %v", err)
	}
	return filepath.Join(home, ".local", "state", "procbox", "progress.json"), nil
}

// fileProgress keeps a learner's progress in one JSON file. Every access
// goes through openStateDir (statedir.go) and then works relative to the
// directory's descriptor without following symlinks: as root, procbox must
// never read, write or delete through a link someone else planted.
type fileProgress struct{ path string }

// dir opens the directory that holds the file.
func (f fileProgress) dir(create bool) (*os.File, error) {
	return openStateDir(filepath.Dir(f.path), create)
}

// Load returns empty progress when nothing was saved yet.
func (f fileProgress) Load() (ui.Progress, error) {
	empty := ui.Progress{Completed: map[string]bool{}}
	d, err := f.dir(false)
	if errors.Is(err, unix.ENOENT) {
		return empty, nil
	}
	if err != nil {
		return empty, err
	}
	defer d.Close()
	fd, err := unix.Openat(int(d.Fd()), filepath.Base(f.path), unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if errors.Is(err, unix.ENOENT) {
		return empty, nil
	}
	if err != nil {
		return empty, fmt.Errorf("progress file %s: %w", f.path, err)
	}
	file := os.NewFile(uintptr(fd), f.path)
	defer file.Close()
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
		return empty, fmt.Errorf("progress file %s: not a regular file", f.path)
	}
	// A progress file is a few hundred bytes; a huge one is not ours.
	b, err := io.ReadAll(io.LimitReader(file, maxProgressBytes+1))
	if err != nil {
		return empty, err
	}
	if len(b) > maxProgressBytes {
		return empty, fmt.Errorf("progress file %s is larger than %d bytes; delete it or run procbox learn --reset", f.path, maxProgressBytes)
	}
	var p ui.Progress
	if err := json.Unmarshal(b, &p); err != nil {
		return empty, fmt.Errorf("progress file %s is damaged (%v); delete it or run procbox learn --reset", f.path, err)
	}
	if p.Completed == nil {
		p.Completed = map[string]bool{}
	}
	return p, nil
}

// maxProgressBytes bounds what Load reads.
const maxProgressBytes = 1 << 20

// Save writes through a temporary file and a rename, so a crash mid-write
// never leaves half a file behind.
func (f fileProgress) Save(p ui.Progress) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	d, err := f.dir(true)
	if err != nil {
		return err
	}
	defer d.Close()
	dfd := int(d.Fd())
	tmp := fmt.Sprintf(".progress-%d-%d.json", os.Getpid(), time.Now().UnixNano())
	fd, err := unix.Openat(dfd, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("progress file: %w", err)
	}
	defer unix.Unlinkat(dfd, tmp, 0) // a no-op once renamed
	file := os.NewFile(uintptr(fd), tmp)
	if _, err := file.Write(append(b, '\n')); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	// rename(2) replaces a symlink at the target name; it never writes through it.
	return unix.Renameat(dfd, tmp, dfd, filepath.Base(f.path))
}

// Reset forgets all progress. unlink(2) removes a symlink, never its target.
func (f fileProgress) Reset() error {
	d, err := f.dir(false)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	err = unix.Unlinkat(int(d.Fd()), filepath.Base(f.path), 0)
	if errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}
