package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"procbox/ui"
)

// TestProgressPlantedSymlinks replays the attack on the progress store: as
// root, with XDG_STATE_HOME pointing into a directory another user controls,
// `procbox learn --reset` (and a save) must delete or write nothing through
// the links that user planted.
func TestProgressPlantedSymlinks(t *testing.T) {
	requireRoot(t)
	bin := faultBuild(t)
	const nobody = 65534

	// The victim: a root-owned directory with a file named like the store's.
	victim := t.TempDir()
	victimFile := filepath.Join(victim, "progress.json")
	if err := os.WriteFile(victimFile, []byte("root's file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	intact := func(what string) {
		t.Helper()
		b, err := os.ReadFile(victimFile)
		if err != nil || string(b) != "root's file\n" {
			t.Fatalf("%s: the victim file was changed or removed (%q, %v)", what, b, err)
		}
	}
	reset := func(state string) faultRun {
		t.Helper()
		r := faultExecEnv(t, 20*time.Second, []string{"XDG_STATE_HOME=" + state}, bin, "learn", "--reset")
		if r.err != nil {
			t.Fatalf("learn --reset: %v", r.err)
		}
		return r
	}

	// 1. A user-owned state home with procbox -> victim: refused, nothing deleted.
	userHome := filepath.Join(t.TempDir(), "x")
	os.Mkdir(userHome, 0o755)
	os.Symlink(victim, filepath.Join(userHome, "procbox"))
	os.Lchown(filepath.Join(userHome, "procbox"), nobody, nobody)
	os.Chown(userHome, nobody, nobody)
	r := reset(userHome)
	intact("user-owned XDG_STATE_HOME with procbox -> victim")
	if r.code == 0 || !strings.Contains(r.stderr, "unsafe state directory") || len(stderrLines(r.stderr)) != 1 {
		t.Errorf("user-owned state home: want one line refusing it, got code %d, %q", r.code, r.stderr)
	}

	// 2. A root-owned state home, but the link in it belongs to the user (a
	// sticky, world-writable home like /tmp): the link is not followed.
	sticky := t.TempDir()
	os.Chmod(sticky, os.ModeSticky|0o777)
	os.Symlink(victim, filepath.Join(sticky, "procbox"))
	os.Lchown(filepath.Join(sticky, "procbox"), nobody, nobody)
	r = reset(sticky)
	intact("user-owned symlink procbox -> victim")
	if r.code == 0 || !strings.Contains(r.stderr, "symlink owned by uid 65534") {
		t.Errorf("user's symlink: want a refusal naming it, got code %d, %q", r.code, r.stderr)
	}

	// 3. A state directory the user owns (with a real progress file in it): refused.
	owned := t.TempDir()
	os.Mkdir(filepath.Join(owned, "procbox"), 0o700)
	os.WriteFile(filepath.Join(owned, "procbox", "progress.json"), []byte("{}\n"), 0o600)
	os.Chown(filepath.Join(owned, "procbox"), nobody, nobody)
	r = reset(owned)
	if _, err := os.Stat(filepath.Join(owned, "procbox", "progress.json")); err != nil || r.code == 0 ||
		!strings.Contains(r.stderr, "owned by uid 65534, not by you") {
		t.Errorf("user-owned state dir: want a refusal and the file kept, got code %d, %q, %v", r.code, r.stderr, err)
	}

	// 4. The caller's own directory, with progress.json -> victim (planted
	// earlier, say): reset unlinks the link, save replaces it; the victim stays.
	mine := t.TempDir()
	os.Mkdir(filepath.Join(mine, "procbox"), 0o700)
	link := filepath.Join(mine, "procbox", "progress.json")
	os.Symlink(victimFile, link)
	if r := reset(mine); r.code != 0 {
		t.Fatalf("reset in a safe dir: code %d, %q", r.code, r.stderr)
	}
	intact("reset with progress.json -> victim")
	if _, err := os.Lstat(link); !os.IsNotExist(err) {
		t.Errorf("the link itself should be gone: %v", err)
	}
	os.Symlink(victimFile, link)
	store := fileProgress{path: link}
	if _, err := store.Load(); err == nil {
		t.Errorf("Load followed progress.json -> victim")
	}
	if err := store.Save(ui.Progress{Lesson: "process"}); err != nil {
		t.Fatal(err)
	}
	intact("save with progress.json -> victim")
	if fi, err := os.Lstat(link); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("save should replace the link with a regular file: %v %v", fi, err)
	}
}

// TestProgressStateDirRules checks the rules that need no root: a state
// directory others may write to is refused; the caller's own symlink (a
// home on another disk, say) is followed.
func TestProgressStateDirRules(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	os.Mkdir(real, 0o700)
	os.Mkdir(filepath.Join(real, "procbox"), 0o777)
	os.Chmod(filepath.Join(real, "procbox"), 0o777) // umask aside
	store := fileProgress{path: filepath.Join(real, "procbox", "progress.json")}
	if err := store.Save(ui.Progress{}); err == nil || !strings.Contains(err.Error(), "others may write") {
		t.Errorf("world-writable state dir: %v", err)
	}
	os.Chmod(filepath.Join(real, "procbox"), 0o700)

	os.Symlink(real, filepath.Join(base, "state"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(base, "state"))
	p, _ := defaultProgressPath()
	store = fileProgress{path: p}
	if err := store.Save(ui.Progress{Lesson: "limits"}); err != nil {
		t.Fatalf("own symlinked state home: %v", err)
	}
	got, err := store.Load()
	if err != nil || got.Lesson != "limits" {
		t.Fatalf("load through own symlink: %+v %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(real, "procbox", "progress.json")); err != nil {
		t.Errorf("saved elsewhere: %v", err)
	}

	// A fresh state home is created 0700.
	fresh := filepath.Join(base, "fresh", "deeper")
	store = fileProgress{path: filepath.Join(fresh, "procbox", "progress.json")}
	if err := store.Save(ui.Progress{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(fresh, "procbox")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("new state dir: %v %v", fi, err)
	}
}
