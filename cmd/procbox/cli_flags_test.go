package main

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

// run and lab refuse a flag the way ps, inspect and doctor do: one line that
// names the flag and where the valid ones are listed, never the flag
// package's own wording, and never a PID hint outside inspect.
func TestRunLabFlagErrors(t *testing.T) {
	cases := []struct {
		name string
		call func([]string) error
		args []string
		want string
	}{
		{"run unknown flag", cmdRun, []string{"--bogus", "--", "true"}, "run: unknown flag -bogus (see procbox run --help)"},
		{"lab unknown flag", cmdLab, []string{"--bogus"}, "lab: unknown flag -bogus (see procbox lab --help)"},
		{"run flag without value", cmdRun, []string{"--mem"}, "run: flag -mem needs a value"},
		{"lab flag without value", cmdLab, []string{"--ns"}, "lab: flag -ns needs a value"},
		{"run number as flag", cmdRun, []string{"-3", "--", "true"}, "run: unknown flag -3 (see procbox run --help)"},
	}
	for _, c := range cases {
		err := c.call(c.args)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%s: got %v, want a usage error", c.name, err)
			continue
		}
		if ue.msg != c.want {
			t.Errorf("%s: %q, want %q", c.name, ue.msg, c.want)
		}
	}
}

// The help of run and lab lists every flag they accept, with two dashes as
// the README and the usage write them: a flag added to the SPEC cannot be
// left out of --help.
func TestRunLabHelpListsEveryFlag(t *testing.T) {
	fs := newFlagSet("spec")
	parseSpecFlags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		for name, help := range map[string]string{"run": runHelp, "lab": labHelp} {
			if !strings.Contains(help, "--"+f.Name+" ") {
				t.Errorf("%s --help does not list --%s", name, f.Name)
			}
		}
	})
	for _, f := range []string{"--explain", "--report"} {
		if !strings.Contains(runHelp, f+" ") {
			t.Errorf("run --help does not list %s", f)
		}
	}
	for name, help := range map[string]string{"run": runHelp, "lab": labHelp} {
		for _, l := range strings.Split(help, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "-") && !strings.HasPrefix(strings.TrimSpace(l), "--") {
				t.Errorf("%s --help has a single-dash flag line: %q", name, l)
			}
			if len([]rune(l)) > 80 {
				t.Errorf("%s --help line wider than 80 columns: %q", name, l)
			}
		}
	}
}

// A command that only has a full-screen form says why it cannot start, in
// the user's terms: on a real terminal with TERM=dumb it must not claim there
// is no terminal.
func TestWhyNoTUI(t *testing.T) {
	cases := []struct {
		in, out bool
		term    string
		want    string
	}{
		{true, true, "xterm-256color", ""},
		{true, true, "screen", ""},
		{true, true, "dumb", "TERM=dumb cannot move the cursor"},
		{true, true, "", "TERM is not set"},
		{false, true, "xterm", "stdin is not a terminal"},
		{true, false, "xterm", "stdout is not a terminal"},
		{false, false, "dumb", "stdin and stdout are not a terminal"},
	}
	for _, c := range cases {
		got := whyNoTUI(c.in, c.out, c.term)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("whyNoTUI(%v, %v, %q) = %q, want %q", c.in, c.out, c.term, got, c.want)
		}
		if c.in && c.out && strings.Contains(got, "not a terminal") {
			t.Errorf("whyNoTUI on a terminal with TERM=%q says %q", c.term, got)
		}
	}
	// go test's stdout is not a terminal: the Lab says so, and refuses as a usage error.
	err := cmdLab(nil)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(ue.msg, "not a terminal") || !strings.Contains(ue.msg, "procbox run") {
		t.Errorf("lab without a terminal: %v", err)
	}
	err = cmdInspect(nil)
	if !errors.As(err, &ue) || !strings.Contains(ue.msg, "not a terminal") || !strings.Contains(ue.msg, "procbox ps") {
		t.Errorf("inspect without a PID or a terminal: %v", err)
	}
}
