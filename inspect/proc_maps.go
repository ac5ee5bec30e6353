package inspect

import (
	"fmt"
	"strconv"
	"strings"
)

// memoryKindOrder is the display order of MemoryKind entries.
var memoryKindOrder = []string{"text", "heap", "stack", "anon", "lib", "file", "vdso", "vvar", "other"}

// parseMaps parses /proc/PID/maps (proc_pid_maps(5)):
// "start-end perms offset dev inode   path". The path may contain spaces and is
// absent for anonymous memory. exe is the process's executable, so its
// executable mappings count as program text.
func parseMaps(text, exe string) ([]MemoryMap, error) {
	out := []MemoryMap{}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		// Five space-separated fields, then the rest of the line is the path.
		rest := line
		var f [5]string
		for i := range f {
			rest = strings.TrimLeft(rest, " ")
			var ok bool
			f[i], rest, ok = strings.Cut(rest, " ")
			if !ok && i < 4 {
				return out, fmt.Errorf("maps line %q: too few fields", line)
			}
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			return out, fmt.Errorf("maps line %q: bad address range", line)
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end < start {
			return out, fmt.Errorf("maps line %q: bad address range", line)
		}
		path := strings.TrimSpace(rest)
		m := MemoryMap{Start: start, End: end, Perms: f[1], Path: path}
		m.Kind = mapKind(m, exe)
		out = append(out, m)
	}
	return out, nil
}

// mapKind classifies one mapping: text (executable mapping of the program),
// heap, stack, anon, lib (shared objects), file (other files), vdso, vvar, other.
func mapKind(m MemoryMap, exe string) string {
	p := strings.TrimSuffix(m.Path, " (deleted)")
	switch {
	case p == "":
		return "anon"
	case p == "[heap]":
		return "heap"
	case p == "[stack]" || strings.HasPrefix(p, "[stack:"):
		return "stack"
	case p == "[vdso]":
		return "vdso"
	case strings.HasPrefix(p, "[vvar"):
		return "vvar"
	case strings.HasPrefix(p, "["):
		return "other"
	case exe != "" && p == exe && strings.Contains(m.Perms, "x"):
		return "text"
	case strings.HasSuffix(p, ".so") || strings.Contains(p, ".so."):
		return "lib"
	case strings.HasPrefix(p, "/"):
		return "file"
	}
	return "other"
}

// summariseMaps sums mappings by kind, in memoryKindOrder, leaving out kinds
// with no mapping.
func summariseMaps(maps []MemoryMap) []MemoryKind {
	sums := map[string]*MemoryKind{}
	for _, m := range maps {
		k := sums[m.Kind]
		if k == nil {
			k = &MemoryKind{Kind: m.Kind}
			sums[m.Kind] = k
		}
		k.Count++
		k.SizeBytes += int64(m.End - m.Start)
	}
	out := []MemoryKind{}
	for _, kind := range memoryKindOrder {
		if k := sums[kind]; k != nil {
			out = append(out, *k)
		}
	}
	return out
}
