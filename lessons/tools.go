package lessons

import (
	"slices"
	"strings"
)

// The external programs a step's typed commands run. They are read from the
// commands themselves (the do-it-yourself lines and the "By hand" blocks of
// the step's text), not kept in a second list, so a step that starts typing
// a new tool names it here at once; TestToolsKnown fails when that tool has
// no Debian package in toolPackages.

// Tool is one program a step's commands run, and the Debian package that
// provides it.
type Tool struct {
	Name    string
	Package string // "" when toolPackages does not know it (a test fails on that)
}

// toolPackages maps every program the course types to the Debian package
// that installs it. Checked on the Debian host of the project with
// `dpkg -S $(command -v X)` (and `dpkg -S /bin/X` or `/sbin/X` where
// usrmerge hides the owner of the /usr path). awk is mawk's alternative
// (gawk provides it too); busybox comes as busybox or busybox-static.
var toolPackages = map[string]string{
	"awk": "mawk", "bash": "bash", "busybox": "busybox", "capsh": "libcap2-bin",
	"cat": "coreutils", "chown": "coreutils", "cp": "coreutils", "cut": "coreutils",
	"dd": "coreutils", "dirname": "coreutils", "env": "coreutils", "grep": "grep",
	"hostname": "hostname", "ip": "iproute2", "ipcmk": "util-linux", "ipcs": "util-linux",
	"iptables": "iptables", "ldd": "libc-bin", "ln": "coreutils", "ls": "coreutils",
	"mkdir": "coreutils", "mktemp": "coreutils", "mount": "mount", "nproc": "coreutils",
	"nsenter": "util-linux", "perl": "perl-base", "pivot_root": "util-linux", "ps": "procps",
	"readlink": "coreutils", "renice": "bsdutils", "rm": "coreutils", "runc": "runc",
	"sed": "sed", "seq": "coreutils", "setpriv": "util-linux", "sh": "dash", "sleep": "coreutils",
	"sort": "coreutils", "ss": "iproute2", "sudo": "sudo", "stat": "coreutils", "sysctl": "procps",
	"tee": "coreutils", "timeout": "coreutils", "touch": "coreutils", "tr": "coreutils",
	"umount": "mount", "uname": "coreutils", "unshare": "util-linux", "wc": "coreutils",
}

// shellWords are the shell's own: builtins and keywords of sh (dash) and
// bash, which no package installs. procbox is the program itself.
var shellWords = map[string]bool{
	".": true, ":": true, "[": true, "alias": true, "bg": true, "break": true, "cd": true,
	"command": true, "continue": true, "echo": true, "eval": true, "exec": true, "exit": true,
	"export": true, "false": true, "fg": true, "jobs": true, "kill": true, "printf": true,
	"pwd": true, "read": true, "return": true, "set": true, "shift": true, "source": true,
	"test": true, "time": true, "trap": true, "true": true, "type": true, "ulimit": true,
	"umask": true, "unset": true, "wait": true,
	"procbox": true,
}

// Tools lists, sorted by name, the external programs the step's commands
// run: its do-it-yourself lines and the "By hand" blocks of its text.
func (s Step) Tools() []Tool {
	var lines []string
	if s.DIY != nil {
		lines = append(lines, s.DIY.Commands...)
	}
	if body, err := s.Body(); err == nil {
		lines = append(lines, ByHandScripts(body)...)
	}
	var out []Tool
	for _, name := range CommandTools(lines...) {
		out = append(out, Tool{Name: name, Package: toolPackages[name]})
	}
	return out
}

// Typed says whether the learner types commands on this step: it has a
// do-it-yourself shell or a "By hand" block.
func (s Step) Typed() bool {
	if s.DIY != nil {
		return true
	}
	body, err := s.Body()
	return err == nil && len(ByHandScripts(body)) > 0
}

