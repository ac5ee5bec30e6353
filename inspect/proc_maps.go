package inspect

import (
	"strings"
)

// memoryKindOrder is the display order of MemoryKind entries.
var memoryKindOrder = []string{"text", "heap", "stack", "anon", "lib", "file", "vdso", "vvar", "other"}

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
