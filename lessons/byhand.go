package lessons

import (
	"slices"
	"strings"

	"procbox/isolate"
)

// The by-hand lesson: a container built from a shell, step by step, with
// procbox only watching. Its paths and names match the commands in
// assets/lessons/byhand, which the tests type through a pty and in tmux.
const (
	byHandRoot    = "/tmp/learner/root"
	byHandOverlay = byHandRoot + " overlay learner"
	byHandPids    = 32
	// byHandCgroupFile remembers, from one step's shell to the next, the
	// path of the group the cgroup step made.
	byHandCgroupFile = "/tmp/learner/cgroup"
)

// byHandCgroupLine picks the pids tree of this host and a group name of the
// learner's own: on cgroup v1 (and hybrid) the pids controller has its own
// hierarchy, on v2 there is one tree; $$, the shell's PID, keeps two
// learners (or two runs) on one machine out of each other's group.
const byHandCgroupLine = "G=/sys/fs/cgroup/pids; [ -d $G ] || G=/sys/fs/cgroup; G=$G/learner-$$"

// overlayMounted passes when a learner's process sees the overlay on the root.
func overlayMounted(s State) Result {
	return shellProc("the overlay on "+byHandRoot+" in its mount table", func(_, p isolate.Observed) string {
		if !slices.Contains(p.Mounts, byHandOverlay) {
			return p.Comm + " sees no overlay on " + byHandRoot
		}
		return ""
	})(s)
}

// containerBuilt passes when one process of the learner's has all of it at
// once: five namespaces of its own, PID 1 inside, the overlay as /, the pids
// limit, and no cap_sys_admin.
func containerBuilt(s State) Result {
	return shellProc("everything at once (namespaces, PID 1, the overlay as /, the pids limit, no cap_sys_admin)",
		func(host, p isolate.Observed) string {
			for _, k := range []string{isolate.NSMnt, isolate.NSUTS, isolate.NSIPC, isolate.NSNet, isolate.NSPID} {
				if r := ownNS(k, host, p); r != "" {
					return r
				}
			}
			if p.InnerPID != 1 {
				return p.Comm + " is not PID 1 inside"
			}
			if !slices.ContainsFunc(p.Mounts, func(m string) bool { return strings.HasPrefix(m, "/ overlay ") }) {
				return p.Comm + "'s / is not the overlay: pivot_root into " + byHandRoot
			}
			if p.Limits.PidsMax != byHandPids {
				return p.Comm + " is not in your learner group with pids.max 32"
			}
			if slices.Contains(p.CapBnd, "cap_sys_admin") {
				return p.Comm + " still has cap_sys_admin"
			}
			return ""
		})(s)
}

// byHandStep is a step of the by-hand lesson: s is the way through; a only
// checks again what the learner's shell built.
func byHandStep(id, title string, check func(State) Result, hint, notes string, commands ...string) Step {
	return Step{
		ID: id, Title: title, Text: "byhand/" + id + ".md",
		Action: Action{Kind: ActLook, Label: "check again what your shell built (this lesson is done by hand: press s)"},
		Check:  check,
		Hint:   hint,
		Notes:  notes,
		DIY:    diy(check, hint, commands...),

		ByHandOnly: true,
	}
}

// byHandLesson: a container from a shell, with the host's own files.
func byHandLesson() Lesson {
	return Lesson{
		ID:      "byhand",
		Title:   "A container by hand",
		Minutes: 22,
		Steps: []Step{
			byHandStep("layers", "Layers: a root filesystem with overlayfs", overlayMounted,
				"Press s and type the five lines: two layers from the host's files, then the overlay mount on /tmp/learner/root.",
				"Point at the upper directory: only hello is there. That is copy-on-write, and why image layers can be shared.",
				"L=/tmp/learner; mkdir -p $L/base/proc $L/base/old $L/tools $L/upper $L/work $L/root",
				"for l in /bin/sh $(ldd /bin/sh | grep -o '/[^ ]*'); do mkdir -p $L/base$(dirname $l) && cp -L $l $L/base$l; done",
				"for f in /bin/ls /bin/mount /bin/umount /sbin/capsh; do for l in $f $(ldd $f | grep -o '/[^ ]*'); do mkdir -p $L/tools$(dirname $l) && cp -L $l $L/tools$l; done; done",
				"mount -t overlay learner -o lowerdir=$L/tools:$L/base,upperdir=$L/upper,workdir=$L/work $L/root",
				"touch $L/root/hello; ls $L/root $L/upper",
				"exit"),
			byHandStep("cgroup", "A cgroup for the container",
				diyLimit("pids limit", func(c isolate.CgroupStats) int64 { return c.PidsMax }),
				"Press s and type the lines: the first picks the pids tree (v1: /sys/fs/cgroup/pids, v2: /sys/fs/cgroup) and names the group learner-$$; then 32 into its pids.max and your shell's PID into its cgroup.procs.",
				"A runtime puts the first process in the group before it runs anything, so nothing escapes the count.",
				byHandCgroupLine,
				"mkdir $G && echo $G | tee "+byHandCgroupFile,
				"echo 32 > $G/pids.max; echo $$ > $G/cgroup.procs",
				"cat $G/pids.current",
				"exit"),
			byHandStep("enter", "Into it: namespaces, pivot_root, fewer capabilities", containerBuilt,
				"Press s and type the lines one at a time: join the group, unshare with --fork, pivot_root into /tmp/learner/root, drop capabilities with capsh.",
				"Ask which line made it a container. None alone: it is all of them, in this order, which is what runc does.",
				"G=$(cat "+byHandCgroupFile+"); echo $$ | tee $G/cgroup.procs",
				"unshare --mount --uts --ipc --net --pid --fork sh +m",
				"hostname learner-box && mount --make-rprivate / && cd /tmp/learner/root",
				"pivot_root . old && mount -t proc proc /proc && umount -l /old",
				"exec capsh --drop=cap_sys_admin,cap_net_raw,cap_chown --shell=/bin/sh -- +m",
				"echo $$; ls / /old",
				"exit",
				"exit"),
		},
		Quiz: []Question{
			{
				Prompt:  "You create a file in the overlay's merged directory. Where is it stored?",
				Choices: []string{"In the lowest layer", "In every layer", "In the upper (writable) directory", "Nowhere: overlays are read-only"},
				Answer:  2,
				Explain: "overlayfs writes every change to the upper directory; the lower layers stay untouched and can be shared.",
				Needs:   []string{"overlay", "upper"},
			},
			{
				Prompt:  "After pivot_root . old, what removes the host's files from the container's view?",
				Choices: []string{"pivot_root itself", "exec of the container's shell", "Dropping cap_sys_admin", "A separate umount of /old"},
				Answer:  3,
				Explain: "pivot_root only moves the old root to /old; unmounting it (umount -l /old) is a separate step.",
				Needs:   []string{"pivot_root", "umount"},
			},
		},
	}
}
