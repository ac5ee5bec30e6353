package lessons

import (
	"slices"
	"strings"
	"testing"

	"procbox/isolate"
)

// hostObserved is procbox itself as WatchTree records it: the host reference.
func hostObserved() isolate.Observed {
	return isolate.Observed{
		PID: 4000, InnerPID: 4000, Comm: "procbox", Hostname: "box",
		NSInodes:   map[string]uint64{"pid": 1, "net": 2, "mnt": 3, "uts": 4, "ipc": 5, "user": 6, "cgroup": 7, "time": 8},
		Interfaces: []isolate.Interface{{Name: "lo", Up: true}, {Name: "eth0", Up: true}},
		Mounts:     []string{"/ ext4 /dev/sda1", "/proc proc proc"},
		UIDMap:     "0 0 4294967295", CgroupPath: "/user.slice",
		CapEff: allCaps, CapBnd: allCaps,
		Limits: isolate.CgroupStats{MemoryMax: -1, PidsMax: -1, CPUQuotaUsec: -1},
	}
}

// untouched is a learner's shell that typed nothing: a copy of the host.
func untouched() isolate.Observed {
	o := hostObserved()
	o.PID, o.InnerPID, o.Comm = 4100, 4100, "sh"
	o.NSInodes = map[string]uint64{}
	for k, v := range hostObserved().NSInodes {
		o.NSInodes[k] = v
	}
	return o
}

// afterCommands is the learner's process once the step's commands ran.
func afterCommands(t *testing.T, key string) isolate.Observed {
	o := untouched()
	own := func(kind string) { o.NSInodes[kind] = 900 }
	switch key {
	case "namespaces/pid":
		own("pid")
		o.InnerPID = 1
	case "namespaces/net":
		own("net")
		o.Interfaces = []isolate.Interface{{Name: "lo"}}
	case "namespaces/mnt":
		own("mnt")
		o.Mounts = append(o.Mounts, "/mnt tmpfs learner")
	case "namespaces/uts":
		own("uts")
		o.Hostname = "learner"
	case "namespaces/ipc":
		own("ipc")
		o.IPC.Queues = 1
	case "namespaces/user":
		own("user")
		o.UIDMap = "0 65534 1"
	case "namespaces/cgroup":
		own("cgroup")
	case "namespaces/time":
		own("time")
		o.BoottimeOffset = timeOffset
	case "cgroups/memory":
		o.CgroupPath, o.Limits.MemoryMax = "/learner", 64<<20
	case "cgroups/pids":
		o.CgroupPath, o.Limits.PidsMax = "/learner", 16
	case "cgroups/cpu":
		o.CgroupPath, o.Limits.CPUQuotaUsec = "/learner", 20000
	case "security/drop-chown", "security/drop-bind", "security/drop-raw":
		c := map[string]string{"security/drop-chown": "cap_chown", "security/drop-bind": "cap_net_bind_service",
			"security/drop-raw": "cap_net_raw"}[key]
		o.CapEff, o.CapBnd = without(allCaps, c), without(allCaps, c)
	case "deeper/nsenter":
		own("uts")
		o.Hostname = "kept-alive"
	case "deeper/userns":
		own("user")
		own("uts")
		o.Hostname = "yes"
	case "deeper/veth":
		own("net")
		o.Comm = "sleep"
		o.Interfaces = []isolate.Interface{{Name: "lo"}, {Name: "eth0", Up: true, Addrs: []string{"10.199.0.2/24"}}}
	case "security/seccomp":
		o.Seccomp = 2
	case "deeper/nnp":
		o.NoNewPrivs = true
	case "byhand/layers":
		o.Mounts = append(o.Mounts, byHandOverlay)
	case "byhand/cgroup":
		o.CgroupPath, o.Limits.PidsMax = "/learner", byHandPids
	case "byhand/enter":
		for _, k := range []string{"mnt", "uts", "ipc", "net", "pid"} {
			own(k)
		}
		o.InnerPID, o.Comm = 1, "sh"
		o.Mounts = []string{"/ overlay learner", "/proc proc proc"}
		o.Limits.PidsMax = byHandPids
		o.CapBnd = without(allCaps, "cap_sys_admin")
	case "cgroups/v2":
		// A hybrid host's v2 group: core files only, after the busy loops.
		o.Unified = isolate.UnifiedGroup{Path: "/learner-4100/leaf", CPUUsageUsec: 3_100_000, CPUSomeUsec: 850_000, MemorySomeUsec: 0, IOSomeUsec: 0}
	case "runtimes/runc", "runtimes/defaults":
		for _, k := range runcNamespaces {
			own(k)
		}
		o.InnerPID, o.Comm, o.Hostname, o.Container = 1, "sh", "runc", "runc "+runcID+"-4100"
		o.CapEff = []string{"cap_kill", "cap_net_bind_service", "cap_audit_write"}
		o.CapBnd = o.CapEff
		o.NoNewPrivs = true
		if key == "runtimes/defaults" {
			o.Seccomp = 2
		}
	default:
		t.Fatalf("no do-it-yourself fixture for %s: add one", key)
	}
	return o
}

