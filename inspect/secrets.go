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

// secretValuePatterns match values that carry a secret whatever their name.
// They are compiled on first use, not at start-up: every procbox process,
// including each re-executed isolated child, would otherwise pay ~0.08 ms for
// patterns only the environment readers need.
var secretValuePatterns = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		// scheme://user:password@host, the user possibly empty (redis://:pw@)
		// and the password possibly holding '/' (base64: ab/cd+Ef9==).
		regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:[^\s@]+@`),
		regexp.MustCompile(`-----BEGIN [A-Z ]*-----`),                                     // PEM block (keys, certs)
		regexp.MustCompile(`\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}`),                    // GitHub tokens
		regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{20,}`),                              // GitHub fine-grained tokens
		regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20}`),                                   // GitLab tokens
		regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`),                                 // AWS access key ids
		regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`),                             // Slack tokens
		regexp.MustCompile(`hooks\.slack\.com/(services|workflows|triggers)/[A-Za-z0-9]`), // Slack webhook URLs
		regexp.MustCompile(`\bsk-[A-Za-z0-9_-]{20,}`),                                     // API secret keys (sk-...)
		regexp.MustCompile(`\b(sk|rk)_(live|test)_[A-Za-z0-9]{10,}`),                      // Stripe secret and restricted keys
		regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.`),                 // JSON web tokens
		// Connection strings: "Server=db;User Id=app;Password=...;",
		// "AccountKey=..." and "SharedAccessKey=..." (Azure).
		regexp.MustCompile(`(?i)(^|[;\s])(password|pwd)\s*=\s*[^;\s]`),
		regexp.MustCompile(`(?i)(^|[;\s])(AccountKey|SharedAccessKey|SharedAccessSignature)\s*=\s*[^;\s]`),
		// An HTTP Authorization header kept in a variable.
		regexp.MustCompile(`(?i)\b(basic|bearer|digest)\s+[A-Za-z0-9+/=._~-]{8,}`),
	}
})

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
	for _, re := range secretValuePatterns() {
		if re.MatchString(value) {
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
