// Command gen writes the syscall tables of package kernel from the
// zsysnum_linux_<arch>.go files of the golang.org/x/sys module that go.mod
// pins, so the names procbox shows and the numbers x/sys/unix uses cannot
// drift apart. Run it with `go generate ./internal/kernel` from the
// repository root (it asks `go list` where the module is).
//
// For each architecture it writes syscalls_<arch>.go (an array from number
// to name, laid out at link time: no init code at start-up) and
// syscalls_<arch>_test.go (one check per entry against unix.SYS_*, compiled
// on that architecture).
package main
