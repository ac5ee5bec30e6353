// Package testtree lays out files for tests: a /proc or cgroupfs fixture
// written from a map under a temp dir, and a copy of an executable where
// another user may run it. Only _test.go files import it (a leaf, like every
// internal/ package: it imports nothing of procbox), so it adds nothing to
// the binary.
package testtree
