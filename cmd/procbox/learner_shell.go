package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"procbox/inspect"
	"procbox/isolate"
	"procbox/lessons"
)

// learnerShells gives a learner a plain shell of their own for a step's
// do-it-yourself path: no namespace, limit or filter of the demo child, the
// same as a terminal of their own. While it runs, every process procbox
// starts outside the demo child is watched, so the step's check reads what
// the learner's commands made of them.
type learnerShells struct {
	// bin is the procbox binary the shell finds as `procbox` (the seccomp
	// step types `procbox run --seccomp …`); "" is this very program.
	bin string
}

// watchEvery is how often the learner's processes are read while the shell
// runs: often enough to catch a command that lives a second.
const watchEvery = 200 * time.Millisecond

func (l learnerShells) Shell(skip int, intro string) (*exec.Cmd, func() isolate.ShellTrace, error) {
	sh := ""
	for _, p := range []string{"/bin/bash", "/bin/sh"} {
		if _, err := os.Stat(p); err == nil {
			sh = p
			break
		}
	}
	if sh == "" {
		return nil, nil, errors.New("this host has no /bin/sh")
	}
	// The intro goes through the environment, so nothing in it is ever
	// parsed as shell code; then the interactive shell replaces the wrapper.
	cmd := exec.Command("/bin/sh", "-c", `printf '%s\n' "$PROCBOX_INTRO"; unset PROCBOX_INTRO; exec "$0" -i`, sh)
	// No PS1 goes into the environment: bash's startup files would change
	// an exported one to bash's escapes (\u@\h:\w), and every sh the
	// learner starts (unshare … sh) would print them as they are.
	// The mark is how procbox later knows a process left behind for the
	// learner's: every process the shell starts inherits it.
	left := watchLeftovers(skip)
	cmd.Env = append(withoutPS1(os.Environ()), "PROCBOX_INTRO="+intro, left.mark)
	bin := l.bin
	if bin == "" {
		bin, _ = os.Executable()
	}
	if bin != "" {
		// procbox itself is one of the learner's tools: first on PATH.
		cmd.Env = append(cmd.Env, "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	// The deeper lesson's network steps have the learner make host links,
	// nat rules and ip_forward on: what they were is recorded before the
	// shell runs, claimed in the lock file once the learner builds a network
	// namespace, and undone when the shell ends however it ends (or by a
	// sweep if procbox dies first).
	lessonNet := isolate.WatchLessonNet()
	w := isolate.WatchTreeNamed(os.Getpid(), watchEvery, func(pid int) bool { return pid == skip }, containerName)
	w.GuardLessonNet(lessonNet)
	var once sync.Once
	var trace isolate.ShellTrace
	done := func() isolate.ShellTrace {
		once.Do(func() { trace = endShell(cmd, w, lessonNet, left) })
		openShells.forget(left)
		return trace
	}
	openShells.add(left, func() {
		if cmd.Process != nil {
			// Its starter waits for it (end skips it); its jobs come to
			// procbox once it has died.
			_ = cmd.Process.Kill()
			for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
				if st, ok := readLeftoverStat(cmd.Process.Pid); !ok || st.state == 'Z' || st.ppid != os.Getpid() {
					break
				}
			}
		}
		done()
	})
	return cmd, done, nil
}

// endShell is what happens once a learner's shell has ended (or procbox
// quits under it): the last sample, then the cleanup, in order.
func endShell(cmd *exec.Cmd, w *isolate.TreeWatch, lessonNet *isolate.LessonNet, left *leftovers) isolate.ShellTrace {
	tr := w.Stop()
	// runc delete -f first: it needs the container's processes alive to
	// know them; then what else the shell left; then the links and nat
	// rules, whose namespaces those processes may have held.
	tr.Cleanup = cleanRuncLesson(tr)
	shellPID := 0
	if cmd.Process != nil {
		shellPID = cmd.Process.Pid
	}
	tr.Cleanup = append(tr.Cleanup, left.end(shellPID, tr.Procs)...)
	undone, err := lessonNet.Clean()
	tr.Cleanup = append(tr.Cleanup, undone...)
	if err != nil {
		tr.Cleanup = append(tr.Cleanup, "not undone: "+err.Error())
	}
	return tr
}

// openShells are the learner's shells procbox has open, each with what ends
// it: procbox quitting under one (a hang-up, SIGTERM) ends it, and what it
// left, through endLearnerShells.
var openShells shellRegistry

type shellRegistry struct {
	mu  sync.Mutex
	end map[*leftovers]func()
}

func (r *shellRegistry) add(l *leftovers, end func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.end == nil {
		r.end = map[*leftovers]func(){}
	}
	r.end[l] = end
}

func (r *shellRegistry) forget(l *leftovers) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.end, l)
}

