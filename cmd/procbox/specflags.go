package main

// specflags.go parses the SPEC flags shared by `procbox run` and `procbox lab`.
// Use:
//
//	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
//	spec := parseSpecFlags(fs)   // registers --ns, --mem, --drop-caps, ...
//	if err := fs.Parse(args); err != nil { return usagef("lab: %v", err) }
//	s, err := spec()             // parses values, then Spec.Validate
//	if err != nil { return usagef("lab: %v", err) }
//
// Every mistake comes back as one line listing the valid values; nothing has
// been created at that point.

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"procbox/isolate"
)

// specHelp describes the SPEC flags for `procbox run --help` and `procbox lab
// --help`, in the style of the other commands' help (double dashes, one
// value each), with what each needs.
const specHelp = `SPEC (all optional; without any, the child is a plain process):
  --ns LIST          namespaces: pid,net,mnt,uts,ipc,user,cgroup,time or all
  --hostname NAME    hostname inside (needs --ns uts)
  --map-root         be root inside, yourself outside (needs --ns user)
  --mem SIZE         memory limit, e.g. 64M (K, M or G; at least 1M)
  --pids N           most processes at once, e.g. 64 (0 = no limit)
  --cpu FRACTION     CPU quota in CPUs, e.g. 0.5 (0 = no limit)
  --drop-caps LIST   capabilities to drop, e.g. cap_chown,net_raw, or all
  --seccomp LIST     syscalls to deny with EPERM, e.g. mkdir,unshare; a name
                     denies its whole family (mkdir: mkdirat too)
  --rootfs DIR       directory to pivot_root into (needs --ns mnt,pid)
  --veth             a veth pair to the host (needs --ns net)
  --time-offset DUR  shift monotonic and boot clocks, e.g. 24h (needs --ns time)
`

// parseSpecFlags registers the SPEC flags on fs and returns a function that,
// after fs.Parse, builds and validates the Spec.
func parseSpecFlags(fs *flag.FlagSet) func() (isolate.Spec, error) {
	ns := fs.String("ns", "", "namespaces: pid,net,mnt,uts,ipc,user,cgroup,time or all")
	hostname := fs.String("hostname", "", "hostname inside (needs --ns uts)")
	mapRoot := fs.Bool("map-root", false, "be root inside, yourself outside (needs --ns user)")
	mem := fs.String("mem", "", "memory limit, e.g. 64M")
	pids := fs.String("pids", "", "most processes at once, e.g. 64")
	cpu := fs.String("cpu", "", "CPU quota as a fraction of one CPU, e.g. 0.5")
	drop := fs.String("drop-caps", "", "capabilities to drop, e.g. cap_chown,net_raw or all")
	sec := fs.String("seccomp", "", "syscalls to deny with EPERM, e.g. mkdir,unshare")
	rootfs := fs.String("rootfs", "", "directory to pivot into (needs --ns mnt)")
	veth := fs.Bool("veth", false, "veth pair to the host (needs --ns net)")
	offset := fs.String("time-offset", "", "shift monotonic and boot clocks, e.g. 24h (needs --ns time)")

	return func() (isolate.Spec, error) {
		var s isolate.Spec
		var err error
		if s.Namespaces, err = isolate.ParseNamespaces(*ns); err != nil {
			return s, fmt.Errorf("--ns: %v", err)
		}
		s.Hostname = *hostname
		s.MapRoot = *mapRoot
		if *mem != "" {
			if s.MemoryMax, err = isolate.ParseSize(*mem); err != nil {
				return s, fmt.Errorf("--mem: %v", err)
			}
		}
		if *pids != "" {
			n, perr := strconv.ParseInt(*pids, 10, 64)
			if perr != nil || n < 0 {
				return s, fmt.Errorf("--pids %q: want a whole number of processes like 64 (0 = no limit)", *pids)
			}
			s.PidsMax = n
		}
		if *cpu != "" {
			f, perr := strconv.ParseFloat(*cpu, 64)
			if perr != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
				return s, fmt.Errorf("--cpu %q: want a fraction of one CPU like 0.5 (0 = no limit)", *cpu)
			}
			if n := runtime.NumCPU(); f > float64(n) {
				return s, fmt.Errorf("--cpu %s: this host has %d CPU(s) for procbox, so a quota above %d could never be reached", *cpu, n, n)
			}
			s.CPUMax = f
		}
		if s.DropCaps, err = isolate.ParseCaps(*drop); err != nil {
			return s, fmt.Errorf("--drop-caps: %v", err)
		}
		if s.Seccomp, err = isolate.ParseSyscalls(*sec); err != nil {
			return s, fmt.Errorf("--seccomp: %v", err)
		}
		s.Rootfs = *rootfs
		if s.Rootfs != "" {
			// The Lab re-creates children later; a relative path must not
			// depend on where procbox happens to be then.
			if abs, err := filepath.Abs(s.Rootfs); err == nil {
				s.Rootfs = abs
			}
		}
		s.Veth = *veth
		if *offset != "" {
			d, perr := time.ParseDuration(*offset)
			if perr != nil {
				return s, fmt.Errorf("--time-offset %q: want a duration like 24h or 90m", *offset)
			}
			s.TimeOffset = d
		}
		if err := s.Validate(); err != nil {
			return s, err
		}
		return s, nil
	}
}
