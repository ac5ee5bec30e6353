// Package isolate builds and runs the isolated child: namespaces, cgroups,
// capabilities, seccomp and a root filesystem. It is the only package that writes
// under /sys/fs/cgroup, mounts, or changes credentials. It imports no project
// package but the internal/ leaves (units, kernel).
//
// Every action it takes is also recorded as the shell command a person would type
// (see Step), so the UI and `procbox run --explain` can show what happened.
package isolate
