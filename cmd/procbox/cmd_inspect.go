package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"procbox/inspect"
	"procbox/internal/units"
)

const inspectHelp = `Usage: procbox inspect [PID] [--json] [--text] [--show-secrets] [--compare PID2]
       procbox inspect --compare PID1 PID2 [--json]

Shows one process completely: identity, resources, and its isolation profile.
Without PID on a terminal, opens the process picker.

  --json          print the snapshot as JSON (schema: README, "inspect --json")
  --text          print a plain-text report even on a terminal
  --show-secrets  do not mask secret-looking environment values
  --compare PID2  the isolation differences between PID and PID2
`

// cmdInspect implements 'procbox inspect'.
func cmdInspect(args []string) error {
	fl := newFlagSet("inspect")
	jsonOut := fl.Bool("json", false, "")
	textOut := fl.Bool("text", false, "")
	showSecrets := fl.Bool("show-secrets", false, "")
	compare := fl.String("compare", "", "")
	pos, err := parseInterspersed(fl, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(inspectHelp)
		return nil
	}
	if err != nil {
		return flagError("inspect", err)
	}
	if len(pos) > 1 {
		return usagef("inspect: want one PID, got %d arguments (%s)", len(pos), strings.Join(pos, " "))
	}
	comparing := flagWasSet(fl, "compare")

	var a, b int
	if len(pos) == 1 {
		if a, err = parsePID(pos[0]); err != nil {
			return err
		}
	}
	if comparing {
		if b, err = parsePID(*compare); err != nil {
			return err
		}
		if len(pos) == 0 {
			return usagef("inspect: --compare needs two PIDs: procbox inspect PID1 --compare PID2")
		}
		// "inspect --compare PID1 PID2" reads as PID1 first.
		if compareBeforePID(args) {
			a, b = b, a
		}
	}
	if *jsonOut && *textOut {
		return usagef("inspect: --json and --text exclude each other; pick one")
	}

	if !*jsonOut && !*textOut {
		if onTTY() {
			// A mistyped PID is one line and status 1, as without a
			// terminal, not a full screen that says the process is gone.
			for _, p := range []int{a, b} {
				if p == 0 {
					continue
				}
				if err := inspect.DefaultFS().Gone(p); err != nil {
					return err
				}
			}
			return runInspectTUIWith(a, b, *showSecrets)
		}
		if a == 0 {
			return usagef("inspect: want a PID (the picker needs a terminal that can draw a screen: %s; try procbox ps)", noTUIReason())
		}
	}
	if a == 0 {
		return usagef("inspect: want a PID with --json or --text")
	}

	fs := inspect.DefaultFS()
	opt := inspect.Options{ShowSecrets: *showSecrets}
	sa, err := snapshotFor(fs, a, opt)
	if err != nil {
		return err
	}
	if !comparing {
		if *jsonOut {
			return writeIndentedJSON(os.Stdout, sa)
		}
		writeSnapshotText(os.Stdout, sa)
		return nil
	}
	sb, err := snapshotFor(fs, b, opt)
	if err != nil {
		return err
	}
	diffs := inspect.Compare(sa, sb)
	if *jsonOut {
		return writeIndentedJSON(os.Stdout, struct {
			A           inspect.Snapshot     `json:"a"`
			B           inspect.Snapshot     `json:"b"`
			Differences []inspect.Difference `json:"differences"`
		}{sa, sb, diffs})
	}
	writeCompareText(os.Stdout, sa, sb, diffs)
	return nil
}

// snapshotFor takes a snapshot and turns its two expected failures into one
// line each: the process is gone, or nothing about it is readable.
func snapshotFor(fs inspect.FS, pid int, opt inspect.Options) (inspect.Snapshot, error) {
	s, err := fs.Snapshot(pid, opt)
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, inspect.ErrGone):
		return s, err // already "no process with PID N"
	case errors.Is(err, inspect.ErrDenied):
		return s, fmt.Errorf("PID %d: %s", pid, inspect.ErrDenied)
	}
	return s, fmt.Errorf("PID %d: %v", pid, err)
}

