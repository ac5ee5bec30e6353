package lessons

import (
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"procbox/assets"
	"procbox/inspect"
	"procbox/isolate"
)

var allCaps = []string{"cap_chown", "cap_net_bind_service", "cap_net_raw", "cap_sys_admin", "cap_kill"}

func hostView() isolate.View {
	return isolate.View{
		Side: "host", PID: 4242, Hostname: "box", ProcCount: 120, Procs: []string{"1 systemd"},
		Interfaces: []isolate.Interface{{Name: "lo", Up: true}, {Name: "eth0", Up: true}},
		MountRoot:  "/dev/sda1", MountCount: 30, UIDMap: "0 0 4294967295", IPC: isolate.IPCObjects{SharedMem: 2},
		CgroupPath: "/procbox-4242", CapEff: allCaps,
		NSInodes:  map[string]uint64{"pid": 1, "net": 2, "mnt": 3, "uts": 4, "ipc": 5, "user": 6, "cgroup": 7, "time": 8},
		Limits:    isolate.CgroupStats{Version: "v1", MemoryMax: -1, PidsMax: -1, CPUQuotaUsec: -1},
		Monotonic: time.Hour,
	}
}

// plainChild is the demo child as a plain process: it shares everything with the host.
func plainChild() isolate.View {
	c := hostView()
	c.Side = "child"
	c.NSInodes = map[string]uint64{}
	for k, v := range hostView().NSInodes {
		c.NSInodes[k] = v
	}
	return c
}

// isolatedChild is the child with its own namespaces of kinds, and their effects.
func isolatedChild(kinds ...string) isolate.View {
	c := plainChild()
	for i, k := range kinds {
		c.NSInodes[k] = 100 + uint64(i)
		switch k {
		case isolate.NSPID:
			c.PID, c.ProcCount = 1, 2
		case isolate.NSNet:
			c.Interfaces = []isolate.Interface{{Name: "lo"}}
		case isolate.NSUTS:
			c.Hostname = demoHostname
		case isolate.NSIPC:
			c.IPC = isolate.IPCObjects{}
		case isolate.NSUser:
			c.UIDMap = "0 65534 1"
		case isolate.NSCgroup:
			c.CgroupPath = "/"
		case isolate.NSTime:
			c.Monotonic += timeOffset
			c.Boottime += timeOffset
		}
	}
	return c
}

func childSnap() *inspect.Snapshot {
	return &inspect.Snapshot{
		PID: 4242, PPID: 4000, Nice: 0, Priority: 20,
		UIDs:   inspect.IDSet{Real: inspect.ID{ID: 0}, Effective: inspect.ID{ID: 0}},
		Memory: inspect.Memory{RSSBytes: 2 << 20, Kinds: []inspect.MemoryKind{{Kind: "text"}, {Kind: "heap"}, {Kind: "stack"}}},
		FDs:    []inspect.FD{{FD: 0}, {FD: 1}, {FD: 2}},
		Env:    map[string]string{"PATH": "/usr/bin"},
		Caps:   inspect.Capabilities{Effective: allCaps, Permitted: allCaps, Bounding: allCaps},
		LSM:    "none",
	}
}

func without(list []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == drop })
}

