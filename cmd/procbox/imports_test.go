package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestImportRule enforces the import rule of DESIGN.md with `go list`: it
// fails if any package imports what its rule forbids.
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
	for _, want := range []string{"procbox/inspect", "procbox/isolate", "procbox/lessons", "procbox/ui", "procbox/assets", "procbox/cmd/procbox"} {
		if !seen[want] {
			t.Errorf("go list did not report %s; the layout changed?", want)
		}
	}
}

// forbidden returns why package from may not import imp, or "".
func forbidden(from, imp string) string {
	project := strings.HasPrefix(imp, "procbox/")
	leaf := strings.HasPrefix(imp, "procbox/internal/")
	charm := strings.HasPrefix(imp, "charm.land/") || strings.HasPrefix(imp, "github.com/charmbracelet/")
	if strings.HasPrefix(from, "procbox/internal/") {
		if project {
			return "internal/ packages are leaves: they import nothing of procbox"
		}
		return ""
	}
	switch from {
	case "procbox/inspect", "procbox/isolate", "procbox/assets":
		if project && !leaf {
			return "inspect, isolate and assets import no project package except internal/ leaves"
		}
	case "procbox/lessons":
		switch {
		case imp == "procbox/ui":
			return "lessons never imports ui"
		case charm:
			return "lessons never imports charm packages"
		case imp == "os/exec" || imp == "golang.org/x/sys/unix":
			return "lessons never spawns or makes syscalls"
		case project && imp != "procbox/assets" && imp != "procbox/inspect" && imp != "procbox/isolate":
			return "lessons may import only assets, inspect and isolate"
		}
	case "procbox/ui":
		switch {
		case imp == "golang.org/x/sys/unix" || imp == "syscall" || strings.HasPrefix(imp, "github.com/prometheus/procfs"):
			return "ui never makes syscalls or reads procfs"
		case project && imp != "procbox/lessons" && imp != "procbox/inspect" && imp != "procbox/isolate":
			return "ui may import only lessons, inspect and isolate"
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
	}
	for _, c := range cases {
		if got := forbidden(c.from, c.imp) != ""; got != c.bad {
			t.Errorf("forbidden(%q, %q) = %v, want %v", c.from, c.imp, got, c.bad)
		}
	}
}
