package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/ui/lab"
)

const doctorHelp = `Usage: procbox doctor [--json] [--clean [--legacy]]

Says what this host supports for containers, and why not.

  --json    print the report as JSON
  --clean   remove the cgroups, veths and demo root filesystems of procboxes
            that died without cleaning up: exactly what their lock files in
            ` + "/run/procbox" + ` list, once their lock is free (the owner is dead).
            procbox-named state no lock file lists is only listed
  --legacy  with --clean: remove that unlisted state too (made by a procbox
            from before lock files, or by hand); only when no older procbox runs
`

// sweepHook removes stale procbox state (isolate's sweep). It is a variable
// so this file builds on its own; nil means this build cannot sweep.
var sweepHook func(legacy bool) (isolate.SweepReport, error) = sweepStale

// cmdDoctor implements 'procbox doctor'.
func cmdDoctor(args []string) error {
	fl := newFlagSet("doctor")
	jsonOut := fl.Bool("json", false, "")
	clean := fl.Bool("clean", false, "")
	legacy := fl.Bool("legacy", false, "")
	pos, err := parseInterspersed(fl, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(doctorHelp)
		return nil
	}
	if err != nil {
		return flagError("doctor", err)
	}
	if len(pos) > 0 {
		return usagef("doctor: takes no arguments (got %q)", strings.Join(pos, " "))
	}
	if *legacy && !*clean {
		return usagef("doctor: --legacy goes with --clean")
	}
	if *clean && *jsonOut {
		// --clean acts and prints what it did as lines; silently dropping
		// --json would hand a script text it cannot parse.
		return usagef("doctor: --clean prints what it removed as text; it does not go with --json")
	}
	if *clean {
		return doctorClean(os.Stdout, *legacy)
	}
	r := inspect.DefaultFS().Doctor()
	byHand := courseTools(haveTool)
	if *jsonOut {
		// The host report's keys, and by_hand: the course's typed steps
		// against the programs in PATH.
		return writeIndentedJSON(os.Stdout, struct {
			inspect.HostReport
			ByHand byHandReport `json:"by_hand"`
		}{r, byHand})
	}
	writeDoctorText(os.Stdout, r, byHand)
	return nil
}

func doctorClean(w io.Writer, legacy bool) error {
	if sweepHook == nil {
		return errors.New("doctor --clean: sweeping is not available in this build")
	}
	rep, err := sweepHook(legacy)
	for _, r := range rep.Removed {
		fmt.Fprintf(w, "removed %s\n", r)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "moved out: %s\n", n)
	}
	for _, l := range rep.Legacy {
		fmt.Fprintf(w, "not listed in any lock file (older procbox?), kept: %s\n", l)
	}
	if len(rep.Legacy) > 0 {
		fmt.Fprintln(w, "procbox doctor --clean --legacy removes what is not listed, once no older procbox runs")
	}
	if err != nil {
		return fmt.Errorf("doctor --clean: %v", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if len(rep.Removed) == 0 && len(rep.Legacy) == 0 {
		fmt.Fprintln(w, "nothing to clean: no stale procbox cgroups, veths or demo root filesystems")
	}
	return nil
}

// writeDoctorText prints one line per feature: ✓ or ✗, its name, and why;
// a fact that is neither good nor bad for procbox (no LSM, hidepid) gets ·.
// Then what this user can do: the Lab's switches, as the Lab itself answers.
// The last line of that section is the course's by-hand steps against the
// programs in PATH. On a terminal, long lines wrap at word boundaries.
func writeDoctorText(w io.Writer, r inspect.HostReport, byHand byHandReport) {
	var b strings.Builder
	doctorText(&b, r)
	b.WriteString(byHand.line() + "\n")
	width := 0
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		if cols, _, err := term.GetSize(f.Fd()); err == nil {
			width = cols
		}
	}
	io.WriteString(w, wrapWords(b.String(), width))
}

// wrapWords wraps each line longer than width at word boundaries, the rest
// of it indented under the text after the mark; width 0 wraps nothing.
func wrapWords(text string, width int) string {
	if width < 20 {
		return text
	}
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		wrapped := strings.Split(ansi.Wordwrap(l, width-2, ""), "\n")
		out = append(out, wrapped[0])
		for _, c := range wrapped[1:] {
			out = append(out, "  "+strings.TrimLeft(c, " "))
		}
	}
	return strings.Join(out, "\n")
}

