package inspect

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// secretNameParts are substrings of an environment variable's NAME that
// suggest its value is a secret.
var secretNameParts = []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "AUTH"}

// secretValuePatterns match values that carry a secret whatever their name.
// They are compiled on first use, not at start-up: every procbox process,
// including each re-executed isolated child, would otherwise pay ~0.08 ms for
// patterns only the environment readers need.
var secretValuePatterns = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`), // scheme://user:pass@host
		regexp.MustCompile(`-----BEGIN [A-Z ]*-----`),                       // PEM block (keys, certs)
		regexp.MustCompile(`\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}`),      // GitHub tokens
		regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{20,}`),                // GitHub fine-grained tokens
		regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20}`),                     // GitLab tokens
		regexp.MustCompile(`\b(AKIA|ASIA)[A-Z0-9]{16}\b`),                   // AWS access key ids
		regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`),               // Slack tokens
		regexp.MustCompile(`\bsk-[A-Za-z0-9_-]{20,}`),                       // API secret keys (sk-...)
		regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.`),   // JSON web tokens
	}
})

// LooksSecret reports whether an environment variable is likely a secret:
// its name contains TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL or AUTH,
// or its value holds credentials in a URL, a PEM block, or a well-known token
// format. The UI uses it to reveal one value only when asked.
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
