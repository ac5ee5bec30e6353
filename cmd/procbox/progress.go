package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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

// fileProgress keeps a learner's progress in one JSON file.
type fileProgress struct{ path string }

// Load returns empty progress when nothing was saved yet.
func (f fileProgress) Load() (ui.Progress, error) {
	var p ui.Progress
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return ui.Progress{Completed: map[string]bool{}}, nil
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return ui.Progress{Completed: map[string]bool{}}, fmt.Errorf("progress file %s is damaged (%v); delete it or run procbox learn --reset", f.path, err)
	}
	if p.Completed == nil {
		p.Completed = map[string]bool{}
	}
	return p, nil
}

// Save writes through a temporary file and a rename, so a crash mid-write
// never leaves half a file behind.
func (f fileProgress) Save(p ui.Progress) error {
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".progress-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.path)
}

// Reset forgets all progress.
func (f fileProgress) Reset() error {
	err := os.Remove(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