// notDelegated is the line for a user who may manage no controller: why, in
// the terms of this host's cgroup mode, instead of an empty list.
func notDelegated(r inspect.HostReport) string {
	switch r.CgroupMode {
	case inspect.CgroupNone:
		return "✗ delegated to you — none: no cgroup filesystem is mounted"
	case inspect.CgroupV2:
		return fmt.Sprintf("✗ delegated to you — none: uid %d does not own its cgroup (a service manager can delegate one: systemd's Delegate=yes); memory, pids and cpu limits need root", r.UID)
	}
	return fmt.Sprintf("✗ delegated to you — none: uid %d may write no cgroup of its own under /sys/fs/cgroup (v1 delegates by directory ownership); memory, pids and cpu limits need root", r.UID)
}

func doctorText(w io.Writer, r inspect.HostReport) {
	mark := func(ok bool) string {
		if ok {
			return "✓"
		}
		return "✗"
	}
	line := func(f inspect.Feature) { fmt.Fprintf(w, "%s %s — %s\n", mark(f.Available), f.Name, f.Why) }
	who := fmt.Sprintf("uid %d", r.UID)
	if r.Root {
		who = "root"
	}
	fmt.Fprintf(w, "procbox doctor: kernel %s, running as %s\n\n", dashIfEmpty(r.Kernel), who)
	fmt.Fprintln(w, "Namespaces")
	for _, f := range r.Namespaces {
		f.Name += " namespace"
		line(f)
	}
	line(r.UserNSUnpriv)
	fmt.Fprintln(w, "\nCgroups")
	fmt.Fprintf(w, "%s cgroup mode %s — %s\n", mark(r.CgroupMode != inspect.CgroupNone), r.CgroupMode, r.CgroupNote)
	fmt.Fprintf(w, "  controllers: %s\n", dashIfEmpty(strings.Join(r.Controllers, " ")))
	if r.CgroupReadOnly {
		fmt.Fprintln(w, "✗ read-only — the cgroup filesystem is mounted read-only here: no cgroup can be made and no limit set, not even by root")
	} else if len(r.Delegated) > 0 {
		fmt.Fprintf(w, "✓ delegated to you — %s\n", strings.Join(r.Delegated, " "))
	} else {
		fmt.Fprintln(w, notDelegated(r))
	}
	fmt.Fprintln(w, "\nSecurity")
	line(r.Seccomp)
	// Facts, not failures: procbox works with or without an LSM or hidepid.
	fmt.Fprintf(w, "· lsm %s — %s\n", r.LSM, r.LSMNote)
	fmt.Fprintf(w, "· hidepid — %s\n", r.HidePID.Why)
	fmt.Fprintf(w, "\nshared with the host means: same namespace as %s\n", r.NSReference)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}

	fmt.Fprintf(w, "\nFor you (%s)\n", who)
	var ok, not []string
	anyNS := false
	for _, a := range lab.Available(r) {
		if a.OK {
			ok = append(ok, a.Switch)
			if slices.Contains(isolate.AllNamespaces, a.Switch) {
				anyNS = true
			}
		} else {
			not = append(not, fmt.Sprintf("✗ lab %s — %s", a.Switch, a.Why))
		}
	}
	if len(ok) > 0 {
		fmt.Fprintf(w, "✓ lab switches: %s\n", strings.Join(ok, ", "))
	}
	for _, n := range not {
		fmt.Fprintln(w, n)
	}
	if anyNS {
		fmt.Fprintln(w, "✓ learn — the lessons' live panels run on a Lab child: a step shows what the switches above allow")
	} else {
		fmt.Fprintln(w, "✗ learn — the lessons' live panels run on a Lab child, and no namespace switch works for you here; the texts and quizzes still do")
	}
	if r.Root {
		fmt.Fprintln(w, "✓ inspect — every process")
	} else {
		fmt.Fprintln(w, "✓ inspect — your own processes in full; of other users' only what /proc shows everyone (the rest reads as unknown)")
	}
}
