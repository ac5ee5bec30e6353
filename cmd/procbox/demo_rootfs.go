package main

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"procbox/isolate"
)

// demo_rootfs.go builds the small root filesystem the container lesson gives
// its demo child (lessons.DemoRootfs). The lessons are plain values and never
// touch the disk, so the program makes the directory, hands its path to the
// engine, and removes it when it stops its children. The child pivots into it
// inside its own mount namespace: the host never sees a mount.

// demoRootfsPrefix names the directory (procbox-rootfs-<random>). Its owner
// is the procbox whose lock file lists it (isolate.Claim), not a PID in the
// name: a sweep removes it only once that lock is free.
const demoRootfsPrefix = isolate.DemoRootfsPrefix

// demoRootfsFiles is what the demo child finds in its new /. The engine needs
// /proc (a fresh procfs is mounted there) and /tmp (experiments make their
// scratch files there); the rest is for the learner to look at.
var demoRootfsFiles = map[string]string{
	"etc/hostname":   "procbox-demo\n",
	"etc/os-release": "NAME=\"procbox demo root filesystem\"\nID=procbox-demo\n",
	"README": "This directory is the whole filesystem of the demo container.\n" +
		"procbox built it for the container lesson; an image is such a directory, packed.\n",
}

// makeDemoRootfs creates the directory tree and returns its path.
func makeDemoRootfs() (string, error) {
	dir, err := os.MkdirTemp("", demoRootfsPrefix)
	if err != nil {
		return "", fmt.Errorf("demo root filesystem: %w", err)
	}
	// Claimed at once (a killed procbox in between leaves an empty directory
	// the legacy listing of doctor --clean names).
	if err := isolate.Claim(isolate.OwnRootfs, dir); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("demo root filesystem: %w", err)
	}
	for _, d := range []string{"proc", "dev", "sys", "etc", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("demo root filesystem: %w", err)
		}
	}
	// /tmp is world-writable and sticky, as everywhere.
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("demo root filesystem: %w", err)
	}
	for name, body := range demoRootfsFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("demo root filesystem: %w", err)
		}
	}
	if err := copyRuntimeLibs(dir); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("demo root filesystem: %w", err)
	}
	return dir, nil
}

// libDirs are where a dynamically linked procbox's libraries are looked for.
var libDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
	"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}

// copyRuntimeLibs makes a dynamically linked procbox (built with cgo, as the
// race-detector test binaries are) runnable inside the demo root: the child
// re-executes procbox after pivot_root, and the kernel then needs the ELF
// interpreter, which needs the libraries, at the same paths as on the host.
// The release build is static and copies nothing.
func copyRuntimeLibs(root string) error {
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		return err
	}
	defer f.Close()
	var files []string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(p.Open())
			if err != nil {
				return err
			}
			files = append(files, strings.TrimRight(string(b), "\x00"))
		}
	}
	if len(files) == 0 {
		return nil // static
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return err
	}
	for _, lib := range libs {
		for _, d := range libDirs {
			if _, err := os.Stat(filepath.Join(d, lib)); err == nil {
				files = append(files, filepath.Join(d, lib))
				break
			}
		}
	}
	for _, src := range files {
		if err := copyFileInto(root, src); err != nil {
			return err
		}
	}
	return nil
}

// copyFileInto copies src (following symlinks) to the same path under root.
func copyFileInto(root, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	dst := filepath.Join(root, src)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// removeDemoRootfs removes the directory and its claim.
func removeDemoRootfs(dir string) {
	if os.RemoveAll(dir) == nil {
		isolate.Unclaim(isolate.OwnRootfs, dir)
	}
}
