//go:build !amd64

package main

// otherABI: only amd64 has a second and third syscall ABI to try.
func otherABI(abi, path string) string { return "no other ABI on this architecture" }
