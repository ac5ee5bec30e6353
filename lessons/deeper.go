package lessons

import "procbox/isolate"

// The deeper lesson: what the best hands-on labs add after the basics, each
// done by hand and checked on the learner's own processes.

// hostnameIn passes when a learner's process sits in a UTS namespace of its
// own (and, with user, a user namespace of its own) whose hostname is name.
func hostnameIn(name string, user bool) func(State) Result {
	what := "its own UTS namespace named " + name
	if user {
		what = "its own user and UTS namespaces, named " + name
	}
	return shellProc(what, func(host, p isolate.Observed) string {
		if user {
			if r := ownNS(isolate.NSUser, host, p); r != "" {
				return r
			}
		}
		if r := ownNS(isolate.NSUTS, host, p); r != "" {
			return r
		}
		if p.Hostname != name {
			return p.Comm + "'s hostname is " + p.Hostname + ", not " + name
		}
		return ""
	})
}

// vethInside passes when a learner's process has its own network namespace
// holding an interface other than lo that is up and has an address.
func vethInside(s State) Result {
	return shellProc("a cable into its own network namespace (an interface up, with an address)", func(host, p isolate.Observed) string {
		if r := ownNS(isolate.NSNet, host, p); r != "" {
			return r
		}
		for _, i := range p.Interfaces {
			if i.Name != "lo" && i.Up && len(i.Addrs) > 0 {
				return ""
			}
		}
		return p.Comm + "'s network namespace has no interface up with an address besides lo"
	})(s)
}

// noNewPrivs passes when a learner's process has no_new_privs set.
func noNewPrivs(s State) Result {
	return shellProc("no_new_privs set", func(host, p isolate.Observed) string {
		if !p.NoNewPrivs {
			return p.Comm + " can still gain privileges through exec"
		}
		return ""
	})(s)
}

// unreapedZombie passes when the learner's processes hold a PID 1 of a PID
// namespace of their own and a zombie nobody reaped.
func unreapedZombie(s State) Result {
	if r := shellProc("PID 1 of a PID namespace of its own", func(host, p isolate.Observed) string {
		if r := ownNS(isolate.NSPID, host, p); r != "" {
			return r
		}
		if p.InnerPID != 1 {
			return p.Comm + " is not PID 1 inside"
		}
		return ""
	})(s); !r.Passed {
		return r
	}
	return shellProc("a zombie (state Z)", func(_, p isolate.Observed) string {
		if p.State != "Z" {
			return p.Comm + " is not a zombie"
		}
		return ""
	})(s)
}

// deeperStep is a do-it-yourself step of the deeper lesson.
func deeperStep(id, title string, check func(State) Result, hint, notes string, commands ...string) Step {
	s := byHandStep(id, title, check, hint, notes, commands...)
	s.Text = "deeper/" + id + ".md"
	return s
}

// deeperLesson: joining namespaces, root and user namespaces, veth, no_new_privs, reaping.
func deeperLesson() Lesson {
	return Lesson{
		ID:      "deeper",
		Title:   "Going deeper: exec, root, cables, privileges, zombies",
		Minutes: 26,
		Steps: []Step{
			deeperStep("nsenter", "Joining a namespace: setns, nsenter and lifetime", hostnameIn("kept-alive", false),
				"Press s: make the namespace with unshare --uts=/run/learner-uts, then join it with nsenter and read the hostname.",
				"docker exec is setns into the container's namespaces; ip netns keeps namespaces alive with the same bind mount.",
				"touch /run/learner-uts",
				"unshare --uts=/run/learner-uts hostname kept-alive",
				"nsenter --uts=/run/learner-uts sh",
				"hostname",
				"exit",
				"umount /run/learner-uts; rm /run/learner-uts",
				"exit"),
			deeperStep("userns", "Root in a container, with and without a user namespace", hostnameIn("yes", true),
				"Press s: unshare --user --map-root-user sh, see hostname refused, then unshare --uts sh and name it yes.",
				"Without a user namespace, root in the container is root on the host; that is Docker's default.",
				"unshare --user --map-root-user sh",
				"grep CapEff /proc/self/status",
				"hostname nope",
				"unshare --uts sh",
				"hostname yes; hostname",
				"exit",
				"exit",
				"exit"),
			deeperStep("veth", "A cable into the network namespace: veth", vethInside,
				"Press s: a sleep in a new net namespace, a veth pair with one end in it, an address and up on both ends.",
				"Sketch docker0 on the board: every container's host end plugged into it, and one masquerade rule to the outside.",
				"unshare --net sleep 300 & sleep 1",
				"ip link add lrn0 type veth peer name lrn1 netns $!",
				"ip addr add 10.199.0.1/24 dev lrn0; ip link set lrn0 up",
				"nsenter -t $! -n sh -c 'ip addr add 10.199.0.2/24 dev lrn1; ip link set lrn1 up; ip -br addr'",
				"kill %1",
				"exit"),
			deeperStep("nnp", "no_new_privs: no privilege through exec", noNewPrivs,
				"Press s: setpriv --no-new-privs bash, then read NoNewPrivs in /proc/self/status.",
				"Ask what sudo does under no_new_privs: it cannot gain root, so it fails.",
				"setpriv --no-new-privs bash",
				"grep NoNewPrivs /proc/self/status",
				"exit",
				"exit"),
			deeperStep("reap", "PID 1 must reap its zombies", unreapedZombie,
				"Press s: a sleep as PID 1 that never waits, and its child left a zombie; ps shows the Z.",
				"tini is about 700 lines of C; docker run --init puts it in as PID 1.",
				"unshare --pid --fork --mount-proc --kill-child sh -c 'sleep 1 & exec sleep 300' &",
				"sleep 2; ps -eo pid,ppid,stat,comm | grep -w Z",
				"kill -KILL %1",
				"exit"),
		},
		Quiz: []Question{
			{
				Prompt:  "What does docker exec do, in kernel terms?",
				Choices: []string{"Starts a new container", "setns(2) into the running container's namespaces, then exec", "Attaches a debugger", "Copies the container"},
				Answer:  1,
				Explain: "A new process joins the namespaces (and cgroup) of the container's process and runs the command there.",
			},
			{
				Prompt:  "A container's PID 1 never calls wait. What piles up?",
				Choices: []string{"Open files", "Memory leaks", "Threads", "Zombie processes, each holding a PID"},
				Answer:  3,
				Explain: "Orphans go to the namespace's PID 1; if it never reaps them they stay zombies. tini (docker run --init) reaps them.",
			},
			{
				Prompt:  "A process has no_new_privs set and runs a set-user-ID root program. It…",
				Choices: []string{"Runs with its own privileges: the set-user-ID bit is ignored", "Becomes root", "Is killed", "Cannot exec at all"},
				Answer:  0,
				Explain: "With no_new_privs, execve grants nothing: set-user-ID bits and file capabilities are ignored.",
			},
		},
	}
}