// endLearnerShells ends every learner's shell still open, and what each left.
func endLearnerShells() {
	openShells.mu.Lock()
	ends := make([]func(), 0, len(openShells.end))
	for _, e := range openShells.end {
		ends = append(ends, e)
	}
	openShells.mu.Unlock()
	for _, e := range ends {
		e()
	}
}

// cleanRuncLesson undoes what the runtimes lesson's lines leave when the
// learner's shell ends before their last line. It deletes the runc
// containers the learner started in the foreground below their shell (runc
// run) that outlived it: a shell killed or hung up under a running `runc
// run` leaves runc behind, since runc passes the hangup on to the
// container's PID 1, which ignores it. Only a container seen below the
// learner's shell, still running, is deleted; a detached one never was
// below it. Then it removes the bundle a shell of the learner's made
// (lessons.RuncBundlePrefix and that shell's PID) once that shell is gone.
// It returns what it did, as commands.
func cleanRuncLesson(tr isolate.ShellTrace) []string {
	did := deleteLeftContainers(tr)
	for _, p := range tr.Procs {
		dir := lessons.RuncBundlePrefix + strconv.Itoa(p.PID)
		// Only a bundle this user made: a PID of the learner's may be the
		// $$ another user named their bundle after.
		fi, err := os.Lstat(dir)
		if err != nil || !fi.IsDir() || unix.Kill(p.PID, 0) == nil {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
			did = append(did, "left "+dir+": not made by you")
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			did = append(did, "not undone: rm -rf "+dir+": "+err.Error())
		} else {
			did = append(did, "rm -rf "+dir)
		}
	}
	return did
}

// runcLessonID is the name the runtimes lesson gives its containers
// (learner-oci-$$, learner-oci-d$$), the bundle prefix without /tmp/.
var runcLessonID = strings.TrimPrefix(lessons.RuncBundlePrefix, "/tmp/")

// deleteLeftContainers is cleanRuncLesson's first half: runc delete -f of
// each runc container seen below the learner's shell that still runs.
func deleteLeftContainers(tr isolate.ShellTrace) []string {
	var did []string
	done := map[string]bool{}
	for _, p := range tr.Procs {
		runtime, id, ok := strings.Cut(p.Container, " ")
		// Only a container whose own PID 1 was seen below the shell, under
		// the lesson's name: a `runc exec` into someone else's container
		// puts a process of theirs below the shell too, and that container
		// is not the learner's to delete.
		if !ok || runtime != "runc" || p.InnerPID != 1 || !strings.HasPrefix(id, runcLessonID) ||
			done[id] || unix.Kill(p.PID, 0) != nil {
			continue
		}
		done[id] = true
		runc, err := exec.LookPath("runc")
		if err != nil {
			return did
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := exec.CommandContext(ctx, runc, "delete", "-f", id).Run(); err != nil {
			did = append(did, "not undone: runc delete -f "+id+": "+err.Error())
		} else {
			did = append(did, "runc delete -f "+id)
		}
		cancel()
	}
	return did
}

// containerName names the container a learner's process is in ("runc
// learner-oci"), as procbox inspect would: from its cgroup path and the
// runtime's own state. "" when no runtime claims it.
func containerName(pid int) string {
	s, err := inspect.DefaultFS().Snapshot(pid, inspect.Options{})
	if err != nil || s.Container.Runtime == "" {
		return ""
	}
	name := strings.TrimSpace(s.Container.Runtime + " " + s.Container.ID)
	// The id is whoever made the container's choice: a 10 MB one cost the
	// panel 165 ms a frame and filled the clean-up line. Real ids are 64
	// hex digits at most.
	if len(name) > maxContainerName {
		name = name[:maxContainerName] + "…"
	}
	return name
}

// maxContainerName bounds a container's name as the learner's panel shows it.
const maxContainerName = 160

// withoutPS1 is env less any prompt string.
func withoutPS1(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PS1=") {
			out = append(out, kv)
		}
	}
	return out
}

// endShellsOnSignal ends the learner's open shells, and what they left, on
// SIGTERM or SIGHUP: the player waits for a shell it runs and cannot quit
// before that shell has ended.
func endShellsOnSignal() (stop func()) {
	sigs := make(chan os.Signal, 1)
	quit := make(chan struct{})
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case <-sigs:
			endLearnerShells()
		case <-quit:
		}
	}()
	return func() { signal.Stop(sigs); close(quit) }
}
