package inspect

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// secretNameParts are substrings of an environment variable's NAME that
// suggest its value is a secret.
var secretNameParts = []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "KEY", "CREDENTIAL", "AUTH"}

// secretNameWords are whole words of a NAME (split at '_', '-' and '.') that
// mark a secret but are too short or too common to match inside other words:
// DB_PASS and SSHPASS, but not COMPASS_DIR; MYSQL_PWD, but not PWD (the
// current directory) or OLDPWD.
var secretNameWords = []string{"PASS", "SSHPASS", "PWD", "PASSWD", "PASSWORD", "PASSPHRASE", "APIKEY"}

// secretValuePattern is a pattern a value holding a secret matches, and
// literals of which the value must hold one for the pattern to match at all.
// A regexp without a literal prefix of its own scans the whole value at
// every offset, and a snapshot tests every value against every pattern:
// strings.Contains first cut BenchmarkLooksSecret (18 ordinary variables)
// from 0.15 to 0.03 ms.
// Each literal is a plain, case-sensitive piece of its pattern (never one
// under (?i): case folding matches more than strings.ToLower does).
type secretValuePattern struct {
	anyOf []string
	re    *regexp.Regexp
}

// regexpSpaces are the characters \s matches in Go's regexp syntax.
var regexpSpaces = []string{" ", "\t", "\n", "\f", "\r"}

// secretValuePatterns match values that carry a secret whatever their name.
// They are compiled on first use, not at start-up: every procbox process,
// including each re-executed isolated child, would otherwise pay ~0.08 ms for
// patterns only the environment readers need.
var secretValuePatterns = sync.OnceValue(func() []secretValuePattern {
	p := func(re string, anyOf ...string) secretValuePattern {
		return secretValuePattern{anyOf: anyOf, re: regexp.MustCompile(re)}
	}
	return []secretValuePattern{
		// scheme://user:password@host, the user possibly empty (redis://:pw@)
		// and the password possibly holding '/' (base64: ab/cd+Ef9==).
		p(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:[^\s@]+@`, "://"),
		p(`-----BEGIN [A-Z ]*-----`, "-----BEGIN "),                                           // PEM block (keys, certs)
		p(`\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}`, "ghp_", "gho_", "ghu_", "ghs_", "ghr_"), // GitHub tokens
		p(`\bgithub_pat_[A-Za-z0-9_]{20,}`, "github_pat_"),                                    // GitHub fine-grained tokens
		p(`\bglpat-[A-Za-z0-9_-]{20}`, "glpat-"),                                              // GitLab tokens
		p(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`, "AKIA", "ASIA"),                                      // AWS access key ids
		p(`\bxox[abposr]-[A-Za-z0-9-]{10,}`, "xox"),                                           // Slack tokens
		p(`hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9]`, "hooks.slack.com/"),  // Slack webhook URLs
		p(`\bsk-[A-Za-z0-9_-]{20,}`, "sk-"),                                                   // API secret keys (sk-...)
		p(`\b(sk|rk)_(live|test)_[A-Za-z0-9]{10,}`, "_live_", "_test_"),                       // Stripe secret and restricted keys
		p(`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.`, "eyJ"),                               // JSON web tokens
		// Connection strings: "Server=db;User Id=app;Password=...;",
		// "AccountKey=..." and "SharedAccessKey=..." (Azure).
		p(`(?i)(^|[;\s])(password|pwd)\s*=\s*[^;\s]`, "="),
		p(`(?i)(^|[;\s])(AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*[^;\s]`, "="),
		// An HTTP Authorization header kept in a variable.
		p(`(?i)\b(basic|bearer|digest)\s+[A-Za-z0-9+/=._~-]{8,}`, regexpSpaces...),
	}
})

// matches reports whether value holds a secret of this pattern's kind.
func (p secretValuePattern) matches(value string) bool {
	for _, lit := range p.anyOf {
		if strings.Contains(value, lit) {
			return p.re.MatchString(value)
		}
	}
	return false
}

// LooksSecret reports whether an environment variable is likely a secret:
// its name contains TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, KEY,
// CREDENTIAL or AUTH, or has a word PASS, SSHPASS or PWD (MYSQL_PWD, not
// PWD itself); or its value holds credentials in a URL, a PEM block, a
// connection string (Password=, AccountKey=), an Authorization header, a
// Slack webhook or a well-known token format (GitHub, GitLab, AWS, Slack,
// Stripe, JWT). The UI uses it to reveal one value only when asked.
func LooksSecret(name, value string) bool {
	if value == "" {
		return false
	}
	upper := strings.ToUpper(name)
	for _, p := range secretNameParts {
		if strings.Contains(upper, p) {
			return true
		}
	}
	if upper != "PWD" {
		for _, w := range strings.FieldsFunc(upper, func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
			if slices.Contains(secretNameWords, w) {
				return true
			}
		}
	}
	for _, p := range secretValuePatterns() {
		if p.matches(value) {
			return true
		}
	}
	return false
}

// MaskValue is how a masked value is shown: its length, never its content.
func MaskValue(value string) string {
	return fmt.Sprintf("•••• (masked, %d chars)", utf8.RuneCountInString(value))
}

// MaskEnv returns a copy of env with every secret-looking value masked.
func MaskEnv(env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		if LooksSecret(k, v) {
			out[k] = MaskValue(v)
		} else {
			out[k] = v
		}
	}
	return out
}
