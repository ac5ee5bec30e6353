package lessons

import (
	"slices"
	"strings"

	"procbox/isolate"
)

// The runtimes lesson: the OCI stack, done by hand with runc. The learner
// makes a bundle, runs it with `runc run` in the foreground (runc stays as
// the container's parent, as a shim would, so procbox sees the container
// below the learner's shell), and the checks read the real container:
// runc's own state names it, the kernel shows its namespaces, capabilities,
// no_new_privs and seccomp mode. The names and paths here are the ones in
// assets/lessons/runtimes, which the tests type through a pty. The
// container and its bundle are named after the learner's shell
// (learner-oci-$$), so two learners, or two test runs, never share one.
const runcID = "learner-oci"

// RuncBundlePrefix is where the steps' commands make their bundle, the
// learner's shell's PID appended: /tmp/learner-oci-PID. procbox removes a
// bundle its learner left when the shell that made it has ended.
const RuncBundlePrefix = "/tmp/" + runcID + "-"

// runcSpecCaps are the capabilities `runc spec` writes into config.json
// (bounding, effective, permitted, ambient): three of Docker's fourteen.
var runcSpecCaps = []string{"cap_audit_write", "cap_kill", "cap_net_bind_service"}

// dockerDefaultCaps is Docker's default allowlist (moby's oci/caps/defaults.go):
// every other capability is dropped from a container's sets.
var dockerDefaultCaps = []string{"cap_audit_write", "cap_chown", "cap_dac_override", "cap_fowner", "cap_fsetid",
	"cap_kill", "cap_mknod", "cap_net_bind_service", "cap_net_raw", "cap_setfcap", "cap_setgid", "cap_setpcap",
	"cap_setuid", "cap_sys_chroot"}

// runcNamespaces are the namespaces `runc spec` asks for on every host (it
// spells them pid, network, ipc, uts, mount; on a cgroup v2 host it adds
// cgroup, which the check does not need).
var runcNamespaces = []string{isolate.NSPID, isolate.NSNet, isolate.NSIPC, isolate.NSUTS, isolate.NSMnt}

// inRuncContainer passes when one of the learner's processes is PID 1 of
// runc's container learner-oci, as config.json made it: runc's state names
// it, its five namespaces are its own, its bounding set is the config's
// three capabilities, no_new_privs is set, the hostname is runc's default,
// and it runs under a seccomp filter exactly when filtered is true.
func inRuncContainer(filtered bool) func(State) Result {
	what := "PID 1 of runc's container " + runcID + "-PID"
	return shellProc(what, func(host, p isolate.Observed) string {
		if !runcLearnerContainer(p.Container) {
			if p.Container == "" {
				return p.Comm + " is in no container runc knows: run runc run " + runcID + "-$$ in the bundle"
			}
			return p.Comm + " is in " + p.Container + ", not runc's " + runcID + "-PID"
		}
		for _, k := range runcNamespaces {
			if r := ownNS(k, host, p); r != "" {
				return r
			}
		}
		if p.InnerPID != 1 {
			return p.Comm + " is not the container's PID 1"
		}
		bnd := slices.Sorted(slices.Values(p.CapBnd))
		if !slices.Equal(bnd, runcSpecCaps) {
			return p.Comm + "'s bounding set is " + capList(bnd) + ", not config.json's " + capList(runcSpecCaps)
		}
		if !p.NoNewPrivs {
			return p.Comm + " has no_new_privs unset, yet config.json says noNewPrivileges: true"
		}
		if p.Hostname != "runc" {
			return p.Comm + "'s hostname is " + p.Hostname + ", not config.json's runc"
		}
		switch {
		case filtered && p.Seccomp != 2:
			return p.Comm + " runs with no seccomp filter: add the seccomp section to config.json before runc run"
		case !filtered && p.Seccomp != 0:
			return p.Comm + " runs under a seccomp filter, but runc spec's config.json has none"
		}
		return ""
	})
}

