package isolate

// The deeper lesson's network steps have the learner build, by hand and on
// the host, what Docker builds for its default bridge: a bridge, veth
// pairs, ip_forward on, a MASQUERADE and a DNAT rule. Those are host state
// the learner's shell makes, not procbox: procbox takes them away again when
// the shell ends (LessonNet.Clean), and a sweep does it for a procbox that
// died with its learner's shell open. What is the lesson's is known by name
// and address, so nothing else on the host is ever touched.

import (
	"slices"
	"strings"
)

// LessonLinks are the host links the network steps tell the learner to make.
// "pbx" and no pid: they are never taken for a veth of procbox's own.
var LessonLinks = []string{"pbxbr0", "pbxveth0", "pbxout0"}

// LessonAddrPrefix starts every address the network steps use
// (10.199.0.0/16): a nat rule that names one is the lesson's.
const LessonAddrPrefix = "10.199."

// OwnLessonNet is the lock-file entry of a learner's shell that may build the
// lesson's network; its value is "ip_forward=V", the value before the shell,
// and " nat=new" when the nf_tables nat table did not exist then.
const OwnLessonNet = "lesson-net"

// lessonRule reports whether a rule line of `iptables -t nat -S` is one the
// lesson's commands make: an appended rule naming a lesson address or link.
// A quoted argument (a comment) is never the lesson's, and a rule the
// cleanup could not split back into arguments is left alone.
func lessonRule(line string) bool {
	if !strings.HasPrefix(line, "-A ") || strings.ContainsAny(line, "\"'\\") {
		return false
	}
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, LessonAddrPrefix) || slices.Contains(LessonLinks, f) {
			return true
		}
	}
	return false
}