// ByHandScripts returns the code block after each "By hand" in a step's text
// (the tests run each one as root and match its output to the text).
func ByHandScripts(md string) []string {
	var out []string
	for {
		i := strings.Index(md, "By hand")
		if i < 0 {
			return out
		}
		md = md[i+len("By hand"):]
		start := strings.Index(md, "```\n")
		if start < 0 {
			return out
		}
		body := md[start+4:]
		end := strings.Index(body, "```")
		if end < 0 {
			return out
		}
		out = append(out, body[:end])
		md = body[end+3:]
	}
}

// CommandTools returns, sorted and once each, the programs that shell lines
// run: the command word of each simple command (at the start, after |, &&,
// ||, ;, & and inside $( )), the program that a wrapper runs (sudo, exec,
// env, timeout, nsenter, unshare, setpriv, capsh), the script of sh -c, and
// a program named by its path (/bin/X, /sbin/X), which a step copies.
// Builtins, keywords, variable assignments and procbox itself are left out.
func CommandTools(lines ...string) []string {
	seen := map[string]bool{}
	for _, l := range lines {
		scanCommands(l, seen)
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// scanCommands adds the programs that script runs to seen.
func scanCommands(script string, seen map[string]bool) {
	script = strings.ReplaceAll(script, "<PID>", "1") // the texts' placeholder
	script = strings.ReplaceAll(script, "\\\n", " ")
	words := lexShell(script, seen)
	start := true // the next word is a command word
	skip := false // the rest of this command is not commands (for … in, [ … ])
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w.op {
			switch w.text {
			case "<", ">", ">>", ">&", "<<":
				i++ // its target
			default:
				start, skip = true, false
			}
			continue
		}
		if path := programPath(w.text); path != "" && !w.quoted {
			seen[path] = true
		}
		if !start || skip {
			continue
		}
		switch {
		case w.quoted:
			start = false
		case isAssignment(w.text):
		case w.text == "for" || w.text == "case" || w.text == "[" || w.text == "test":
			skip = true
		case slices.Contains([]string{"{", "}", "!", "(", ")", "if", "then", "else", "elif", "fi", "do", "done", "while", "until"}, w.text):
		default:
			i = commandAt(words, i, seen)
			start = false
		}
	}
}

// commandAt records the command at words[i] (and what it runs) and returns
// the index of the last word it consumed.
func commandAt(words []shellWord, i int, seen map[string]bool) int {
	for i < len(words) && !words[i].op {
		name := words[i].text
		if !shellWords[name] {
			seen[name] = true
		}
		next := i + 1
		switch name {
		case "sh", "bash":
			for j := next; j+1 < len(words) && !words[j].op; j++ {
				if words[j].text == "-c" {
					scanCommands(words[j+1].text, seen)
					return j + 1
				}
			}
			return i
		case "exec", "sudo", "env", "time", "setpriv", "unshare", "nsenter", "timeout":
			next = wrappedProgram(name, words, next)
		case "capsh":
			// capsh … -- runs bash (or --shell=); what follows is its arguments.
			return i
		default:
			return i
		}
		if next >= len(words) || words[next].op {
			return next - 1
		}
		i = next
	}
	return i
}

// wrappedProgram returns the index of the program a wrapper runs, skipping
// its options (and the values of the options that take one as a separate
// word), env's assignments and timeout's duration.
func wrappedProgram(wrapper string, words []shellWord, i int) int {
	takesValue := map[string][]string{
		"unshare": {"--monotonic", "--boottime", "--propagation", "--setgroups", "-S", "--setuid", "-G", "--setgid", "-R", "--root", "-w", "--wd", "--map-user", "--map-group"},
		"nsenter": {"-t", "--target", "-S", "--setuid", "-G", "--setgid", "-R", "--root", "-w", "--wd"},
		"sudo":    {"-u", "-g"},
		"env":     {"-u", "-C"},
	}[wrapper]
	durationDone := wrapper != "timeout"
	for ; i < len(words) && !words[i].op; i++ {
		w := words[i].text
		switch {
		case w == "--":
			return i + 1
		case strings.HasPrefix(w, "-"):
			if slices.Contains(takesValue, w) {
				i++
			}
		case wrapper == "env" && isAssignment(w):
		case !durationDone:
			durationDone = true
		default:
			return i
		}
	}
	return i
}

// programPath returns X for a word that is the path of a program, /bin/X,
// /sbin/X, /usr/bin/X or /usr/sbin/X (also after --opt=).
func programPath(w string) string {
	if i := strings.Index(w, "="); i >= 0 && strings.HasPrefix(w, "-") {
		w = w[i+1:]
	}
	for _, dir := range []string{"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/"} {
		if name, ok := strings.CutPrefix(w, dir); ok && name != "" && !strings.ContainsAny(name, "/$*") {
			return name
		}
	}
	return ""
}

// isAssignment is whether w is NAME=value.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" {
		return false
	}
	for i, r := range name {
		if r != '_' && !(r >= 'A' && r <= 'Z') && !(r >= 'a' && r <= 'z') && (i == 0 || !(r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// shellWord is a word or an operator of a shell line, its quotes removed.
type shellWord struct {
	text   string
	op     bool
	quoted bool // the whole word was one quoted string
}

// lexShell splits a script into words and operators the way sh would,
// enough to find its commands: quotes and backslashes are undone, and every
// command substitution $( ) is scanned for commands of its own (into seen)
// and stands as one word.
func lexShell(s string, seen map[string]bool) []shellWord {
	var out []shellWord
	var cur strings.Builder
	inWord, quoted, quotedOnly := false, false, true
	flush := func() {
		if inWord {
			out = append(out, shellWord{text: cur.String(), quoted: quoted && quotedOnly})
		}
		cur.Reset()
		inWord, quoted, quotedOnly = false, false, true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				j = len(s) - i - 1
			}
			cur.WriteString(s[i+1 : i+1+j])
			inWord, quoted = true, true
			i += j + 1
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				switch {
				case s[i] == '\\' && i+1 < len(s):
					i++
					cur.WriteByte(s[i])
				case strings.HasPrefix(s[i:], "$(") && !strings.HasPrefix(s[i:], "$(("):
					i = substitution(s, i, seen) - 1
					cur.WriteString("$x")
				default:
					cur.WriteByte(s[i])
				}
			}
			inWord, quoted = true, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord, quotedOnly = true, false
		case strings.HasPrefix(s[i:], "$(") && !strings.HasPrefix(s[i:], "$(("):
			i = substitution(s, i, seen) - 1
			cur.WriteString("$x")
			inWord, quotedOnly = true, false
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			i--
		case c == ' ' || c == '\t':
			flush()
		case c == '\n':
			flush()
			out = append(out, shellWord{text: ";", op: true})
		case strings.ContainsRune("|&;<>", rune(c)):
			flush()
			op := string(c)
			for _, two := range []string{"||", "&&", ">>", ">&", "<<", ";;"} {
				if strings.HasPrefix(s[i:], two) {
					op = two
				}
			}
			if (c == '<' || c == '>') && i > 0 && s[i-1] >= '0' && s[i-1] <= '9' && len(out) > 0 && isFD(out[len(out)-1]) {
				out = out[:len(out)-1] // 2> and 3< are one redirection
			}
			out = append(out, shellWord{text: op, op: true})
			i += len(op) - 1
		default:
			cur.WriteByte(c)
			inWord, quotedOnly = true, false
		}
	}
	flush()
	return out
}

// isFD is whether w is a file descriptor number.
func isFD(w shellWord) bool {
	return !w.op && !w.quoted && w.text != "" && strings.Trim(w.text, "0123456789") == ""
}

// substitution scans the command substitution that starts at s[i] ("$(")
// for commands and returns the index just past its closing parenthesis.
func substitution(s string, i int, seen map[string]bool) int {
	depth := 0
	inQuote := byte(0)
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '\'' || c == '"':
			inQuote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				scanCommands(s[i+2:j], seen)
				return j + 1
			}
		}
	}
	scanCommands(s[i+2:], seen)
	return len(s)
}