// pidMaxLimit is PID_MAX_LIMIT on 64-bit Linux: kernel.pid_max can never be
// set above it, so a larger number cannot name a process on any host and is
// a usage error. Below it, a PID that does not exist is a runtime answer
// (exit 1), since pid_max varies between hosts and processes come and go.
const pidMaxLimit = 4 * 1024 * 1024

// parsePID accepts a positive decimal PID.
func parsePID(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, usagef("invalid PID %q: want a positive number", s)
	}
	if n > pidMaxLimit {
		return 0, usagef("invalid PID %q: no process with PID %d can exist (Linux PIDs stop at %d)", s, n, pidMaxLimit)
	}
	return n, nil
}

// compareBeforePID reports whether --compare came before the positional PID.
func compareBeforePID(args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--compare" || a == "-compare" || strings.HasPrefix(a, "--compare=") || strings.HasPrefix(a, "-compare=") {
			return true
		}
		if !strings.HasPrefix(a, "-") {
			return false
		}
	}
	return false
}

func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeSnapshotText is the plain-text report: one header per section, the
// reason in place of any section that could not be read.
func writeSnapshotText(w io.Writer, s inspect.Snapshot) {
	s = s.Printable() // process-chosen strings may hold escape sequences
	section := func(title string) { fmt.Fprintf(w, "\n== %s ==\n", title) }
	why := func(keys ...string) bool {
		found := false
		for _, k := range keys {
			if r, ok := s.Errors[k]; ok {
				fmt.Fprintf(w, "  (%s: %s)\n", k, r)
				found = true
			}
		}
		return found
	}
	fmt.Fprintf(w, "PID %d  %s\n", s.PID, s.Comm)

	section("Identity")
	why("identity", "exe", "cmdline", "status")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  ppid\t%d\n", s.PPID)
	fmt.Fprintf(tw, "  exe\t%s\n", dashIfEmpty(s.Exe))
	fmt.Fprintf(tw, "  cmdline\t%s\n", dashIfEmpty(strings.Join(s.Cmdline, " ")))
	fmt.Fprintf(tw, "  state\t%s\n", s.State)
	if !s.StartTime.IsZero() {
		fmt.Fprintf(tw, "  started\t%s\n", s.StartTime.Local().Format(time.RFC3339))
	}
	fmt.Fprintf(tw, "  threads\t%d\n", s.Threads)
	fmt.Fprintf(tw, "  uids\t%s\n", idSetText(s.UIDs))
	fmt.Fprintf(tw, "  gids\t%s\n", idSetText(s.GIDs))
	groups := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		groups[i] = idText(g)
	}
	fmt.Fprintf(tw, "  groups\t%s\n", dashIfEmpty(strings.Join(groups, ", ")))
	fmt.Fprintf(tw, "  nice / priority / policy\t%d / %d / %s\n", s.Nice, s.Priority, s.Policy)
	tw.Flush()

	section("Namespaces")
	why("namespaces")
	fmt.Fprintf(w, "  host reference: %s\n", dashIfEmpty(s.NSReference))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, kind := range inspect.NamespaceKinds {
		n, ok := s.Namespaces[kind]
		if !ok {
			continue
		}
		host := "own"
		if n.SharedWithHost {
			host = "shared with host"
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", kind, n.Inode, host)
	}
	tw.Flush()
	fmt.Fprintf(w, "  uid_map: %s   gid_map: %s\n", idMapText(s.UIDMap), idMapText(s.GIDMap))

	section("Cgroups and limits")
	why("cgroups")
	for _, c := range s.Cgroups {
		fmt.Fprintf(w, "  %d:%s:%s\n", c.HierarchyID, strings.Join(c.Controllers, ","), c.Path)
	}
	why("limits", "limits.memory_current", "limits.pids_current")
	l := s.Limits
	count := func(n int64) string { return strconv.FormatInt(n, 10) }
	used := func(n int64, f func(int64) string) string {
		if n < 0 {
			return "(not accounted here)"
		}
		return f(n)
	}
	fmt.Fprintf(w, "  memory %s of %s   pids %s of %s   cpu %s   oom kills %d   throttled %d times (%d µs)   [%s]\n",
		used(l.MemoryCurrent, units.Short), maxText(l.MemoryMax, units.Short), used(l.PidsCurrent, count),
		maxText(l.PidsMax, count), dashIfEmpty(l.CPUMax), l.OOMKills, l.NrThrottled, l.ThrottledUsec, l.CgroupVersion)
	// The effective limit is the tightest on the way to the root: say which
	// cgroup sets it when that is not the process's own.
	for _, e := range []struct{ what, setBy, leaf string }{
		{"memory", l.MemoryMaxSetBy, maxText(l.MemoryMaxLeaf, units.Short)},
		{"pids", l.PidsMaxSetBy, maxText(l.PidsMaxLeaf, count)},
		{"cpu", l.CPUMaxSetBy, dashIfEmpty(l.CPUMaxLeaf)},
	} {
		if e.setBy != "" && !sameCgroup(s.Cgroups, e.setBy) {
			fmt.Fprintf(w, "  %s limit set by the ancestor %s (the process's own cgroup says %s)\n", e.what, e.setBy, e.leaf)
		}
	}

	section("Privileges")
	if !why("status") {
		for _, set := range []struct {
			name string
			caps []string
		}{{"effective", s.Caps.Effective}, {"permitted", s.Caps.Permitted}, {"inheritable", s.Caps.Inheritable},
			{"bounding", s.Caps.Bounding}, {"ambient", s.Caps.Ambient}} {
			fmt.Fprintf(w, "  %-12s %s\n", set.name, capsLine(set.caps))
		}
		fmt.Fprintf(w, "  seccomp      %s (%d filters)   no_new_privs %v\n", s.Seccomp.Name, s.Seccomp.Filters, s.NoNewPrivs)
	}
	why("lsm")
	fmt.Fprintf(w, "  lsm          %s\n", dashIfEmpty(s.LSM))

	section("Verdict")
	c := s.Container
	var iso string
	switch c.Isolation {
	case inspect.IsolationKernelThread:
		iso = "none: a kernel thread runs only in the kernel and is never a container"
	case inspect.IsolationUnknown:
		iso = "unknown (" + c.Why + ")"
	case inspect.IsolationIsolated:
		iso = strings.Join(c.IsolatedNamespaces, ", ")
	default:
		iso = "none: every namespace is the host's"
	}
	fmt.Fprintf(w, "  isolated namespaces: %s\n", iso)
	rt := "none recognised in the cgroup paths or runtime state"
	if c.Runtime != "" {
		rt = c.Runtime + " " + c.ID
	}
	fmt.Fprintf(w, "  runtime: %s\n", rt)
	if c.Name != "" {
		fmt.Fprintf(w, "  container: %s\n", c.Name)
	}
	if c.Image != "" {
		fmt.Fprintf(w, "  image: %s\n", c.Image)
	}
	if c.Pod != nil {
		fmt.Fprintf(w, "  pod: %s/%s (container %s)\n", c.Pod.Namespace, c.Pod.Name, c.Pod.Container)
	}
	if c.StateFile != "" {
		fmt.Fprintf(w, "  read from: %s\n", c.StateFile)
	}
	why("container")

	section("Memory")
	why("memory")
	fmt.Fprintf(w, "  rss %s   virtual %s\n", units.Short(s.Memory.RSSBytes), units.Short(s.Memory.VSizeBytes))
	for _, k := range s.Memory.Kinds {
		fmt.Fprintf(w, "  %-6s %4d maps %10s\n", k.Kind, k.Count, units.Short(k.SizeBytes))
	}

	// A count only when the list is whole: an unreadable fd directory is
	// "unknown", never "0" (and a partly readable one says so).
	fdTitle := fmt.Sprintf("File descriptors (%d)", len(s.FDs))
	if _, bad := s.Errors["fds"]; bad {
		fdTitle = "File descriptors (unknown)"
		if len(s.FDs) > 0 {
			fdTitle = fmt.Sprintf("File descriptors (%d listed, not all)", len(s.FDs))
		}
	}
	section(fdTitle)
	why("fds")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, fd := range s.FDs {
		// Text after the last tab is not padded, so an empty detail leaves no trailing blanks.
		if fd.Detail == "" {
			fmt.Fprintf(tw, "  %d\t%s\t%s\n", fd.FD, fd.Kind, fd.Target)
		} else {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", fd.FD, fd.Kind, fd.Target, fd.Detail)
		}
	}
	tw.Flush()

	section("Environment")
	why("env")
	keys := make([]string, 0, len(s.Env))
	for k := range s.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s=%s\n", k, s.Env[k])
	}

	section("Resource limits (soft / hard)")
	why("rlimits")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range s.Rlimits {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Name, rlimitText(r.Soft), rlimitText(r.Hard), r.Units)
	}
	tw.Flush()

	section("Registers (/proc/PID/syscall)")
	if !why("syscall") && s.Syscall != nil {
		sc := s.Syscall
		switch {
		case sc.Running:
			fmt.Fprintln(w, "  running on a CPU: no system call to show")
		case sc.Number < 0:
			fmt.Fprintf(w, "  blocked outside a system call   sp 0x%x   pc 0x%x\n", sc.SP, sc.PC)
		default:
			args := make([]string, len(sc.Args))
			for i, a := range sc.Args {
				args[i] = fmt.Sprintf("0x%x", a)
			}
			fmt.Fprintf(w, "  %s(%s)   sp 0x%x   pc 0x%x\n", sc.Name, strings.Join(args, ", "), sc.SP, sc.PC)
		}
	}
}

