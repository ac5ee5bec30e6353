package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"procbox/inspect"
)

const psHelp = `Usage: procbox ps [--json] [--text]

Lists every process: the table of 'procbox inspect' without a PID.
On a terminal it opens the picker; otherwise it prints an aligned table.

  --json  print the table as a JSON array
  --text  print the plain table even on a terminal
`

// cmdPs implements 'procbox ps'.
func cmdPs(args []string) error {
	fl := newFlagSet("ps")
	jsonOut := fl.Bool("json", false, "")
	textOut := fl.Bool("text", false, "")
	pos, err := parseInterspersed(fl, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(psHelp)
		return nil
	}
	if err != nil {
		return flagError("ps", err)
	}
	if len(pos) > 0 {
		return usagef("ps: takes no arguments (got %q); to look at one process use procbox inspect PID", strings.Join(pos, " "))
	}
	if *jsonOut && *textOut {
		return usagef("ps: --json and --text exclude each other; pick one")
	}
	if !*jsonOut && !*textOut && onTTY() {
		return runPsTUI()
	}
	rows, err := inspect.DefaultFS().Table()
	if err != nil {
		return fmt.Errorf("ps: %v", err)
	}
	if *jsonOut {
		// One buffer, one write: the same bytes as writeIndentedJSON
		// without reflection over 10,000 rows.
		_, err := os.Stdout.Write(inspect.AppendTableJSON(make([]byte, 0, 256*len(rows)+16), rows))
		return err
	}
	return writePsTable(os.Stdout, rows)
}

// writePsTable prints the rows aligned, one process a line.
func writePsTable(w io.Writer, rows []inspect.ProcRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PID\tPPID\tUSER\tNI\tS\tRSS\tTHR\tCONTAINER\tCOMMAND")
	for _, r := range rows {
		r = r.Printable() // a name may hold escape sequences or a newline
		fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%s\t%s\t%d\t%s\t%s\n",
			r.PID, r.PPID, r.User, r.Nice, r.State, sizeText(r.RSSBytes), r.Threads, dashIfEmpty(r.Container), r.Comm)
	}
	return tw.Flush()
}
