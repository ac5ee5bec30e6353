package main

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"

	"procbox/lessons"
)

// The course's typed commands against this host: which programs they run
// (lessons.Step.Tools) are installed here, looked up in PATH as the
// learner's shell would. learn warns with it before a step's shell opens;
// doctor sums it up for the whole course.

// haveTool is whether name is a program in PATH.
func haveTool(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// byHandReport is doctor's summary of the course's by-hand steps: the steps
// whose commands a learner types, how many of them have every program they
// run installed here, and each program that is not, with the steps it stops.
type byHandReport struct {
	Steps   int           `json:"steps"`
	CanRun  int           `json:"can_run"`
	Missing []missingTool `json:"missing"`
}

// missingTool is one program the course types that this host lacks.
type missingTool struct {
	Tool    string   `json:"tool"`
	Package string   `json:"package"` // the Debian package that installs it
	Steps   []string `json:"steps"`   // "lesson/step"
}

// courseTools checks every typed step of the catalog with have.
func courseTools(have func(string) bool) byHandReport {
	r := byHandReport{Missing: []missingTool{}}
	idx := map[string]int{}
	for _, l := range lessons.Catalog() {
		for _, s := range l.Steps {
			if !s.Typed() {
				continue
			}
			r.Steps++
			ok := true
			for _, t := range s.Tools() {
				if have(t.Name) {
					continue
				}
				ok = false
				i, seen := idx[t.Name]
				if !seen {
					i = len(r.Missing)
					idx[t.Name] = i
					r.Missing = append(r.Missing, missingTool{Tool: t.Name, Package: t.Package})
				}
				r.Missing[i].Steps = append(r.Missing[i].Steps, lessons.Key(l.ID, s.ID))
			}
			if ok {
				r.CanRun++
			}
		}
	}
	slices.SortFunc(r.Missing, func(a, b missingTool) int { return strings.Compare(a.Tool, b.Tool) })
	return r
}

// line is doctor's one line for the by-hand steps.
func (r byHandReport) line() string {
	if len(r.Missing) == 0 {
		return fmt.Sprintf("✓ by-hand steps — all %d can run here: every program their commands type is installed", r.Steps)
	}
	var miss, pkgs []string
	for _, m := range r.Missing {
		miss = append(miss, m.Tool+" ("+strings.Join(m.Steps, ", ")+")")
		if m.Package != "" && !slices.Contains(pkgs, m.Package) {
			pkgs = append(pkgs, m.Package)
		}
	}
	return fmt.Sprintf("✗ by-hand steps — %d of %d can run here; not in PATH: %s; Debian: apt install %s",
		r.CanRun, r.Steps, strings.Join(miss, ", "), strings.Join(pkgs, " "))
}
