package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"procbox/isolate"
)

const runHelp = `Usage: procbox run [SPEC] [--explain] [--report] -- CMD ARGS

Runs CMD isolated as SPEC says, with procbox's stdin, stdout and stderr, and
exits with CMD's status (128+signal when it was killed).

  --explain  print the equivalent shell commands and exit; creates nothing
  --report   afterwards, say on stderr what was isolated and what happened
             (an OOM kill, failed forks, peak memory)

` + specHelp + `
Example: procbox run --ns all --mem 64M --pids 64 -- sh
`

// cmdRun implements 'procbox run [SPEC] -- CMD ARGS': CMD runs isolated with
// procbox's stdio and procbox exits with its status (128+signal if killed).
func cmdRun(args []string) error {
	fs := newFlagSet("run")
	spec := parseSpecFlags(fs)
	explain := fs.Bool("explain", false, "")
	report := fs.Bool("report", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(runHelp)
			return nil
		}
		return flagError("run", err)
	}
	s, err := spec()
	if err != nil {
		return usagef("run: %v", err)
	}
	// flag stops at "--" and swallows it; a missing "--" leaves CMD among the
	// flags' leftovers, which we refuse so a typo never runs something unisolated.
	dash := -1
	for i, a := range args {
		if a == "--" {
			dash = i
			break
		}
	}
	argv := fs.Args()
	if *explain {
		if need := isolate.NeedsRoot(s, os.Geteuid()); len(need) > 0 {
			fmt.Printf("# as uid %d you cannot do every line below; they need root: %s\n", os.Geteuid(), strings.Join(need, "; "))
		}
		for _, st := range isolate.ExplainRun(s, os.Stdin, os.Stdout, os.Stderr) {
			fmt.Printf("%s   # %s\n", st.Command, st.What)
		}
		if len(argv) > 0 {
			fmt.Printf("exec %s   # run the command\n", shellJoin(argv))
		}
		return nil
	}
	if dash < 0 || len(argv) == 0 {
		return usagef("run: missing -- CMD (usage: procbox run [SPEC] -- CMD ARGS)")
	}
	// procbox run starts no other process: every child it is left with once
	// the command is gone is an orphan of the command's tree, to be killed.
	if err := isolate.BecomeReaper(); err != nil {
		fmt.Fprintln(os.Stderr, "procbox: run: cannot collect the command's orphans:", err)
	}
	res, err := isolate.Run(s, argv, os.Stdin, os.Stdout, os.Stderr)
	var ce *isolate.CommandError
	if errors.As(err, &ce) {
		// Like a shell: one line, then 127 (not found) or 126 (not runnable).
		fmt.Fprintf(os.Stderr, "procbox: %s\n", ce.Msg)
		return exitError{ce.Code}
	}
	if err != nil {
		return err
	}
	if *report {
		fmt.Fprint(os.Stderr, res.Report(s))
	}
	if res.ExitCode != 0 {
		return exitError{res.ExitCode}
	}
	return nil
}

// shellJoin quotes argv for display.
func shellJoin(argv []string) string {
	out := ""
	for i, a := range argv {
		if i > 0 {
			out += " "
		}
		if a == "" || containsShellMeta(a) {
			out += "'" + a + "'"
		} else {
			out += a
		}
	}
	return out
}

func containsShellMeta(s string) bool {
	for _, r := range s {
		switch r {
		case ' ', '\t', '\'', '"', '$', '`', '\\', '|', '&', ';', '<', '>', '(', ')', '*', '?', '!':
			return true
		}
	}
	return false
}
