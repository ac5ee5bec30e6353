//go:build !amd64 && !arm64

package kernel

// syscallNames is empty where procbox has no generated table: names show as
// syscall_N and --seccomp refuses every name, saying which architecture lacks it.
var syscallNames = [...]string{}
