package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestImportRule enforces the import rule of DESIGN.md with `go list`: it
// fails if any package imports what its rule forbids. Rules match on package
// prefixes, so a new package under ui/ or internal/ is checked the day it
// appears. Test files are not checked (a _test.go import costs the binary
// nothing: that is how library oracles are kept).
//
//   - internal/* are leaves: they import nothing of procbox.
//   - inspect, isolate and assets import no project package but internal/ leaves.
//   - lessons may import assets, inspect, isolate and internal/units; never ui,
//     charm packages, os/exec or x/sys/unix.
//   - ui and everything under it may import lessons, inspect, isolate,
//     internal/units and ui's own packages; never x/sys/unix, syscall or procfs.
//   - Under ui, a screen (picker, inspector, lab, learn) never imports another
//     screen or the root: it sends a message and the root opens the screen.
//     ui/markdown and ui/internal/* import no screen either, and
//     ui/internal/uitest is for tests only.
//   - internal/testtree (file fixtures) and internal/leakcheck (the host
//     state a test must leave as it found it) are for tests only, like uitest.
func TestImportRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-json", "procbox/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath string
		Imports    []string
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := map[string]bool{}
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen[p.ImportPath] = true
		for _, imp := range p.Imports {
			if why := forbidden(p.ImportPath, imp); why != "" {
				t.Errorf("%s imports %s: %s", p.ImportPath, imp, why)
			}
		}
	}
	for _, want := range []string{"procbox/inspect", "procbox/isolate", "procbox/lessons", "procbox/ui", "procbox/assets", "procbox/cmd/procbox",
		"procbox/ui/picker", "procbox/ui/inspector", "procbox/ui/lab", "procbox/ui/learn", "procbox/ui/markdown",
		"procbox/ui/internal/common", "procbox/ui/internal/uitest", "procbox/internal/units"} {
		if !seen[want] {
			t.Errorf("go list did not report %s; the layout changed?", want)
		}
	}
}

// under reports whether pkg is root or a package below it.
func under(pkg, root string) bool { return pkg == root || strings.HasPrefix(pkg, root+"/") }

// uiScreens are the screen packages under ui: none may import another.
var uiScreens = []string{"procbox/ui/picker", "procbox/ui/inspector", "procbox/ui/lab", "procbox/ui/learn"}

// forbidden returns why package from may not import imp, or "".
func forbidden(from, imp string) string {
	project := under(imp, "procbox")
	leaf := under(imp, "procbox/internal")
	units := under(imp, "procbox/internal/units")
	charm := strings.HasPrefix(imp, "charm.land/") || strings.HasPrefix(imp, "github.com/charmbracelet/")
	if imp == "procbox/ui/internal/uitest" && !under(from, "procbox/ui/internal/uitest") {
		return "ui/internal/uitest holds test fakes: only _test.go files import it"
	}
	if imp == "procbox/internal/testtree" || imp == "procbox/internal/leakcheck" {
		return "internal/testtree and internal/leakcheck are test helpers: only _test.go files import them"
	}
	switch {
	case under(from, "procbox/internal"):
		if project {
			return "internal/ packages are leaves: they import nothing of procbox"
		}
	case under(from, "procbox/inspect"), under(from, "procbox/isolate"), under(from, "procbox/assets"):
		if project && !leaf {
			return "inspect, isolate and assets import no project package except internal/ leaves"
		}
	case under(from, "procbox/lessons"):
		switch {
		case under(imp, "procbox/ui"):
			return "lessons never imports ui"
		case charm:
			return "lessons never imports charm packages"
		case imp == "os/exec" || imp == "golang.org/x/sys/unix":
			return "lessons never spawns or makes syscalls"
		case project && !units && imp != "procbox/assets" && imp != "procbox/inspect" && imp != "procbox/isolate":
			return "lessons may import only assets, inspect, isolate and internal/units"
		}
	case under(from, "procbox/ui"):
		switch {
		case imp == "golang.org/x/sys/unix" || imp == "syscall" || strings.HasPrefix(imp, "github.com/prometheus/procfs"):
			return "ui never makes syscalls or reads procfs"
		case project && !units && !under(imp, "procbox/ui") && imp != "procbox/lessons" && imp != "procbox/inspect" && imp != "procbox/isolate":
			return "ui may import only lessons, inspect, isolate, internal/units and ui's own packages"
		case from != "procbox/ui" && imp == "procbox/ui":
			return "only cmd/procbox imports the ui root: screens send messages, the root routes them"
		case from != "procbox/ui" && slices.ContainsFunc(uiScreens, func(s string) bool { return under(imp, s) && !under(from, s) }):
			return "a screen never imports another screen: it sends a message and the root opens the screen"
		}
	}
	return ""
}

