package inspect

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"procbox/internal/testtree"

	"golang.org/x/sys/unix"
)

// Parser tables are shared with the fuzz targets (fuzz_test.go) as seeds.

var statusCases = []struct {
	name, in string
	want     procStatus
	wantErr  bool
}{
	{"typical", "Name:\tsleep\nUid:\t1000\t1001\t1002\t1003\nGid:\t100\t100\t100\t100\nGroups:\t4 27 \nThreads:\t3\nVmRSS:\t  1024 kB\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000005\nCapEff:\t0000000000000001\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\n",
		procStatus{Name: "sleep", UIDs: [4]int{1000, 1001, 1002, 1003}, GIDs: [4]int{100, 100, 100, 100}, Groups: []int{4, 27}, Threads: 3, VmRSSBytes: 1 << 20,
			CapPrm: 5, CapEff: 1, CapBnd: 0x1ffffffffff, NoNewPrivs: true, Seccomp: 2, SeccompFilters: 3, HasSeccomp: true}, false},
	{"kernel thread without VmRSS or Seccomp", "Name:\tkthreadd\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\nThreads:\t1\n",
		procStatus{Name: "kthreadd", Threads: 1}, false},
	{"unknown lines ignored", "Foo:\tbar\nbaz\n", procStatus{}, false},
	{"bad uid", "Uid:\t0\t0\n", procStatus{}, true},
	{"bad cap", "CapEff:\tzz\n", procStatus{}, true},
	{"bad group", "Groups:\tx\n", procStatus{}, true},
}