// fixtures returns a state on which step passes (the learner acted) and one on
// which it must fail (the step just opened, nothing done yet).
func fixtures(t *testing.T, l Lesson, s Step) (passing, failing State) {
	doctor := inspect.HostReport{CgroupMode: "hybrid", LSM: "none", Kernel: "6.1.0"}
	failing = State{Child: plainChild(), Host: hostView(), ChildSnap: childSnap(), Doctor: doctor, Spec: s.StartSpec()}
	before := failing
	passing = State{Child: plainChild(), Host: hostView(), ChildSnap: childSnap(), HostSnap: childSnap(),
		Doctor: doctor, Before: &before, Spec: s.Spec, StartDuration: 30 * time.Millisecond}
	out := func(name string, ok bool, errno string) {
		passing.Outcomes = append(passing.Outcomes, isolate.Outcome{Experiment: name, Allowed: ok, Errno: errno})
	}
	switch l.ID + "/" + s.ID {
	case "process/pid", "process/ids", "process/memory", "limits/shared", "security/caps", "security/lsm":
	case "process/nice":
		out(isolate.ExpRenice, true, "")
		passing.ChildSnap.Nice, passing.ChildSnap.Priority = 5, 25
	case "process/fds":
		out(isolate.ExpOpenFile, true, "")
		passing.ChildSnap.FDs = append(passing.ChildSnap.FDs, inspect.FD{FD: 3, Target: "/etc/hostname"})
	case "process/env":
		out(isolate.ExpEnvChild, true, "")
	case "process/registers":
		passing.Registers = &isolate.Registers{PC: 0x401000, SP: 0x7ffd0000, TID: 4250, Thread: "a busy thread", LaterPC: 0x401040}
	case "limits/sees-all":
		out(isolate.ExpKillHost, true, "")
	case "limits/fork":
		out(isolate.ExpForkBomb, true, "")
	case "limits/memory":
		out(isolate.ExpMemoryHog, true, "")
	case "limits/root":
		out(isolate.ExpChown, true, "")
	case "cgroups/versions":
	case "cgroups/memory":
		out(isolate.ExpMemoryHog, false, "")
		passing.Outcomes[0].OOMKilled = true
		passing.Child.Limits.OOMKills = 1
	case "cgroups/pids":
		out(isolate.ExpForkBomb, false, "EAGAIN")
		passing.Child.Limits.PidsMax = demoPidsMax
	case "cgroups/cpu":
		out(isolate.ExpCPUBurner, true, "")
		passing.Child.Limits.NrThrottled = 12
	case "security/drop-chown":
		out(isolate.ExpChown, false, "EPERM")
		passing.Child.CapEff = without(allCaps, "cap_chown")
	case "security/drop-bind":
		out(isolate.ExpBind80, false, "EACCES")
		passing.Child.CapEff = without(allCaps, "cap_net_bind_service")
	case "security/drop-raw":
		out(isolate.ExpRawSocket, false, "EPERM")
		passing.Child.CapEff = without(allCaps, "cap_net_raw")
	case "security/seccomp":
		out(isolate.ExpMkdir, false, "EPERM")
		passing.Child.Seccomp = 2
	case "container/rootfs":
		passing.Child = isolatedChild(containerSpec().Namespaces...)
		passing.Child.MountRoot, passing.Child.MountCount = "/dev/sda1 (ext4, /tmp/procbox-rootfs-1)", 3
	case "container/all", "container/encapsulation", "container/isolation", "container/portability", "container/efficiency":
		passing.Child = isolatedChild(containerSpec().Namespaces...)
		passing.Child.Limits.MemoryMax, passing.Child.Limits.PidsMax = 64<<20, 64
		passing.Child.Seccomp = 2
		passing.Child.CapEff = without(allCaps, "cap_sys_admin")
		if s.ID == "isolation" {
			out(isolate.ExpKillHost, false, "ESRCH")
		}
	case "namespaces/mnt":
		out(isolate.ExpMountKeep, true, "")
		failing.Child = isolatedChild(isolate.NSMnt)
		before.Child = failing.Child
		passing.Child = isolatedChild(isolate.NSMnt)
		passing.Child.MountCount++
	case "namespaces/ipc":
		out(isolate.ExpIPCQueue, true, "")
		failing.Child = isolatedChild(isolate.NSIPC)
		before.Child = failing.Child
		passing.Child = isolatedChild(isolate.NSIPC)
		passing.Child.IPC.Queues = 1
	case "byhand/layers", "byhand/cgroup", "byhand/enter",
		"deeper/nsenter", "deeper/userns", "deeper/veth", "deeper/bridge", "deeper/nat", "deeper/nnp", "deeper/reap",
		"runtimes/runc", "runtimes/defaults", "cgroups/v2":
		// Done by hand: the check reads what the learner's shell built.
		passing.Shell = &isolate.ShellTrace{Host: hostObserved(), Procs: afterCommandsAll(t, l.ID+"/"+s.ID),
			HostNet: afterHostNet(l.ID + "/" + s.ID)}
	default:
		if l.ID != "namespaces" {
			t.Fatalf("no fixture for %s/%s: add one", l.ID, s.ID)
		}
		passing.Child = isolatedChild(s.ID)
	}
	return passing, failing
}

