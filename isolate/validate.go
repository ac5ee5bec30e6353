package isolate

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"procbox/internal/kernel"

	"procbox/internal/termtext"
)

// Validate says in one line what is wrong with s, listing the valid values
// where there is a list. A valid Spec can still fail at run time when the host
// lacks a feature; that is reported by Run/Start, not here.
func (s Spec) Validate() error {
	for _, n := range s.Namespaces {
		if !isNamespace(n) {
			return fmt.Errorf("unknown namespace %q (valid: %s, or all)", n, strings.Join(AllNamespaces, ", "))
		}
	}
	if s.Hostname != "" && !s.Has(NSUTS) {
		return fmt.Errorf("--hostname needs the uts namespace (add --ns uts): without it the host would be renamed")
	}
	if len(s.Hostname) > 64 {
		return fmt.Errorf("--hostname %q is longer than 64 bytes, the kernel's limit", s.Hostname)
	}
	if termtext.Printable(s.Hostname) != s.Hostname {
		// The kernel takes any bytes, but every terminal that shows the name
		// (a prompt, ps, procbox's own screens) would act on them.
		return fmt.Errorf("--hostname %q has control characters (or is not UTF-8): a hostname uses letters, digits, '-' and '.'", s.Hostname)
	}
	if s.MapRootTo != 0 && (!s.MapRoot || s.MapRootTo < 0 || s.MapRootTo > 4294967294) {
		return fmt.Errorf("map root to %d: needs --map-root and an id from 1 to 4294967294", s.MapRootTo)
	}
	if s.MapRoot && !s.Has(NSUser) {
		return fmt.Errorf("--map-root needs the user namespace (add --ns user)")
	}
	if s.Rootfs != "" {
		if !s.Has(NSMnt) {
			return fmt.Errorf("--rootfs needs the mnt namespace (add --ns mnt): pivot_root would change the host's root")
		}
		fi, err := os.Stat(s.Rootfs)
		if err != nil {
			return fmt.Errorf("--rootfs %s: %v", s.Rootfs, unwrapPathError(err))
		}
		if !fi.IsDir() {
			return fmt.Errorf("--rootfs %s is not a directory", s.Rootfs)
		}
		if real, err := filepath.EvalSymlinks(s.Rootfs); err == nil && real == "/" {
			return fmt.Errorf("--rootfs %s is the host's own root: give a directory that holds a root filesystem", s.Rootfs)
		}
		if !s.Has(NSPID) {
			// A /proc mounted in the new root would list the host's processes,
			// and /proc/PID/root of any of them is the host's / again.
			return fmt.Errorf("--rootfs needs the pid namespace too (add --ns pid): without it /proc/PID/root of any host process leads back to the host's /")
		}
	}
	if s.Veth && !s.Has(NSNet) {
		return fmt.Errorf("--veth needs the net namespace (add --ns net)")
	}
	if s.TimeOffset != 0 && !s.Has(NSTime) {
		return fmt.Errorf("--time-offset needs the time namespace (add --ns time)")
	}
	if s.TimeOffset > MaxTimeOffset {
		return fmt.Errorf("--time-offset %s is too far: the kernel keeps a shifted clock below about 146 years; use at most %s", s.TimeOffset, MaxTimeOffset)
	}
	if s.TimeOffset < 0 {
		// The kernel refuses offsets that would make the clocks negative; a
		// forward jump is always safe and is what the lesson needs.
		return fmt.Errorf("--time-offset %s is negative; use a positive duration like 24h", s.TimeOffset)
	}
	if s.MemoryMax < 0 {
		return fmt.Errorf("--mem %d is negative; use a size like 64M (0 = no limit)", s.MemoryMax)
	}
	if s.MemoryMax > 0 && s.MemoryMax < 1<<20 {
		return fmt.Errorf("--mem %d is below 1 MiB: the child could not even start", s.MemoryMax)
	}
	if s.PidsMax < 0 {
		return fmt.Errorf("--pids %d is negative; use a count like 64 (0 = no limit)", s.PidsMax)
	}
	if s.PidsMax > maxPids {
		return fmt.Errorf("--pids %d is more than the kernel allows (at most %d, PID_MAX_LIMIT); use a count like 64 (0 = no limit)", s.PidsMax, maxPids)
	}
	if s.CPUMax < 0 || math.IsNaN(s.CPUMax) || math.IsInf(s.CPUMax, 0) {
		return fmt.Errorf("--cpu %g is not a CPU quota; use a fraction of one CPU like 0.5 (0 = no limit)", s.CPUMax)
	}
	if s.CPUMax > maxCPUs {
		return fmt.Errorf("--cpu %g is more than %d CPUs; use a fraction of one CPU like 0.5", s.CPUMax, maxCPUs)
	}
	if s.CPUMax > 0 && s.CPUMax*100000 < 1000 {
		// The kernel's smallest quota is 1 ms per 100 ms period.
		return fmt.Errorf("--cpu %g is below 0.01, the smallest quota the kernel accepts", s.CPUMax)
	}
	if _, err := normalizeCaps(s.DropCaps); err != nil {
		return err
	}
	if _, err := normalizeSyscalls(s.Seccomp); err != nil {
		return err
	}
	return nil
}

// maxPids is the largest pids.max the kernel takes: PID_MAX_LIMIT, 4M pids
// on 64-bit systems (threads-max is lower still on most machines).
const maxPids = 4 << 20

// MaxTimeOffset bounds --time-offset: the kernel refuses an offset that puts
// the monotonic or boot clock past KTIME_SEC_MAX/2 (about 146 years,
// uptime included), with ERANGE. 1,000,000 hours (114 years) leaves room for
// decades of uptime.
const MaxTimeOffset = 1000000 * time.Hour

