package inspect

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"procbox/internal/testtree"
)

// Fuzz targets: every parser must return an error or a value for any input,
// never panic. Seeds are the table cases of the parser tests.

func FuzzParseStatus(f *testing.F) {
	for _, tc := range statusCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) { parseStatus(s) })
}

func FuzzParseStatFast(f *testing.F) {
	for _, tc := range statCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseStatFast(b)
		if err == nil && st.State == 0 {
			t.Errorf("parsed %q without a state", b)
		}
	})
}

func FuzzParseStat(f *testing.F) {
	for _, tc := range fullStatCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := readStat(procWith(t, map[string]string{"stat": string(b)}))
		if err != nil {
			return
		}
		if len(st.State) != 1 {
			t.Errorf("parsed %q with state %q", b, st.State)
		}
		// The table's own parser reads a prefix of the same fields: on a
		// line as the kernel writes it they must agree. (On others they may
		// not: procfs scans with fmt.Fscan, which reads "080" as 0 then 80.)
		fast, err := parseStatFast(b)
		if err == nil && kernelShaped(b) && (fast.Comm != st.Comm || fast.PPID != st.PPID || fast.RSSPages != st.RSSPages || fast.Flags != st.Flags) {
			t.Errorf("parseStatFast(%q) = %+v, %v; parseStat = %+v", b, fast, err, st)
		}
	})
}

func FuzzParseBootTime(f *testing.F) {
	for _, tc := range bootTimeCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "stat"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		readBootTime(root)
	})
}

func FuzzParseCmdline(f *testing.F) {
	for _, tc := range cmdlineCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		args, _ := readCmdline(procWith(t, map[string]string{"cmdline": string(b)}))
		for _, a := range args {
			if strings.ContainsRune(a, 0) {
				t.Errorf("argument %q holds a NUL", a)
			}
		}
	})
}

func FuzzParseIDMap(f *testing.F) {
	for _, tc := range idMapCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) { parseIDMap(s) })
}

func FuzzParseCgroupFile(f *testing.F) {
	for _, tc := range cgroupFileCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cgs, err := readCgroups(procWith(t, map[string]string{"cgroup": s}))
		if err == nil {
			guessRuntime(cgs)
		}
	})
}

func FuzzGuessRuntime(f *testing.F) {
	for _, tc := range runtimeCases {
		f.Add(tc.path)
	}
	f.Fuzz(func(t *testing.T, p string) { guessRuntimePath(p) })
}

func FuzzParseEnviron(f *testing.F) {
	f.Add([]byte("A=1\x00B=x=y\x00NOEQ\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, _ := readEnviron(procWith(t, map[string]string{"environ": string(b)}))
		MaskEnv(env)
	})
}

func FuzzLooksSecret(f *testing.F) {
	for _, tc := range secretCases {
		f.Add(tc.name, tc.value)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		LooksSecret(name, value)
		// The literals before each pattern only skip work: a value the
		// pattern matches always holds one of them.
		for _, p := range secretValuePatterns() {
			if p.matches(value) != p.re.MatchString(value) {
				t.Fatalf("%s: the literals %q skip %q, which it matches", p.re, p.anyOf, value)
			}
		}
	})
}

func FuzzParseLimits(f *testing.F) {
	for _, tc := range limitsCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) { parseLimits(s) })
}

func FuzzParseMaps(f *testing.F) {
	for _, tc := range mapsCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		maps, err := readMaps(procWith(t, map[string]string{"maps": s}), "/bin/x")
		if err == nil {
			summariseMaps(maps)
		}
	})
}

func FuzzParseSyscall(f *testing.F) {
	for _, tc := range syscallCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) { parseSyscall(s) })
}

func FuzzParseNetIP(f *testing.F) {
	for _, tc := range netIPCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) { parseNetIP(s, "tcp") })
}

// FuzzReadSockets: any unix and tcp tables, read through procfs, give an
// answer and never a panic.
func FuzzReadSockets(f *testing.F) {
	f.Add("Num RefCount Protocol Flags Type St Inode Path\n0000: 2 0 10000 1 1 30003 /run/x.sock\n", "h\n   0: 0100007F:1F90 00000000:0000 0A 0:0 0:0 0 0 0 30006\n")
	f.Fuzz(func(t *testing.T, unix, tcp string) {
		root := t.TempDir()
		testtree.Write(t, root, map[string]string{"42/net/unix": unix, "42/net/tcp": tcp, "42/net/udp": tcp})
		FS{Proc: root}.readSockets(42)
	})
}

func FuzzParseLimitValue(f *testing.F) {
	for _, tc := range limitValueCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) { parseLimitValue(s) })
}

func FuzzParseIDNames(f *testing.F) {
	f.Add("root:x:0:0::/root:/bin/sh\n")
	f.Fuzz(func(t *testing.T, s string) { parseIDNames(s) })
}

func FuzzMountOption(f *testing.F) {
	f.Add("22 27 0:21 / /proc rw,relatime - proc proc rw,hidepid=2\n")
	f.Fuzz(func(t *testing.T, s string) { mountOption(procWithMountinfo(t, s), "/proc", "hidepid") })
}

// kernelShaped reports whether a stat line looks as the kernel writes it
// after the comm: one space between fields, a state letter, then decimal
// numbers without leading zeros.
func kernelShaped(b []byte) bool {
	r := bytes.LastIndexByte(b, ')')
	if r < 0 || r+2 > len(b) {
		return false
	}
	fields := strings.Split(strings.TrimSuffix(string(b[r+2:]), "\n"), " ")
	for i, f := range fields {
		if i == 0 {
			if len(f) != 1 {
				return false
			}
			continue
		}
		f = strings.TrimPrefix(f, "-")
		if f == "" || (len(f) > 1 && f[0] == '0') || strings.Trim(f, "0123456789") != "" {
			return false
		}
	}
	return true
}