func TestCatalog(t *testing.T) {
	seenLessons := map[string]bool{}
	for _, l := range Catalog() {
		if l.ID == "" || l.Title == "" || l.Minutes <= 0 || len(l.Steps) == 0 {
			t.Errorf("lesson %q: needs an id, a title, minutes and steps", l.ID)
		}
		if seenLessons[l.ID] {
			t.Errorf("duplicate lesson id %q", l.ID)
		}
		seenLessons[l.ID] = true
		if len(l.Quiz) < 2 {
			t.Errorf("lesson %s: %d quiz questions, want at least 2", l.ID, len(l.Quiz))
		}
		for i, q := range l.Quiz {
			if q.Answer < 0 || q.Answer >= len(q.Choices) || len(q.Choices) > 4 || len(q.Choices) < 2 {
				t.Errorf("lesson %s quiz %d: answer %d of %d choices (keys a-d)", l.ID, i, q.Answer, len(q.Choices))
			}
			if q.Explain == "" || q.Prompt == "" {
				t.Errorf("lesson %s quiz %d: needs a prompt and an explanation", l.ID, i)
			}
		}
		seenSteps := map[string]bool{}
		for _, s := range l.Steps {
			name := l.ID + "/" + s.ID
			t.Run(name, func(t *testing.T) {
				if seenSteps[s.ID] {
					t.Errorf("duplicate step id")
				}
				seenSteps[s.ID] = true
				body, err := s.Body()
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(body, "# ") || len(body) < 200 {
					t.Errorf("text %s: want a '# Title' and some substance, got %d bytes", s.Text, len(body))
				}
				if s.Title == "" || s.Hint == "" || s.Notes == "" || s.Action.Label == "" || s.Check == nil {
					t.Errorf("needs a title, hint, speaker notes, an action label and a check")
				}
				if s.Action.Kind == ActExperiment && !slices.Contains(append(slices.Clone(isolate.Experiments),
					isolate.LessonExperiments...), s.Action.Experiment) {
					t.Errorf("unknown experiment %q", s.Action.Experiment)
				}
				if s.Action.Kind == ActApply && reflect.DeepEqual(s.From, s.Spec) {
					t.Errorf("an apply step must change the spec")
				}
				validateSpec(t, ResolveRootfs(s.Spec, t.TempDir()))
				validateSpec(t, ResolveRootfs(s.From, t.TempDir()))

				passing, failing := fixtures(t, l, s)
				if r := s.Evaluate(passing); !r.Passed {
					t.Errorf("check fails on the right state: %s", r.Missing)
				}
				r := s.Evaluate(failing)
				if r.Passed {
					t.Errorf("check passes before the learner acted")
				}
				if r.Missing == "" || r.Hint != s.Hint {
					t.Errorf("failure must say what is missing and carry the hint: %+v", r)
				}
			})
		}
	}
}

func TestResolveRootfs(t *testing.T) {
	s := isolate.Spec{Namespaces: []string{isolate.NSMnt}, Rootfs: DemoRootfs}
	if got := ResolveRootfs(s, "/srv/root").Rootfs; got != "/srv/root" {
		t.Errorf("ResolveRootfs put %q in place of the demo rootfs", got)
	}
	s.Rootfs = "/mine"
	if got := ResolveRootfs(s, "/srv/root").Rootfs; got != "/mine" {
		t.Errorf("ResolveRootfs replaced a rootfs the learner chose: %q", got)
	}
	used := false
	for _, l := range Catalog() {
		for _, st := range l.Steps {
			used = used || st.Spec.Rootfs == DemoRootfs
		}
	}
	if !used {
		t.Error("no step gives the demo child its own root filesystem (the container lesson must)")
	}
}

// validateSpec checks a step's spec with isolate's own rules.
func validateSpec(t *testing.T, s isolate.Spec) {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Errorf("spec %+v: %v", s, err)
	}
}