func TestParseStatus(t *testing.T) {
	for _, tc := range statusCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatus(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

var statCases = []struct {
	name, in string
	want     statFields
	wantErr  bool
}{
	{"plain", "42 (sleep) S 1 42 42 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 12345 2000000 300 18446744073709551615\n",
		statFields{PID: 42, Comm: "sleep", State: 'S', PPID: 1, Flags: 4194560, Nice: 0, Threads: 1, RSSPages: 300, StartTicks: 12345, CPUTicks: 5 + 3}, false},
	// kthreadd: flags 0x208040 include PF_KTHREAD.
	{"kernel thread", "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 2 0 0 18446744073709551615\n",
		statFields{PID: 2, Comm: "kthreadd", State: 'S', Flags: 2129984, Threads: 1, StartTicks: 2}, false},
	{"comm with spaces and parens", "7 (a) b (c)) R 2 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 -5 4 0 99 100 12 0",
		statFields{PID: 7, Comm: "a) b (c)", State: 'R', PPID: 2, Nice: -5, Threads: 4, RSSPages: 12, StartTicks: 99}, false},
	{"truncated", "1 (init) S 0 1 1", statFields{}, true},
	{"no parens", "1 init S 0", statFields{}, true},
	{"bad ppid", "1 (x) S y 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1 0", statFields{}, true},
	{"empty", "", statFields{}, true},
}

func TestParseStatFast(t *testing.T) {
	for _, tc := range statCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatFast([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// fullStat is a real kernel line (52 fields) of a process named "a) b".
const fullStat = "4242 (a) b) S 1 4242 4242 0 -1 4194560 150 0 0 0 3 1 0 0 -51 -20 2 0 987654 8392704 215 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 50 2 0 0 0 0 0 0 0 0 0 0 0\n"

var fullStatCases = []struct {
	name, in string
	want     procStat
	wantErr  bool
}{
	{"full line", fullStat, procStat{Comm: "a) b", State: "S", PPID: 1, Flags: 4194560, Priority: -51, Nice: -20, Threads: 2,
		StartTicks: 987654, VSizeBytes: 8392704, RSSPages: 215, Policy: 2}, false},
	// procfs reads through guest_time (field 44, Linux 2.6.24): a line that
	// ends at policy (field 41) is refused, as an error, not a wrong value.
	{"ends at policy", "1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 100 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3", procStat{}, true},
	{"max vsize", "1 (x) R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 18446744073709551615 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
		procStat{Comm: "x", State: "R", Priority: 20, Threads: 1, StartTicks: 5, VSizeBytes: 1<<64 - 1, RSSPages: 10}, false},
	{"vsize overflows", "1 (x) R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 18446744073709551616 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", procStat{}, true},
	// The line prometheus/procfs v0.23 panicked on: it sliced two bytes past ')'.
	{"nothing after comm", "12 (x)", procStat{}, true},
	{"truncated before policy", "1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 100 10", procStat{}, true},
	{"two-letter state", strings.Replace(fullStat, ") S ", ") SS ", 1), procStat{}, true},
	{"negative start", strings.Replace(fullStat, " 987654 ", " -987654 ", 1), procStat{}, true},
	// procfs scans fields as words: two spaces (never written by the kernel)
	// read the same as one.
	{"double space", strings.Replace(fullStat, " 4242 0 ", " 4242  0 ", 1), procStat{Comm: "a) b", State: "S", PPID: 1, Flags: 4194560, Priority: -51, Nice: -20, Threads: 2,
		StartTicks: 987654, VSizeBytes: 8392704, RSSPages: 215, Policy: 2}, false},
	{"no pid", "(x) S 0", procStat{}, true},
	{"empty", "", procStat{}, true},
}

func TestIsKernelThread(t *testing.T) {
	if !isKernelThread(2129984) || isKernelThread(4194560) || isKernelThread(0) {
		t.Error("PF_KTHREAD (0x200000) is what marks a kernel thread, and only it")
	}
}

func TestParseStat(t *testing.T) {
	for _, tc := range fullStatCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readStat(procWith(t, map[string]string{"stat": tc.in}))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

var bootTimeCases = []struct {
	name, in string
	want     uint64
	wantErr  bool
}{
	{"real", "cpu  1 2 3 4 5 6 7 0 0 0\ncpu0 1 2 3 4 5 6 7 0 0 0\nintr 5 0 0\nctxt 99\nbtime 1764460000\nprocesses 12\n", 1764460000, false},
	{"last line without newline", "ctxt 1\nbtime 42", 42, false},
	{"missing", "cpu 1 2 3\nctxt 4\n", 0, true},
	{"not a number", "btime soon\n", 0, true},
	{"prefix only", "btimex 5\nbtime\n", 0, true},
	{"empty", "", 0, true},
}

func TestParseBootTime(t *testing.T) {
	for _, tc := range bootTimeCases {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "stat"), []byte(tc.in), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readBootTime(root)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: got %d, %v; want %d, err %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

var cmdlineCases = []struct {
	name, in string
	want     []string
}{
	{"args", "sleep\x003600\x00", []string{"sleep", "3600"}},
	{"empty argument kept", "sh\x00-c\x00\x00x\x00", []string{"sh", "-c", "", "x"}},
	{"rewritten title without NUL", "nginx: worker process", []string{"nginx: worker process"}},
	{"title padded with NULs", "postgres: writer\x00\x00\x00\x00", []string{"postgres: writer"}},
	{"kernel thread", "", []string{}},
	{"only NULs", "\x00\x00", []string{}},
}

func TestParseCmdline(t *testing.T) {
	for _, tc := range cmdlineCases {
		if got, err := readCmdline(procWith(t, map[string]string{"cmdline": tc.in})); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

var idMapCases = []struct {
	in      string
	want    []IDMapping
	wantErr bool
}{
	{"         0          0 4294967295\n", []IDMapping{{0, 0, 4294967295}}, false},
	{"0 100000 65536\n65536 1000 1\n", []IDMapping{{0, 100000, 65536}, {65536, 1000, 1}}, false},
	{"", []IDMapping{}, false},
	{"0 1\n", nil, true},
	{"a b c\n", nil, true},
}

func TestParseIDMap(t *testing.T) {
	for _, tc := range idMapCases {
		got, err := parseIDMap(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseIDMap(%q) err = %v", tc.in, err)
			continue
		}
		if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseIDMap(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

var cgroupFileCases = []struct {
	name, in string
	want     []CgroupMembership
	wantErr  bool
}{
	{"v2", "0::/user.slice/session-1.scope\n", []CgroupMembership{{0, []string{}, "/user.slice/session-1.scope"}}, false},
	{"v1 and hybrid", "12:cpu,cpuacct:/docker/abc\n1:name=systemd:/init.scope\n0::/init.scope\n",
		[]CgroupMembership{{12, []string{"cpu", "cpuacct"}, "/docker/abc"}, {1, []string{"name=systemd"}, "/init.scope"}, {0, []string{}, "/init.scope"}}, false},
	{"path with colon", "0::/a:b\n", []CgroupMembership{{0, []string{}, "/a:b"}}, false},
	{"missing fields", "0:/\n", nil, true},
	{"bad id", "x::/\n", nil, true},
}

func TestParseCgroupFile(t *testing.T) {
	for _, tc := range cgroupFileCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readCgroups(procWith(t, map[string]string{"cgroup": tc.in}))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseEnviron(t *testing.T) {
	got, err := readEnviron(procWith(t, map[string]string{"environ": "A=1\x00B=x=y\x00EMPTY=\x00NOEQ\x00\x00A=2\x00"}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "2", "B": "x=y", "EMPTY": "", "NOEQ": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

var limitsCases = []struct {
	name, in string
	want     []Rlimit
	wantErr  bool
}{
	{"real", "Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            1024                 524288               files     \nMax nice priority         0                    0                    \n",
		[]Rlimit{{"Max cpu time", -1, -1, "seconds"}, {"Max open files", 1024, 524288, "files"}, {"Max nice priority", 0, 0, ""}}, false},
	{"garbage", "Limit\nMax x y\n", nil, true},
	{"short", "Limit\nMax\n", nil, true},
}

func TestParseLimits(t *testing.T) {
	for _, tc := range limitsCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseLimits(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

var mapsCases = []struct {
	name, in string
	kinds    []string
	wantErr  bool
}{
	{"kinds", "00400000-00401000 r-xp 00000000 08:01 1 /bin/x\n00401000-00402000 r--p 00001000 08:01 1 /bin/x\n01000000-01001000 rw-p 00000000 00:00 0   [heap]\n7f00-7f10 rw-p 00000000 00:00 0 \n7f10-7f20 r-xp 00000000 08:01 2 /lib/libc.so.6\n7f20-7f30 r--p 00000000 08:01 3 /usr/lib/a file.dat\n7f30-7f40 rw-p 0 00:00 0 [stack]\n7f40-7f50 r--p 0 00:00 0 [vvar]\n7f50-7f60 r-xp 0 00:00 0 [vdso]\nff00-ff10 --xp 0 00:00 0 [vsyscall]\n7f60-7f70 r-xp 0 08:01 4 /tmp/old (deleted)\n",
		[]string{"text", "file", "heap", "anon", "lib", "file", "stack", "vvar", "vdso", "other", "file"}, false},
	{"bad range", "zz-1 r-xp 0 0 0 /x\n", nil, true},
	{"too few", "1000-2000 r-xp\n", nil, true},
	{"inverted", "2000-1000 r-xp 0 00:00 0\n", nil, true},
}

func TestParseMaps(t *testing.T) {
	for _, tc := range mapsCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readMaps(procWith(t, map[string]string{"maps": tc.in}), "/bin/x")
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tc.wantErr {
				return
			}
			var kinds []string
			for _, m := range got {
				kinds = append(kinds, m.Kind)
			}
			if !reflect.DeepEqual(kinds, tc.kinds) {
				t.Errorf("kinds = %v, want %v", kinds, tc.kinds)
			}
			if got[5].Path != "/usr/lib/a file.dat" {
				t.Errorf("path with a space = %q", got[5].Path)
			}
			sum := summariseMaps(got)
			if sum[0].Kind != "text" || sum[0].SizeBytes != 0x1000 || sum[0].Count != 1 {
				t.Errorf("summary[0] = %+v", sum[0])
			}
		})
	}
}

var syscallCases = []struct {
	name, in string
	want     Syscall
	wantErr  bool
}{
	{"running", "running\n", Syscall{Running: true, Number: -1}, false},
	{"blocked outside", "-1 0x7ffe0 0x401000\n", Syscall{Number: -1, SP: 0x7ffe0, PC: 0x401000}, false},
	// openat is 257 on amd64 and 56 on arm64 (where 56 is not clone): the name
	// comes from the running architecture's table.
	{"in openat", strconv.Itoa(unix.SYS_OPENAT) + " 0x3 0x7f00 0x20000 0x0 0x0 0x0 0x7ffe8 0x7f12\n", Syscall{Number: unix.SYS_OPENAT, Name: "openat", Args: []uint64{3, 0x7f00, 0x20000, 0, 0, 0}, SP: 0x7ffe8, PC: 0x7f12}, false},
	{"unknown number", "999 0x0 0x0 0x0 0x0 0x0 0x0 0x1 0x2\n", Syscall{Number: 999, Name: "syscall_999", Args: make([]uint64, 6), SP: 1, PC: 2}, false},
	{"bad arg", "0 zz 0x0 0x0 0x0 0x0 0x0 0x1 0x2\n", Syscall{}, true},
	{"garbage", "hello\n", Syscall{}, true},
	{"empty", "", Syscall{}, true},
}

func TestParseSyscall(t *testing.T) {
	for _, tc := range syscallCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSyscall(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

var netIPCases = []struct {
	name, in, proto string
	want            map[uint64]string
	wantErr         bool
}{
	{"tcp4", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 30001 1 0 100 0 0 10 0\n", "tcp",
		map[uint64]string{30001: "tcp 127.0.0.1:8080 -> 0.0.0.0:0 LISTEN"}, false},
	{"tcp6 loopback established", "header\n   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 01 00000000:00000000 00:00000000 00000000 0 0 555 1\n", "tcp6",
		map[uint64]string{555: "tcp6 [::1]:8080 -> [::1]:50000 ESTABLISHED"}, false},
	{"udp has no state", "header\n 1: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 77 2\n", "udp",
		map[uint64]string{77: "udp 0.0.0.0:53 -> 0.0.0.0:0"}, false},
	{"short line", "header\n 0: 0100007F:1F90\n", "tcp", nil, true},
	{"bad address", "header\n 0: 0100007:1F90 00000000:0000 0A 0:0 0:0 0 0 0 1\n", "tcp", nil, true},
}

func TestParseNetIP(t *testing.T) {
	for _, tc := range netIPCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseNetIP(tc.in, tc.proto)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestReadSocketsUnixAndTCP reads a process's socket tables as files, the
// way readSockets sees them: unix and tcp through procfs.
func TestReadSocketsUnixAndTCP(t *testing.T) {
	root := t.TempDir()
	testtree.Write(t, root, map[string]string{
		"42/net/unix": "Num       RefCount Protocol Flags    Type St Inode Path\n0000: 00000002 00000000 00010000 0001 01 30003 /run/x.sock\n0000: 00000002 00000000 00010000 0001 01 30004 @abstract\n0000: 00000003 00000000 00000000 0001 03 30005\n",
		"42/net/tcp":  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30006 1 0000000000000000 100 0 0 10 0\n",
	})
	got := FS{Proc: root}.readSockets(42)
	want := map[uint64]string{30003: "unix /run/x.sock", 30004: "unix @abstract", 30005: "unix (unnamed)",
		30006: "tcp 127.0.0.1:8080 -> 0.0.0.0:0 LISTEN"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFDKind(t *testing.T) {
	for _, tc := range []struct {
		target string
		dir    bool
		want   string
	}{
		{"socket:[1]", false, "socket"}, {"pipe:[2]", false, "pipe"}, {"anon_inode:[eventfd]", false, "anon_inode"},
		{"/dev/pts/3", false, "tty"}, {"/dev/tty", false, "tty"}, {"/dev/null", false, "device"},
		{"/home", true, "directory"}, {"/etc/passwd", false, "file"}, {"net:[4026531840]", false, "namespace"},
		{"weird", false, "other"},
	} {
		if got := fdKind(tc.target, tc.dir); got != tc.want {
			t.Errorf("fdKind(%q, %v) = %q, want %q", tc.target, tc.dir, got, tc.want)
		}
	}
}

func TestDecodeCaps(t *testing.T) {
	if got := decodeCaps(0); len(got) != 0 {
		t.Errorf("decodeCaps(0) = %v", got)
	}
	got := decodeCaps(1<<0 | 1<<13 | 1<<21 | 1<<63)
	want := []string{"cap_chown", "cap_net_raw", "cap_sys_admin", "cap_63"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if n := len(decodeCaps(0x1ffffffffff)); n != 41 {
		t.Errorf("41 bits decode to %d names", n)
	}
}

func TestParseIDNames(t *testing.T) {
	got := parseIDNames("# comment\nroot:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\ntoor:x:0:0::/:/bin/sh\nbroken\nbad:x:zz:0\n")
	want := map[int]string{0: "root", 1000: "alice"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// procWithMountinfo is a proc root whose self/mountinfo holds mi.
func procWithMountinfo(t testing.TB, mi string) string {
	root := t.TempDir()
	testtree.Write(t, root, map[string]string{"self/mountinfo": mi})
	return root
}

func TestMountOption(t *testing.T) {
	root := procWithMountinfo(t, "22 27 0:21 / /proc rw,relatime - proc proc rw\n30 22 0:21 / /proc rw,nosuid shared:1 - proc proc rw,hidepid=invisible,gid=4\n40 27 0:5 / /dev rw - devtmpfs udev rw\n")
	if v, ok := mountOption(root, "/proc", "hidepid"); !ok || v != "invisible" {
		t.Errorf("hidepid = %q, %v", v, ok)
	}
	if v, ok := mountOption(root, "/dev", "hidepid"); !ok || v != "" {
		t.Errorf("/dev hidepid = %q, %v", v, ok)
	}
	if _, ok := mountOption(root, "/sys", "hidepid"); ok {
		t.Error("/sys found in mountinfo without it")
	}
	if v, _ := mountOption(root, "/proc", "nosuid"); v != "on" {
		t.Errorf("bare flag = %q, want on", v)
	}
}

func TestSeccompName(t *testing.T) {
	for mode, want := range map[int]string{0: "disabled", 1: "strict", 2: "filter", 7: "mode 7"} {
		if got := seccompName(mode); got != want {
			t.Errorf("seccompName(%d) = %q", mode, got)
		}
	}
	if !strings.HasPrefix(policyName(42), "policy") || policyName(1) != "SCHED_FIFO" {
		t.Error("policyName")
	}
}
