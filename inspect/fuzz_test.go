package inspect

import (
	"strings"
	"testing"
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
		st, err := parseStat(b)
		if err != nil {
			return
		}
		if len(st.State) != 1 {
			t.Errorf("parsed %q with state %q", b, st.State)
		}
		// The table's parser reads a prefix of the same fields: it must
		// agree on every line the full parser accepts.
		fast, err := parseStatFast(b)
		if err != nil || fast.Comm != st.Comm || fast.PPID != st.PPID || fast.RSSPages != st.RSSPages {
			t.Errorf("parseStatFast(%q) = %+v, %v; parseStat = %+v", b, fast, err, st)
		}
	})
}

func FuzzParseBootTime(f *testing.F) {
	for _, tc := range bootTimeCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) { parseBootTime(b) })
}

func FuzzParseCmdline(f *testing.F) {
	for _, tc := range cmdlineCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, a := range parseCmdline(b) {
			if strings.ContainsRune(a, 0) {
				t.Errorf("argument %q holds a NUL", a)
			}
		}
	})
}

func FuzzParseNSLink(f *testing.F) {
	for _, tc := range nsLinkCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) { parseNSLink(s) })
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
		cgs, err := parseCgroupFile(s)
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
	f.Fuzz(func(t *testing.T, b []byte) { MaskEnv(parseEnviron(b)) })
}

func FuzzLooksSecret(f *testing.F) {
	for _, tc := range secretCases {
		f.Add(tc.name, tc.value)
	}
	f.Fuzz(func(t *testing.T, name, value string) { LooksSecret(name, value) })
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
		maps, err := parseMaps(s, "/bin/x")
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

func FuzzParseNetUnix(f *testing.F) {
	f.Add("Num RefCount Protocol Flags Type St Inode Path\n0000: 2 0 10000 1 1 30003 /run/x.sock\n")
	f.Fuzz(func(t *testing.T, s string) { parseNetUnix(s) })
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

func FuzzMountSuperOption(f *testing.F) {
	f.Add("22 27 0:21 / /proc rw,relatime - proc proc rw,hidepid=2\n")
	f.Fuzz(func(t *testing.T, s string) { mountSuperOption(s, "/proc", "hidepid") })
}
