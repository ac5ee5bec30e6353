package inspect

import (
	"bytes"
	"encoding/json"
	"testing"
)

// encoderJSON is the reference: what `procbox ps --json` printed before it
// had its own appender.
func encoderJSON(t testing.TB, rows []ProcRow) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAppendTableJSONMatchesEncoder(t *testing.T) {
	cases := map[string][]ProcRow{
		"nil":   nil,
		"empty": {},
		"one":   {{PID: 1, User: "root", State: "S", Comm: "init", RSSBytes: 4096, Threads: 1}},
		"every escape": {
			{PID: 7, PPID: -1, UID: 65534, User: "nobody", Nice: -20, State: "R",
				Comm: "a\"b\\c\b\f\n\r\t\x00\x1f\x7f<>&\u2028\u2029é\xff\xc3(x)", RSSBytes: 1 << 40,
				Threads: 3, Container: "isolated"},
			{PID: 8, Comm: "with cmdline", Cmdline: "sh -c 'x'", Container: "docker"},
		},
	}
	for name, rows := range cases {
		want := encoderJSON(t, rows)
		if got := AppendTableJSON(nil, rows); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
}

// The live table, whatever this host runs, encodes identically too.
func TestAppendTableJSONLiveTable(t *testing.T) {
	rows, err := DefaultFS().Table()
	if err != nil {
		t.Skip("no /proc here: ", err)
	}
	if got, want := AppendTableJSON(nil, rows), encoderJSON(t, rows); !bytes.Equal(got, want) {
		t.Errorf("live table: appender and encoding/json differ (%d vs %d bytes)", len(got), len(want))
	}
}

func FuzzAppendTableJSON(f *testing.F) {
	f.Add("bash", "root", "", "S", 1, -5)
	f.Add("\x00\xff<\u2028>", "u\"", "sh -c x", "Z", -1, 19)
	f.Fuzz(func(t *testing.T, comm, user, cmdline, state string, pid, nice int) {
		rows := []ProcRow{{PID: pid, Nice: nice, Comm: comm, User: user, Cmdline: cmdline, State: state}, {Comm: user}}
		if got, want := AppendTableJSON(nil, rows), encoderJSON(t, rows); !bytes.Equal(got, want) {
			t.Errorf("got %q\nwant %q", got, want)
		}
	})
}
