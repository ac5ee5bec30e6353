package inspect

import (
	"fmt"
	"strconv"
	"strings"
)

// procStatus is the part of /proc/PID/status procbox uses (Seccomp,
// Seccomp_filters, NoNewPrivs, supplementary groups, the four-id sets,
// capabilities). See proc_pid_status(5).
type procStatus struct {
	Name           string
	UIDs, GIDs     [4]int // real, effective, saved, fs
	Groups         []int
	Threads        int
	VmRSSBytes     int64
	CapInh, CapPrm uint64
	CapEff, CapBnd uint64
	CapAmb         uint64
	NoNewPrivs     bool
	Seccomp        int
	SeccompFilters int
	HasSeccomp     bool // the kernel prints a Seccomp line (CONFIG_SECCOMP)
}

// parseStatus parses the text of /proc/PID/status. Unknown lines are ignored
// (the file grows with every kernel); a malformed known line is an error.
func parseStatus(text string) (procStatus, error) {
	var st procStatus
	for _, line := range strings.Split(text, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "Name":
			st.Name = val
		case "Uid":
			st.UIDs, err = parseFourIDs(val)
		case "Gid":
			st.GIDs, err = parseFourIDs(val)
		case "Groups":
			for _, f := range strings.Fields(val) {
				g, gerr := strconv.Atoi(f)
				if gerr != nil {
					return st, fmt.Errorf("status Groups: %q is not a number", f)
				}
				st.Groups = append(st.Groups, g)
			}
		case "Threads":
			st.Threads, err = strconv.Atoi(val)
		case "VmRSS":
			var kb int64
			kb, err = strconv.ParseInt(strings.TrimSuffix(val, " kB"), 10, 64)
			st.VmRSSBytes = kb * 1024
		case "CapInh":
			st.CapInh, err = strconv.ParseUint(val, 16, 64)
		case "CapPrm":
			st.CapPrm, err = strconv.ParseUint(val, 16, 64)
		case "CapEff":
			st.CapEff, err = strconv.ParseUint(val, 16, 64)
		case "CapBnd":
			st.CapBnd, err = strconv.ParseUint(val, 16, 64)
		case "CapAmb":
			st.CapAmb, err = strconv.ParseUint(val, 16, 64)
		case "NoNewPrivs":
			st.NoNewPrivs = val == "1"
		case "Seccomp":
			st.HasSeccomp = true
			st.Seccomp, err = strconv.Atoi(val)
		case "Seccomp_filters":
			st.SeccompFilters, err = strconv.Atoi(val)
		}
		if err != nil {
			return st, fmt.Errorf("status %s: %q: %w", key, val, err)
		}
	}
	return st, nil
}

// parseFourIDs parses "1000\t1000\t1000\t1000" (real, effective, saved, fs).
func parseFourIDs(val string) ([4]int, error) {
	var ids [4]int
	f := strings.Fields(val)
	if len(f) != 4 {
		return ids, fmt.Errorf("want 4 ids, got %d", len(f))
	}
	for i, s := range f {
		n, err := strconv.Atoi(s)
		if err != nil {
			return ids, err
		}
		ids[i] = n
	}
	return ids, nil
}

// seccompName names the Seccomp mode of seccomp(2).
func seccompName(mode int) string {
	switch mode {
	case 0:
		return "disabled"
	case 1:
		return "strict"
	case 2:
		return "filter"
	}
	return "mode " + strconv.Itoa(mode)
}