// runcLearnerContainer reports whether container ("runtime id") is runc's
// learner-oci-PID, the name the steps' commands give it.
func runcLearnerContainer(container string) bool {
	id, ok := strings.CutPrefix(container, "runc "+runcID+"-")
	if !ok || id == "" {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// capList is a capability list for a message: "cap_kill,cap_chown" or "none".
func capList(caps []string) string {
	if len(caps) == 0 {
		return "none"
	}
	return strings.Join(caps, ",")
}

// runtimeStep is a do-it-yourself step of the runtimes lesson.
func runtimeStep(id, title string, check func(State) Result, hint, notes string, commands ...string) Step {
	s := byHandStep(id, title, check, hint, notes, commands...)
	s.Text = "runtimes/" + id + ".md"
	return s
}

// runtimesLesson: the OCI runtime stack, runc by hand, and the runtimes' defaults.
func runtimesLesson() Lesson {
	return Lesson{
		ID:      "runtimes",
		Title:   "Runtimes: OCI, runc and their defaults",
		Minutes: 22,
		Steps: []Step{
			runtimeStep("runc", "The OCI runtime stack: a bundle, run by runc", inRuncContainer(false),
				"Press s: make the bundle (rootfs with busybox, runc spec), read config.json, runc run "+runcID+"-$$, and look around inside before you exit.",
				"Draw the stack: docker, containerd, shim, runc. Then point out that the learner just played containerd's part by hand.",
				"B=/tmp/learner-oci-$$ && mkdir -m 700 $B && mkdir -p $B/rootfs/bin && cd $B && runc spec",
				"cp /bin/busybox rootfs/bin/ && for a in sh ls cat grep ps mkdir; do ln -s busybox rootfs/bin/$a; done",
				"grep -A4 '\"bounding\"' config.json; grep -c seccomp config.json",
				"runc run "+runcID+"-$$",
				"grep -E 'CapBnd|NoNewPrivs|Seccomp:' /proc/self/status; hostname; ps",
				"mkdir /dev/shm/d && ls /dev/shm",
				"exit",
				"cd / && rm -rf $B",
				"exit"),
			runtimeStep("defaults", "Runtimes' defaults: capabilities and seccomp", inRuncContainer(true),
				"Press s: the same bundle, with a seccomp section added by sed; inside, chown and mkdir both fail with EPERM, for two different reasons.",
				"Ask which of the two EPERMs Docker's defaults would have spared: chown (CAP_CHOWN is one of Docker's 14). mkdir stays allowed by Docker's profile.",
				"B=/tmp/learner-oci-$$ && mkdir -m 700 $B && mkdir -p $B/rootfs/bin && cd $B && runc spec",
				"cp /bin/busybox rootfs/bin/ && for a in sh grep touch chown mkdir; do ln -s busybox rootfs/bin/$a; done",
				`sed -i 's/"linux": {/"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]},/' config.json`,
				"runc run "+runcID+"-$$",
				"grep -E 'CapBnd|Seccomp:' /proc/self/status",
				"touch /dev/shm/f; chown 1 /dev/shm/f; mkdir /dev/shm/d",
				"exit",
				"cd / && rm -rf $B",
				"exit"),
		},
		Quiz: []Question{
			{
				Prompt:  "After runc has started a container for containerd, which process is the container's parent?",
				Choices: []string{"runc, until the container exits", "The shim, which stays while runc exits", "containerd itself", "PID 1 of the host, always"},
				Answer:  1,
				Explain: "runc sets the container up, execs its process and exits; the shim is a subreaper, adopts the process and keeps its stdio and exit status.",
				Needs:   []string{"runc", "shim"},
			},
			{
				Prompt:  "runc spec writes a config.json with no seccomp section. What filter does the container get?",
				Choices: []string{"Docker's default profile", "A filter that denies mount", "None: Seccomp reads 0 in /proc/PID/status", "One that kills on any unknown call"},
				Answer:  2,
				Explain: "runc applies a filter only when the spec has one; Docker writes its own default profile into the spec it hands to runc.",
				Needs:   []string{"runc", "seccomp"},
			},
			{
				Prompt:  "Docker's default seccomp profile says defaultAction SCMP_ACT_ERRNO and lists calls with SCMP_ACT_ALLOW. It is…",
				Choices: []string{"A denylist of dangerous calls", "An allowlist: a call it does not list fails with EPERM", "Only active with --privileged", "A list of calls that are logged"},
				Answer:  1,
				Explain: "The default action applies to every call the profile does not name: an error (EPERM, defaultErrnoRet 1). The listed calls are the ones allowed.",
				Needs:   []string{"seccomp", "SCMP_ACT_ERRNO"},
			},
		},
	}
}