// TestEveryAssetUsed keeps the embedded texts and the catalog in step.
func TestEveryAssetUsed(t *testing.T) {
	used := map[string]bool{}
	for _, l := range Catalog() {
		for _, s := range l.Steps {
			used[s.Text] = true
		}
	}
	err := fs.WalkDir(assets.Lessons, "lessons", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || p == "lessons/README.md" {
			return err
		}
		if !used[strings.TrimPrefix(p, "lessons/")] {
			t.Errorf("%s is embedded but no step uses it", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCoverage: every point of the workshop seed is mentioned in the text of a
// step that also demonstrates it (has an action and a check).
func TestCoverage(t *testing.T) {
	points := map[string]string{
		"PID":                 `\bPID\b`,
		"PPID":                `\bPPID\b`,
		"UID":                 `\bUID\b`,
		"GID":                 `\bGID\b`,
		"priority":            `(?i)\bpriority\b`,
		"nice":                `(?i)\bnice\b`,
		"memory space":        `(?i)memory space`,
		"file descriptors":    `(?i)file\s+descriptors?`,
		"environment":         `(?i)environment`,
		"registers":           `(?i)registers`,
		"pid namespace":       `(?i)pid\W+namespace`,
		"network namespace":   `(?i)network\W+namespace`,
		"mount namespace":     `(?i)mount\W+namespace`,
		"uts namespace":       `(?i)uts\W+namespace`,
		"ipc namespace":       `(?i)ipc\W+namespace`,
		"user namespace":      `(?i)user\W+namespace`,
		"cgroups":             `(?i)cgroups`,
		"SELinux":             `SELinux`,
		"capabilities":        `(?i)capabilities`,
		"seccomp":             `(?i)seccomp`,
		"encapsulation":       `(?i)encapsulation`,
		"isolation":           `(?i)isolation`,
		"portability":         `(?i)portability`,
		"efficiency":          `(?i)efficiency`,
		"open discussion":     `(?i)discussion`,
		"limits of a process": `(?i)fork bomb`,
	}
	for point, pattern := range points {
		re := regexp.MustCompile(pattern)
		var where []string
		for _, l := range Catalog() {
			for _, s := range l.Steps {
				body, err := s.Body()
				if err != nil {
					t.Fatal(err)
				}
				if re.MatchString(body) && s.Check != nil && s.Action.Kind != "" {
					where = append(where, l.ID+"/"+s.ID)
				}
			}
		}
		if len(where) == 0 {
			t.Errorf("seed point %q is not taught and demonstrated by any step", point)
		}
	}
}

func TestFindAndPrint(t *testing.T) {
	if _, ok := Find("nope"); ok {
		t.Fatal("Find(nope) found something")
	}
	for _, id := range IDs() {
		md := Print(id, true)
		plain := Print(id, false)
		l, _ := Find(id)
		if !strings.Contains(md, "# "+l.Title) || !strings.Contains(md, "## Quiz") {
			t.Errorf("%s: markdown handout lacks title or quiz", id)
		}
		if strings.Contains(plain, "**") || strings.Contains(plain, "```") || strings.Contains(plain, "# ") {
			t.Errorf("%s: plain handout still has markdown marks", id)
		}
		for _, s := range l.Steps {
			if !strings.Contains(plain, s.Title) {
				t.Errorf("%s: plain handout lacks step %q", id, s.Title)
			}
		}
	}
	if Print("nope", false) != "" {
		t.Error("Print of an unknown lesson should be empty")
	}
	if TotalSteps() < 30 {
		t.Errorf("only %d steps in the course", TotalSteps())
	}
}

func TestPlainText(t *testing.T) {
	got := plainText("# Big\n\nSome **bold** and `code` and [a link](http://x).\n```\nls -l\n```")
	want := "Big\n===\n\nSome bold and code and a link (http://x).\n    ls -l"
	if got != want {
		t.Errorf("plainText:\n%q\nwant\n%q", got, want)
	}
}

// TestMinutesRealistic keeps each lesson's announced minutes within a
// quarter of what reading it and doing it by hand takes (EstimateMinutes).
func TestMinutesRealistic(t *testing.T) {
	for _, l := range Catalog() {
		est := EstimateMinutes(l)
		if m := float64(l.Minutes); m < est*0.75 || m > est*1.25 {
			t.Errorf("%s: %d minutes announced, about %.0f to read and do by hand", l.ID, l.Minutes, est)
		}
	}
}

// TestQuizPlainText: quiz text is shown as it is, not as markdown, so a
// backtick or asterisk in it reaches the screen literally.
func TestQuizPlainText(t *testing.T) {
	for _, l := range Catalog() {
		for i, q := range l.Quiz {
			for _, s := range append([]string{q.Prompt, q.Explain}, q.Choices...) {
				if strings.ContainsAny(s, "`*") {
					t.Errorf("%s quiz %d: markdown in plain text: %q", l.ID, i+1, s)
				}
			}
		}
	}
}

// TestQuizAnswersSpread: the right answers are spread over a-d, so a learner
// cannot pass by always pressing the same key: over the course each letter
// is right at least an eighth of the time and at most a third, and no
// lesson with three or more questions puts all its answers on one letter.
func TestQuizAnswersSpread(t *testing.T) {
	count := map[int]int{}
	total := 0
	for _, l := range Catalog() {
		per := map[int]int{}
		for _, q := range l.Quiz {
			count[q.Answer]++
			per[q.Answer]++
			total++
		}
		if len(l.Quiz) >= 3 && len(per) == 1 {
			t.Errorf("lesson %s: every answer is %c", l.ID, 'a'+rune(l.Quiz[0].Answer))
		}
	}
	for k := 0; k < 4; k++ {
		if count[k]*8 < total || count[k]*3 > total {
			t.Errorf("answer %c is right in %d of %d questions; want between an eighth and a third", 'a'+rune(k), count[k], total)
		}
	}
}