// TestDIYChecks: every do-it-yourself check fails before the shell was
// opened, fails on a shell that typed nothing (or only half of it), and
// passes on what the step's commands make.
func TestDIYChecks(t *testing.T) {
	n := 0
	for _, l := range Catalog() {
		for _, s := range l.Steps {
			if s.DIY == nil {
				continue
			}
			n++
			key := l.ID + "/" + s.ID
			t.Run(key, func(t *testing.T) {
				if len(s.DIY.Commands) == 0 || s.DIY.Hint == "" || s.DIY.Check == nil {
					t.Fatal("a do-it-yourself path needs commands, a hint and a check")
				}
				if r := s.EvaluateDIY(State{}); r.Passed || r.Missing == "" {
					t.Errorf("passes before the shell was opened: %+v", r)
				}
				host := hostObserved()
				for name, procs := range map[string][]isolate.Observed{
					"no process": nil, "untouched shell": {untouched()},
				} {
					r := s.EvaluateDIY(State{Shell: &isolate.ShellTrace{Host: host, Procs: procs}})
					if r.Passed || r.Missing == "" || r.Hint != s.DIY.Hint {
						t.Errorf("%s: want a failure with what is missing and the hint, got %+v", name, r)
					}
				}
				tr := &isolate.ShellTrace{Host: host, Procs: append([]isolate.Observed{untouched()}, afterCommandsAll(t, key)...),
					HostNet: afterHostNet(key)}
				if r := s.EvaluateDIY(State{Shell: tr}); !r.Passed {
					t.Errorf("fails after the commands: %s", r.Missing)
				}
				// The demo child's state never counts for this path.
				if r := s.EvaluateDIY(State{Child: isolatedChild(s.ID), Shell: &isolate.ShellTrace{Host: host}}); r.Passed {
					t.Error("passes on the demo child's state alone")
				}
			})
		}
	}
	if n < 14 {
		t.Errorf("only %d steps have a do-it-yourself path; every namespace, cgroup limit and capability drop needs one", n)
	}
}

// TestDIYCommandsInText: the commands a step checks are the ones its text
// tells the learner to type, in a fenced block, in order.
func TestDIYCommandsInText(t *testing.T) {
	for _, l := range Catalog() {
		for _, s := range l.Steps {
			if s.DIY == nil {
				continue
			}
			body, err := s.Body()
			if err != nil {
				t.Fatal(err)
			}
			_, after, ok := strings.Cut(body, "## Do it yourself")
			if !ok {
				t.Errorf("%s/%s: the text has no 'Do it yourself' section", l.ID, s.ID)
				continue
			}
			block := fencedBlocks(after)
			if len(block) == 0 || !slices.Equal(block[0], s.DIY.Commands) {
				t.Errorf("%s/%s: the text's block %q is not the step's commands %q", l.ID, s.ID, block, s.DIY.Commands)
			}
		}
	}
}

// fencedBlocks returns the lines of each ``` block in md.
func fencedBlocks(md string) [][]string {
	var out [][]string
	var cur []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			if in {
				out = append(out, cur)
				cur = nil
			}
			in = !in
			continue
		}
		if in {
			cur = append(cur, line)
		}
	}
	return out
}

// afterHostNet is what the host's network showed while the step's commands
// ran (gathered over the shell's readings).
func afterHostNet(key string) isolate.HostNet {
	bridge := []isolate.Interface{
		{Name: "eth0", Up: true, Kind: "device", Addrs: []string{"192.0.2.10/24"}},
		{Name: "pbxbr0", Up: true, Kind: "bridge", Addrs: []string{"10.199.1.1/24"}},
		{Name: "pbxveth0", Up: true, Kind: "veth", Master: "pbxbr0"},
	}
	switch key {
	case "deeper/bridge":
		return isolate.HostNet{Links: bridge}
	case "deeper/nat":
		return isolate.HostNet{
			Links:      append(bridge, isolate.Interface{Name: "pbxout0", Up: true, Kind: "veth", Addrs: []string{"10.199.2.1/24"}}),
			Forwarding: true,
			NAT: []string{
				"-A PREROUTING -i pbxout0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.199.1.2:80",
				"-A POSTROUTING -s 10.199.1.0/24 ! -o pbxbr0 -j MASQUERADE",
			},
		}
	}
	return isolate.HostNet{}
}