func writeCompareText(w io.Writer, a, b inspect.Snapshot, diffs []inspect.Difference) {
	fmt.Fprintf(w, "Isolation differences: A = PID %d (%s), B = PID %d (%s)\n", a.PID, a.Comm, b.PID, b.Comm)
	if len(diffs) == 0 {
		fmt.Fprintln(w, "  none: both are isolated the same way")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FIELD\tA\tB")
	for _, d := range diffs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", d.Field, clipRunes(d.A, 60), clipRunes(d.B, 60))
	}
	tw.Flush()
}

// sameCgroup reports whether path is one of the process's own cgroups.
func sameCgroup(cgs []inspect.CgroupMembership, path string) bool {
	for _, c := range cgs {
		if c.Path == path {
			return true
		}
	}
	return false
}

func idText(id inspect.ID) string {
	if id.Name == "" {
		return strconv.Itoa(id.ID)
	}
	return fmt.Sprintf("%d(%s)", id.ID, id.Name)
}

func idSetText(s inspect.IDSet) string {
	return fmt.Sprintf("real %s  effective %s  saved %s  fs %s", idText(s.Real), idText(s.Effective), idText(s.Saved), idText(s.FS))
}

func idMapText(m []inspect.IDMapping) string {
	if len(m) == 0 {
		return "-"
	}
	parts := make([]string, len(m))
	for i, x := range m {
		parts[i] = fmt.Sprintf("%d→%d ×%d", x.Inside, x.Outside, x.Count)
	}
	return strings.Join(parts, "; ")
}

