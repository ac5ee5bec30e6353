// Package lessons is the curriculum as Go values: lessons, steps, quizzes, and
// each step's check as a pure function over inspect and isolate values. It reads
// its text from package assets. It never spawns, never draws, and never calls the
// kernel itself: the UI runs a step's child through isolate and hands the result here.
package lessons
