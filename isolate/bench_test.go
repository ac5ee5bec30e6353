//go:build linux

package isolate

import (
	"io"
	"os"
	"testing"
)

// BenchmarkRunAllNamespaces is `procbox run --ns all --mem 64M --pids 64 -- true`
// through Run: every namespace, a cgroup with two limits, the re-exec of this
// binary as the child, and the cleanup.
func BenchmarkRunAllNamespaces(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	spec := Spec{Namespaces: AllNamespaces, MemoryMax: 64 << 20, PidsMax: 64}
	for b.Loop() {
		res, err := Run(spec, []string{"true"}, nil, io.Discard, io.Discard)
		if err != nil || res.ExitCode != 0 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

// BenchmarkRunPlain is the floor: the re-exec and cleanup with no isolation.
func BenchmarkRunPlain(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root")
	}
	for b.Loop() {
		if _, err := Run(Spec{}, []string{"true"}, nil, io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