func TestForbidden(t *testing.T) {
	cases := []struct {
		from, imp string
		bad       bool
	}{
		{"procbox/inspect", "procbox/isolate", true},
		{"procbox/isolate", "golang.org/x/sys/unix", false},
		{"procbox/lessons", "os/exec", true},
		{"procbox/lessons", "procbox/assets", false},
		{"procbox/lessons", "charm.land/lipgloss/v2", true},
		{"procbox/ui", "syscall", true},
		{"procbox/ui", "procbox/lessons", false},
		{"procbox/ui", "github.com/prometheus/procfs", true},
		{"procbox/cmd/procbox", "golang.org/x/sys/unix", false},
		{"procbox/inspect", "procbox/internal/kernel", false},
		{"procbox/isolate", "procbox/internal/units", false},
		{"procbox/assets", "procbox/inspect", true},
		{"procbox/internal/kernel", "procbox/inspect", true},
		{"procbox/internal/kernel", "procbox/internal/units", true},
		{"procbox/internal/kernel/gen", "go/parser", false},
		{"procbox/ui/lab", "golang.org/x/sys/unix", true},
		{"procbox/ui/internal/common", "syscall", true},
		{"procbox/ui/picker", "procbox/ui/inspector", true},
		{"procbox/ui/learn", "procbox/ui/lab", true},
		{"procbox/ui/lab", "procbox/ui", true},
		{"procbox/ui/learn", "procbox/ui/markdown", false},
		{"procbox/ui/inspector", "procbox/ui/internal/common", false},
		{"procbox/ui/inspector", "procbox/internal/units", false},
		{"procbox/ui/inspector", "procbox/internal/kernel", true},
		{"procbox/inspect", "procbox/internal/testtree", true},
		{"procbox/cmd/procbox", "procbox/internal/testtree", true},
		{"procbox/isolate", "procbox/internal/leakcheck", true},
		{"procbox/ui", "procbox/ui/picker", false},
		{"procbox/ui/picker", "procbox/ui/internal/uitest", true},
		{"procbox/lessons", "procbox/internal/units", false},
		{"procbox/lessons", "procbox/ui/markdown", true},
		{"procbox/uikit", "syscall", false},
	}
	for _, c := range cases {
		if got := forbidden(c.from, c.imp) != ""; got != c.bad {
			t.Errorf("forbidden(%q, %q) = %v, want %v", c.from, c.imp, got, c.bad)
		}
	}
}

// TestEveryPackageOpensWithItsRule: each package states its rule in a doc.go
// of its own ("Package x …" or "Command x …"), where a newcomer looks first.
func TestEveryPackageOpensWithItsRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Dir}} {{.Name}}", "procbox/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		path, dir, name := f[0], f[1], f[2]
		b, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		if err != nil {
			t.Errorf("%s has no doc.go: %v", path, err)
			continue
		}
		want := "// Package " + name + " "
		if name == "main" {
			want = "// Command "
		}
		if !strings.HasPrefix(string(b), want) {
			t.Errorf("%s/doc.go does not open with %q", path, want)
		}
	}
}
