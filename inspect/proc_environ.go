package inspect

import "strings"

// parseEnviron parses /proc/PID/environ: NUL-separated NAME=value entries
// (proc_pid_environ(5)). An entry without "=" keeps an empty value; a later
// duplicate name wins, as getenv(3) would not promise either way.
func parseEnviron(b []byte) map[string]string {
	env := map[string]string{}
	for _, kv := range strings.Split(string(b), "\x00") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}