// afterCommandsAll is every process the step's commands leave: one, except
// where the effect takes two (a PID 1 that never reaps, and its zombie).
func afterCommandsAll(t *testing.T, key string) []isolate.Observed {
	switch key {
	case "deeper/bridge":
		// The sleep holding the container's namespace: a default route via
		// the bridge, and the echo connection in TIME_WAIT.
		child := untouched()
		child.PID, child.Comm = 4400, "sleep"
		child.NSInodes["net"] = 900
		child.Interfaces = []isolate.Interface{{Name: "lo"}, {Name: "eth0", Up: true, Kind: "veth", Addrs: []string{"10.199.1.2/24"}}}
		child.Routes = []isolate.Route{{Dst: "default", Via: "10.199.1.1", Dev: "eth0"}, {Dst: "10.199.1.0/24", Dev: "eth0"}}
		child.Conns = []isolate.Conn{{Local: "10.199.1.2:41234", Remote: "10.199.1.1:8000", State: "TIME_WAIT"}}
		return []isolate.Observed{child}
	case "deeper/nat":
		child := untouched()
		child.PID, child.Comm = 4500, "sleep"
		child.NSInodes["net"] = 900
		child.Routes = []isolate.Route{{Dst: "default", Via: "10.199.1.1", Dev: "eth0"}}
		child.Conns = []isolate.Conn{
			{Local: "10.199.1.2:80", Remote: "10.199.2.2:52200", State: "TIME_WAIT"},
			{Local: "10.199.1.2:41000", Remote: "10.199.2.2:9000", State: "TIME_WAIT"},
		}
		outside := untouched()
		outside.PID, outside.Comm = 4501, "sleep"
		outside.NSInodes["net"] = 901
		outside.Conns = []isolate.Conn{{Local: "10.199.2.2:9000", Remote: "10.199.2.1:51010", State: "TIME_WAIT"}}
		return []isolate.Observed{child, outside}
	}
	if key == "deeper/reap" {
		init := untouched()
		init.PID, init.InnerPID, init.Comm, init.State = 4300, 1, "sleep", "S"
		init.NSInodes["pid"] = 900
		zombie := untouched()
		zombie.PID, zombie.Comm, zombie.State = 4301, "sleep", "Z"
		zombie.NSInodes = map[string]uint64{} // a zombie's namespaces cannot be read
		return []isolate.Observed{init, zombie}
	}
	return []isolate.Observed{afterCommands(t, key)}
}

// TestDIYExitsReachProcbox: typed as printed, a step's lines bring the
// learner back to procbox. Each line that opens a shell of its own (unshare
// … sh, nsenter … sh, setpriv … bash) needs its exit, and the learner's own
// shell one more; an exec replaces its shell and needs none. One exit short
// and the learner, having typed everything, is left at a prompt.
func TestDIYExitsReachProcbox(t *testing.T) {
	opensShell := func(line string) bool {
		if strings.HasPrefix(line, "exec ") {
			return false
		}
		if strings.HasPrefix(line, "capsh ") && strings.HasSuffix(line, " --") {
			return true // capsh runs bash when nothing follows --
		}
		if strings.HasPrefix(line, "runc run ") && !strings.Contains(line, " -d") {
			return true // runc spec's process is sh, on the terminal
		}
		for _, sh := range []string{" sh", " bash", " sh +m"} {
			if strings.HasSuffix(line, sh) {
				return true
			}
		}
		return false
	}
	for _, l := range Catalog() {
		for _, s := range l.Steps {
			if s.DIY == nil {
				continue
			}
			shells, exits := 1, 0
			for _, line := range s.DIY.Commands {
				if opensShell(line) {
					shells++
				}
				if line == "exit" {
					exits++
				}
			}
			if exits != shells {
				t.Errorf("%s/%s: %d shells open and %d exits: %q", l.ID, s.ID, shells, exits, s.DIY.Commands)
			}
			background, killed := false, false
			for _, line := range s.DIY.Commands {
				// A job left in the background ("cmd &", "cmd & sleep 1").
				background = background || strings.HasSuffix(line, " &") || strings.Contains(line, " & sleep ")
				killed = killed || strings.HasPrefix(line, "kill ")
			}
			if background && !killed {
				t.Errorf("%s/%s: a job started in the background is never killed: it outlives the learner's shell", l.ID, s.ID)
			}
			if last := s.DIY.Commands[len(s.DIY.Commands)-1]; last != "exit" {
				t.Errorf("%s/%s: the last line is %q, not the exit back to procbox", l.ID, s.ID, last)
			}
		}
	}
}
