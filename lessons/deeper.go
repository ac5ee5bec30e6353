package lessons

import (
	"slices"
	"strings"

	"procbox/isolate"
)

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

// The addresses of the network steps (all in isolate.LessonAddrPrefix, so
// procbox's cleanup knows the rules that name them for the lesson's).
const (
	netGateway  = "10.199.1.1" // pbxbr0, the bridge: the container's gateway
	netChild    = "10.199.1.2" // eth0 in the container
	netHostOut  = "10.199.2.1" // pbxout0: the host seen from "outside"
	netOutside  = "10.199.2.2" // eth0 in the outside namespace
	netChildNet = "10.199.1.0/24"
)

// hostBridges maps each address a bridge on the host held while the shell
// ran to the bridge's name.
func hostBridges(hn isolate.HostNet) map[string]string {
	out := map[string]string{}
	for _, l := range hn.Links {
		if l.Kind != "bridge" {
			continue
		}
		for _, a := range l.Addrs {
			ip, _, _ := strings.Cut(a, "/")
			out[ip] = l.Name
		}
	}
	return out
}

// plugged reports whether some host link has bridge br as its master.
func plugged(hn isolate.HostNet, br string) bool {
	return slices.ContainsFunc(hn.Links, func(l isolate.Interface) bool { return l.Master == br })
}

// defaultVia is the gateway of p's default route, "" without one.
func defaultVia(p isolate.Observed) string {
	for _, r := range p.Routes {
		if r.Dst == "default" && r.Via != "" {
			return r.Via
		}
	}
	return ""
}

// hostPort splits "10.199.1.2:80" into its address and port.
func hostPort(a string) (string, string) {
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return a, ""
	}
	return a[:i], a[i+1:]
}

// connected returns the first TCP socket of p's namespace that got past the
// handshake with local and remote matching: each "ADDR:PORT", "ADDR" or
// ":PORT", "" for any.
func connected(p isolate.Observed, local, remote string) (isolate.Conn, bool) {
	match := func(have, want string) bool {
		if want == "" {
			return true
		}
		h, hp := hostPort(have)
		w, wp := hostPort(want)
		return (w == "" || w == h) && (wp == "" || wp == hp)
	}
	for _, c := range p.Conns {
		if c.Connected() && match(c.Local, local) && match(c.Remote, remote) {
			return c, true
		}
	}
	return isolate.Conn{}, false
}

// bridgeReached passes when a learner's process has a network namespace of
// its own whose default route goes via an address a bridge on the host held,
// with a link plugged into that bridge, and a TCP connection from that
// namespace to that address got through.
func bridgeReached(s State) Result {
	var hn isolate.HostNet
	if s.Shell != nil {
		hn = s.Shell.HostNet
	}
	bridges := hostBridges(hn)
	return shellProc("its own network namespace routed through a bridge on the host, and a connection to it", func(host, p isolate.Observed) string {
		if r := ownNS(isolate.NSNet, host, p); r != "" {
			return r
		}
		gw := defaultVia(p)
		if gw == "" {
			return p.Comm + "'s network namespace has no default route"
		}
		br, ok := bridges[gw]
		if !ok {
			return p.Comm + "'s default route goes via " + gw + ", which no bridge on the host holds"
		}
		if !plugged(hn, br) {
			return "no link on the host is plugged into " + br + " (ip link set … master " + br + ")"
		}
		if _, ok := connected(p, "", gw); !ok {
			return "no TCP connection from " + p.Comm + "'s namespace to the host at " + gw + " got through"
		}
		return ""
	})(s)
}

// natRule reports whether the host's nat table held a rule with every
// word of want in it.
func natRule(hn isolate.HostNet, want ...string) bool {
	return slices.ContainsFunc(hn.NAT, func(r string) bool {
		f := " " + r + " "
		for _, w := range want {
			if !strings.Contains(f, " "+w+" ") {
				return false
			}
		}
		return true
	})
}

