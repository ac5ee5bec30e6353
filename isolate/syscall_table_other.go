//go:build !amd64 && !arm64

package isolate

// syscallNames is empty where procbox has no generated table: every --seccomp
// name is then refused by validation, which says which architecture lacks it.
var syscallNames = [...]string{}