// maxCPUs bounds --cpu: a quota above the machine's CPU count changes
// nothing, and huge values overflow the kernel's quota field.
const maxCPUs = 1024

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func isNamespace(n string) bool {
	for _, k := range AllNamespaces {
		if k == n {
			return true
		}
	}
	return false
}

// ParseSize reads a byte size: "64M", "1G", "512k", "1.5G", "65536". Suffixes
// are powers of 1024, any case, with an optional "B" or "iB".
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty size (want bytes or a number with K, M or G, like 64M)")
	}
	u := strings.ToUpper(t)
	u = strings.TrimSuffix(u, "IB")
	u = strings.TrimSuffix(u, "B")
	mult := int64(1)
	switch {
	case strings.HasSuffix(u, "K"):
		mult = 1 << 10
	case strings.HasSuffix(u, "M"):
		mult = 1 << 20
	case strings.HasSuffix(u, "G"):
		mult = 1 << 30
	case strings.HasSuffix(u, "T"):
		mult = 1 << 40
	}
	if mult > 1 {
		u = u[:len(u)-1]
	}
	f, err := strconv.ParseFloat(u, 64)
	if err != nil || u == "" || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("bad size %q (want bytes or a number with K, M or G, like 64M)", s)
	}
	if f < 0 {
		return 0, fmt.Errorf("bad size %q: sizes cannot be negative", s)
	}
	v := f * float64(mult)
	if v > float64(1<<62) {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	// A fraction of a byte would round to 0, which means "no limit": say so
	// instead of silently dropping the limit.
	if f > 0 && v < 1 {
		return 0, fmt.Errorf("bad size %q: less than one byte (did you mean %sM?)", s, strings.TrimSpace(s))
	}
	return int64(v), nil
}

// ParseNamespaces reads "pid,net" or "all" into namespace kinds (deduplicated,
// in AllNamespaces order).
func ParseNamespaces(s string) ([]string, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "none" {
		return nil, nil
	}
	if s == "all" {
		return append([]string(nil), AllNamespaces...), nil
	}
	want := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if f == "mount" || f == "ns" { // the names unshare(1) and clone(2) use
			f = NSMnt
		}
		if !isNamespace(f) {
			return nil, fmt.Errorf("unknown namespace %q (valid: %s, or all)", f, strings.Join(AllNamespaces, ", "))
		}
		want[f] = true
	}
	var out []string
	for _, k := range AllNamespaces {
		if want[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// ParseCaps reads "cap_chown,net_raw" or "all": names with or without the cap_
// prefix, any case. The result is lower-case with the prefix.
func ParseCaps(s string) ([]string, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "none" {
		return nil, nil
	}
	if s == "all" {
		return kernel.CapNames(), nil
	}
	return normalizeCaps(strings.Split(s, ","))
}

func normalizeCaps(in []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, c := range in {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if !strings.HasPrefix(c, "cap_") {
			c = "cap_" + c
		}
		if _, ok := kernel.CapNumber(c); !ok {
			return nil, fmt.Errorf("unknown capability %q (valid: %s, or all)", c, strings.Join(kernel.CapNames(), ", "))
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// goRuntimeSyscalls are syscalls the child cannot live without: it is a Go
// program that re-executes itself (agent) or execs the command after the
// filter is in place, and the Lab's agent answers through Go's poller.
// Denying one would make the child crash, not teach. (Found by denying each
// in turn: the agent dies or never starts without these.) tgkill is not
// among them: the runtime only preempts and re-raises with it, and carries on
// when it fails, so the kill family can be denied whole.
var goRuntimeSyscalls = map[string]bool{
	"execve": true, "execveat": true, "exit": true, "exit_group": true, "futex": true,
	"mmap": true, "munmap": true, "rt_sigaction": true, "rt_sigprocmask": true,
	"rt_sigreturn": true, "sigaltstack": true, "clone": true, "clone3": true,
	"brk": true, "read": true, "write": true, "sched_yield": true, "nanosleep": true,
	"gettid": true, "madvise": true, "arch_prctl": true,
	"epoll_pwait": true, "epoll_pwait2": true, "epoll_wait": true, "epoll_ctl": true,
	"epoll_create1": true, "close": true, "fcntl": true, "openat": true,
	"newfstatat": true, "fstat": true, "waitid": true,
}

// ParseSyscalls reads "mkdir,unshare" into syscall names checked against this
// architecture's table.
func ParseSyscalls(s string) ([]string, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "none" {
		return nil, nil
	}
	return normalizeSyscalls(strings.Split(s, ","))
}

func normalizeSyscalls(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if !kernel.HaveSyscallTable() {
		return nil, fmt.Errorf("--seccomp is not available on %s: procbox has no syscall table for it", goarchName())
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range in {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		// arm64 and riscv64 only have the *at forms: "mkdir" still means them.
		family := SeccompFamily(n)
		if len(family) == 0 {
			return nil, fmt.Errorf("unknown syscall %q for %s (e.g. mkdir, mkdirat, unshare, mount, chown, ptrace, reboot; see syscalls(2))", n, goarchName())
		}
		if goRuntimeSyscalls[n] {
			return nil, fmt.Errorf("syscall %q cannot be denied: procbox's child is a Go program that needs it to start, answer the Lab and exec", n)
		}
		for _, m := range family {
			if goRuntimeSyscalls[m] {
				return nil, fmt.Errorf("%q cannot be denied: it denies its whole family (%s), and procbox's child, a Go program, needs %s to start, answer the Lab and exec",
					n, strings.Join(family, ", "), m)
			}
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

func goarchName() string { return runtime.GOARCH }
