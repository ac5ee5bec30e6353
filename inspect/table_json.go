package inspect

import (
	"strconv"
	"unicode/utf8"
)

// AppendTableJSON appends rows as `procbox ps --json` prints them: exactly
// the bytes encoding/json's Encoder gives with SetIndent("", "  "),
// trailing newline included (TestAppendTableJSONMatchesEncoder and its fuzz
// target hold it to that). It exists because the reflective encoder spends
// more time on 10,000 rows than the scan itself; this appends each field in
// turn into one buffer that the CLI writes with a single write.
func AppendTableJSON(dst []byte, rows []ProcRow) []byte {
	if rows == nil {
		return append(dst, "null\n"...)
	}
	if len(rows) == 0 {
		return append(dst, "[]\n"...)
	}
	dst = append(dst, '[')
	for i, r := range rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, "\n  {\n    \"pid\": "...)
		dst = strconv.AppendInt(dst, int64(r.PID), 10)
		dst = append(dst, ",\n    \"ppid\": "...)
		dst = strconv.AppendInt(dst, int64(r.PPID), 10)
		dst = append(dst, ",\n    \"uid\": "...)
		dst = strconv.AppendInt(dst, int64(r.UID), 10)
		dst = append(dst, ",\n    \"user\": "...)
		dst = appendJSONString(dst, r.User)
		dst = append(dst, ",\n    \"nice\": "...)
		dst = strconv.AppendInt(dst, int64(r.Nice), 10)
		dst = append(dst, ",\n    \"state\": "...)
		dst = appendJSONString(dst, r.State)
		dst = append(dst, ",\n    \"comm\": "...)
		dst = appendJSONString(dst, r.Comm)
		if r.Cmdline != "" { // omitempty
			dst = append(dst, ",\n    \"cmdline\": "...)
			dst = appendJSONString(dst, r.Cmdline)
		}
		dst = append(dst, ",\n    \"rss_bytes\": "...)
		dst = strconv.AppendInt(dst, r.RSSBytes, 10)
		dst = append(dst, ",\n    \"threads\": "...)
		dst = strconv.AppendInt(dst, int64(r.Threads), 10)
		dst = append(dst, ",\n    \"container\": "...)
		dst = appendJSONString(dst, r.Container)
		for _, f := range [...]struct{ key, val string }{
			{",\n    \"container_id\": ", r.ContainerID},
			{",\n    \"container_name\": ", r.ContainerName},
			{",\n    \"pod\": ", r.Pod},
		} {
			if f.val != "" { // omitempty
				dst = append(dst, f.key...)
				dst = appendJSONString(dst, f.val)
			}
		}
		dst = append(dst, "\n  }"...)
	}
	return append(dst, "\n]\n"...)
}

const lowerHex = "0123456789abcdef"

// appendJSONString quotes s the way encoding/json does by default: the
// short escapes for \b \f \n \r \t, \u00XX for other control bytes and for
// < > & (HTML-safe), \ufffd for each byte of invalid UTF-8, and \u2028 and
// \u2029 escaped. comm is chosen by the process, so every case can occur.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[b>>4], lowerHex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', lowerHex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