func capsLine(c []string) string {
	if len(c) == 0 {
		return "(none)"
	}
	return fmt.Sprintf("%d: %s", len(c), strings.Join(c, " "))
}

func rlimitText(n int64) string {
	if n < 0 {
		return "unlimited"
	}
	return strconv.FormatInt(n, 10)
}

func maxText(n int64, f func(int64) string) string {
	if n < 0 {
		return "max"
	}
	return f(n)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// newFlagSet is a flag set that prints nothing: procbox turns its errors
// into one usage line itself.
func newFlagSet(name string) *flag.FlagSet {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.Usage = func() {}
	return fl
}

// parseInterspersed parses flags before, between and after positional
// arguments ("inspect 42 --json" as well as "inspect --json 42"); "--" ends
// the flags. It returns the positional arguments in order.
func parseInterspersed(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		rest := fl.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagError turns the flag package's error into one usage line.
func flagError(cmd string, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		// "inspect -3" reaches the flag parser, but the user meant a PID.
		if _, err := strconv.Atoi(name); err == nil && cmd == "inspect" {
			return usagef("invalid PID %q: want a positive number", name)
		}
		return usagef("%s: unknown flag %s (see procbox %s --help)", cmd, name, cmd)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return usagef("%s: flag %s needs a value", cmd, name)
	}
	return usagef("%s: %s", cmd, msg)
}

// flagWasSet reports whether the flag was given on the command line.
func flagWasSet(fl *flag.FlagSet, name string) bool {
	set := false
	fl.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
