package main

import (
	"encoding/json"
	"flag"
	"io"
	"math"
	"strings"
	"testing"

	"procbox/isolate"
)

// FuzzSpecFlags feeds the SPEC flag parser shared by `run` and `lab` with
// arbitrary command lines. Whatever it is given it must not panic, a refusal
// must be one line, and a spec it accepts must be one procbox can act on:
// valid, finite, and able to travel to the child as JSON.
func FuzzSpecFlags(f *testing.F) {
	for _, seed := range []string{
		"--ns all --mem 64M --pids 64",
		"--ns uts --hostname demo",
		"--ns user --map-root",
		"--ns net --veth",
		"--ns mnt --rootfs /",
		"--ns time --time-offset 24h",
		"--drop-caps all --seccomp mkdir,chown",
		"--drop-caps cap_chown,NET_RAW",
		"--cpu 0.5 --mem 1.5G --pids 0",
		"--mem=12Q",
		"--mem -5",
		"--pids -1",
		"--cpu NaN",
		"--cpu Inf",
		"--mem NaN",
		"--ns pid,,net",
		"--hostname x",
		"--time-offset -1h --ns time",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fs := flag.NewFlagSet("fuzz", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		build := parseSpecFlags(fs)
		if err := fs.Parse(strings.Fields(line)); err != nil {
			return
		}
		spec, err := build()
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("%q: the refusal is more than one line: %q", line, err)
			}
			return
		}
		if err := spec.Validate(); err != nil {
			t.Errorf("%q: accepted, but Validate says %v", line, err)
		}
		if math.IsNaN(spec.CPUMax) || math.IsInf(spec.CPUMax, 0) {
			t.Errorf("%q: accepted a CPU quota of %v", line, spec.CPUMax)
		}
		if spec.MemoryMax < 0 || spec.PidsMax < 0 || spec.TimeOffset < 0 {
			t.Errorf("%q: accepted a negative limit: %+v", line, spec)
		}
		// The spec travels to the child as JSON (isolate/launch_linux.go).
		if _, err := json.Marshal(spec); err != nil {
			t.Errorf("%q: accepted, but the spec cannot be sent to the child: %v", line, err)
		}
		isolate.Explain(spec) // must not panic on anything accepted
	})
}
