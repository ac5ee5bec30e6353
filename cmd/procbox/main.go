package main

import (
	"errors"
	"fmt"
	"os"
)

// version is set by the Makefile with -ldflags.
var version = "dev"

// usageError is a mistake in how procbox was called: one line, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef builds a usageError.
func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// exitError carries an exit status chosen by a subcommand (e.g. `run` passes on
// its command's status) without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

const usageText = `procbox — from a normal process to a container, live.

Usage:
  procbox                         home screen: Learn / Lab / Inspect (needs a terminal)
  procbox learn [LESSON]          lesson player (--list, --print LESSON, --presenter, --reset)
  procbox lab [SPEC]              isolation lab starting from SPEC
  procbox inspect [PID]           inspector (picker without PID); --json; --compare PID2
  procbox ps [--json]             process table; TUI on a terminal, plain text otherwise
  procbox run [SPEC] -- CMD ARGS  run CMD isolated; --explain; --report
  procbox doctor [--json]         what this host supports, and why not (--clean sweeps leftovers)
  procbox version

SPEC: --ns pid,net,mnt,uts,ipc,user,cgroup,time|all  --hostname NAME  --map-root
      --mem SIZE  --pids N  --cpu FRACTION  --drop-caps LIST|all  --seccomp SYSCALLS
      --rootfs DIR  --veth  --time-offset DURATION

Run 'procbox COMMAND --help' for the flags of one command.
`

func main() {
	os.Exit(realMain(os.Args[1:]))
}

// realMain runs procbox and returns the exit status. Nothing below it may panic
// at a user: a panic is turned into one line and status 1.
func realMain(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "procbox: internal error: %v\n", r)
			code = 1
		}
	}()
	err := dispatch(args)
	return report(err)
}

// report prints err as one line and maps it to an exit status.
func report(err error) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(os.Stderr, "procbox: %s\n", ue.msg)
		return 2
	}
	fmt.Fprintf(os.Stderr, "procbox: %s\n", err)
	return 1
}

func dispatch(args []string) error {
	if len(args) == 0 {
		return cmdHome()
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "learn":
		return cmdLearn(rest)
	case "lab":
		return cmdLab(rest)
	case "inspect":
		return cmdInspect(rest)
	case "ps":
		return cmdPs(rest)
	case "run":
		return cmdRun(rest)
	case "doctor":
		return cmdDoctor(rest)
	case "version", "--version":
		if len(rest) > 0 {
			return usagef("version takes no arguments (got %q)", rest[0])
		}
		fmt.Println("procbox", version)
		return nil
	case "help", "-h", "--help":
		if len(rest) > 0 {
			return dispatch(append(rest[:1:1], "--help"))
		}
		fmt.Print(usageText)
		return nil
	default:
		return usagef("unknown command %q (want learn, lab, inspect, ps, run, doctor, version; see procbox --help)", sub)
	}
}