// natPublished passes when the host masqueraded the container's connection
// to the outside namespace (the outside saw the host's address) and a DNAT
// rule carried the outside's connection to a host port into the container.
func natPublished(s State) Result {
	if s.Shell == nil {
		return missing("you have not opened the shell yet: press s")
	}
	hn := s.Shell.HostNet
	switch {
	case !natRule(hn, "POSTROUTING", "-s", netChildNet, "MASQUERADE"):
		if len(hn.NAT) == 0 {
			return missing("the host's nat table never had a rule while your namespaces lived (is iptables installed?)")
		}
		return missing("the host's nat table never had a MASQUERADE rule for %s in POSTROUTING", netChildNet)
	case !natRule(hn, "PREROUTING", "--dport", "8080", "DNAT", "--to-destination", netChild+":80"):
		return missing("the host's nat table never had the DNAT rule from port 8080 to %s:80 in PREROUTING", netChild)
	case !hn.Forwarding:
		return missing("the host never forwarded: net.ipv4.ip_forward stayed 0")
	}
	masq, port := "", ""
	for _, p := range s.Shell.Procs {
		if ownNS(isolate.NSNet, s.Shell.Host, p) != "" {
			continue
		}
		// The connection to the outside, seen from either end (the side
		// that closed first keeps it in TIME_WAIT).
		if c, ok := connected(p, netOutside+":9000", ""); ok {
			if h, _ := hostPort(c.Remote); h != netHostOut {
				return missing("the outside saw the connection come from %s, not from the host's %s: no masquerade", h, netHostOut)
			}
			masq = "ok"
		}
		if _, ok := connected(p, netChild, netOutside+":9000"); ok {
			masq = "ok"
		}
		// The published port, seen from either end.
		if _, ok := connected(p, netChild+":80", netOutside); ok {
			port = "ok"
		}
		if _, ok := connected(p, netOutside, netHostOut+":8080"); ok {
			port = "ok"
		}
	}
	if masq == "" {
		return missing("no connection from the container to the outside's port 9000 got through")
	}
	if port == "" {
		return missing("no connection from the outside to the host's port 8080 reached the container's port 80")
	}
	return pass()
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

// deeperLesson: joining namespaces, root and user namespaces, veth, a bridge
// and NAT, no_new_privs, reaping.
func deeperLesson() Lesson {
	return Lesson{
		ID:      "deeper",
		Title:   "Going deeper: exec, root, cables, NAT, privileges, zombies",
		Minutes: 59,
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
				"ip link add pbxveth0 type veth peer name eth0 netns $!",
				"ip addr add 10.199.0.1/24 dev pbxveth0; ip link set pbxveth0 up",
				"nsenter -t $! -n sh -c 'ip addr add 10.199.0.2/24 dev eth0; ip link set eth0 up; ip -br addr'",
				"kill %1",
				"exit"),
			deeperStep("bridge", "A bridge on the host: the container reaches it", bridgeReached,
				"Press s: a sleep in a new net namespace, the bridge pbxbr0 with 10.199.1.1, the veth's host end plugged into it, a default route inside via 10.199.1.1, then nc from inside to the host's echo server.",
				"docker0 is this bridge; every container's host end is a port of it. Point at TIME-WAIT in ss: the connection happened.",
				"unshare --net sleep 300 & P=$!; sleep 1",
				"ip link add pbxbr0 type bridge && ip addr add 10.199.1.1/24 dev pbxbr0 && ip link set pbxbr0 up",
				"ip link add pbxveth0 type veth peer name eth0 netns $P && ip link set pbxveth0 master pbxbr0 up",
				"nsenter -t $P -n sh -c 'ip addr add 10.199.1.2/24 dev eth0; ip link set eth0 up; ip route add default via 10.199.1.1'",
				"busybox nc -l -p 8000 -e cat & sleep 1",
				"echo hello from the container | nsenter -t $P -n busybox nc -w 5 10.199.1.1 8000",
				"nsenter -t $P -n ss -tan",
				"kill $P; ip link del pbxbr0",
				"exit"),
			deeperStep("nat", "NAT: out through the host's address, and a published port", natPublished,
				"Press s and type the block: the bridge again, an outside namespace on pbxout0, ip_forward, the MASQUERADE rule, nc out; then the DNAT rule, nc in.",
				"Ask what the outside would see without the MASQUERADE line: 10.199.1.2, which it cannot answer. docker-proxy is for localhost, where PREROUTING is never passed.",
				"unshare --net sleep 300 & P=$!; unshare --net sleep 300 & O=$!; sleep 1",
				"ip link add pbxbr0 type bridge && ip addr add 10.199.1.1/24 dev pbxbr0 && ip link set pbxbr0 up",
				"ip link add pbxveth0 type veth peer name eth0 netns $P && ip link set pbxveth0 master pbxbr0 up",
				"nsenter -t $P -n sh -c 'ip addr add 10.199.1.2/24 dev eth0; ip link set eth0 up; ip route add default via 10.199.1.1'",
				"ip link add pbxout0 type veth peer name eth0 netns $O && ip addr add 10.199.2.1/24 dev pbxout0 && ip link set pbxout0 up",
				"nsenter -t $O -n sh -c 'ip addr add 10.199.2.2/24 dev eth0; ip link set eth0 up'",
				"F=$(sysctl -n net.ipv4.ip_forward); sysctl -w net.ipv4.ip_forward=1",
				"iptables -t nat -A POSTROUTING -s 10.199.1.0/24 ! -o pbxbr0 -j MASQUERADE",
				"nsenter -t $O -n busybox nc -l -p 9000 -e ss -tn & sleep 1",
				"nsenter -t $P -n busybox nc -w 5 10.199.2.2 9000 </dev/null",
				"iptables -t nat -A PREROUTING -i pbxout0 -p tcp --dport 8080 -j DNAT --to-destination 10.199.1.2:80",
				"nsenter -t $P -n busybox nc -l -p 80 -e ss -tn & sleep 1",
				"nsenter -t $O -n busybox nc -w 5 10.199.2.1 8080 </dev/null",
				"kill $P $O; ip link del pbxbr0; ip link del pbxout0",
				"iptables -t nat -D POSTROUTING -s 10.199.1.0/24 ! -o pbxbr0 -j MASQUERADE",
				"iptables -t nat -D PREROUTING -i pbxout0 -p tcp --dport 8080 -j DNAT --to-destination 10.199.1.2:80",
				"sysctl -w net.ipv4.ip_forward=$F",
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
				Prompt:  "A container on Docker's default bridge connects to a server on the internet. Which source address does the server see?",
				Choices: []string{"The container's own private address", "The bridge's address, the container's gateway", "The host's address on the link the packet leaves through", "None: the kernel hides it"},
				Answer:  2,
				Needs:   []string{"bridge", "source"},
				Explain: "A MASQUERADE rule in the nat table's POSTROUTING chain rewrites the source to the outgoing link's address; connection tracking undoes it on the replies.",
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
