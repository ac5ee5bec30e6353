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
	"procbox/internal/units"
)

const psHelp = `Usage: procbox ps [--json] [--text] [--container TEXT]

Lists every process: the table of 'procbox inspect' without a PID.
On a terminal it opens the picker; otherwise it prints an aligned table.

  --json            print the table as a JSON array
  --text            print the plain table even on a terminal
  --container TEXT  only processes whose container (runtime, id, name or
                    pod "namespace/name") contains TEXT, any case; "unknown"
                    lists those whose namespaces could not be read;
                    exits 1 (after printing the empty table) when nothing
                    matches, as grep and pgrep do
`

// cmdPs implements 'procbox ps'.
func cmdPs(args []string) error {
	fl := newFlagSet("ps")
	jsonOut := fl.Bool("json", false, "")
	textOut := fl.Bool("text", false, "")
	container := fl.String("container", "", "")
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
	filtering := false
	fl.Visit(func(f *flag.Flag) { filtering = filtering || f.Name == "container" })
	if filtering && strings.TrimSpace(*container) == "" {
		return usagef("ps: --container needs some text to match (a runtime, id, name or pod)")
	}
	if !*jsonOut && !*textOut && !filtering && onTTY() {
		return runPsTUI()
	}
	rows, err := inspect.DefaultFS().Table()
	if err != nil {
		return fmt.Errorf("ps: %v", err)
	}
	if filtering {
		rows = filterContainer(rows, *container)
	}
	if *jsonOut {
		// One buffer, one write: the same bytes as writeIndentedJSON
		// without reflection over 10,000 rows.
		_, err = os.Stdout.Write(inspect.AppendTableJSON(make([]byte, 0, 256*len(rows)+16), rows))
	} else {
		err = writePsTable(os.Stdout, rows)
	}
	if err == nil && filtering && len(rows) == 0 {
		return fmt.Errorf("ps: no process is in a container matching %q", strings.TrimSpace(*container))
	}
	return err
}

// filterContainer keeps the rows whose container marker, id, name or pod
// contains text, ignoring case.
func filterContainer(rows []inspect.ProcRow, text string) []inspect.ProcRow {
	text = strings.ToLower(strings.TrimSpace(text))
	out := rows[:0:0]
	for _, r := range rows {
		for _, f := range []string{r.Container, r.ContainerID, r.ContainerName, r.Pod} {
			if f != "" && strings.Contains(strings.ToLower(f), text) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// writePsTable prints the rows aligned, one process a line. The NAME column
// is the container's name; POD appears when any process is in a pod.
func writePsTable(w io.Writer, rows []inspect.ProcRow) error {
	pods := false
	for _, r := range rows {
		pods = pods || r.Pod != ""
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if pods {
		fmt.Fprintln(tw, "PID\tPPID\tUSER\tNI\tS\tRSS\tTHR\tCONTAINER\tNAME\tPOD\tCOMMAND")
	} else {
		fmt.Fprintln(tw, "PID\tPPID\tUSER\tNI\tS\tRSS\tTHR\tCONTAINER\tNAME\tCOMMAND")
	}
	for _, r := range rows {
		r = r.Printable() // a name may hold escape sequences or a newline
		fmt.Fprintf(tw, "%d\t%d\t%s\t%d\t%s\t%s\t%d\t%s\t%s\t",
			r.PID, r.PPID, r.User, r.Nice, r.State, units.Short(r.RSSBytes), r.Threads, dashIfEmpty(r.Container), dashIfEmpty(r.ContainerName))
		if pods {
			fmt.Fprintf(tw, "%s\t", dashIfEmpty(r.Pod))
		}
		fmt.Fprintf(tw, "%s\n", r.Comm)
	}
	return tw.Flush()
}
