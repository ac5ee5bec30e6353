package isolate

// Telling the child's own processes from foreign ones in its cgroup. A root
// child can write any PID into its cgroup.procs; if cleanup killed whatever
// the cgroup held, the child could have procbox kill a process it may not
// signal itself (cleanup as a weapon). So cleanup kills only what it can
// prove descends from the child and moves anything else back out.

import (
	"os"
	"strconv"
)

// treeProof is what proves a process belongs to the child's tree.
type treeProof struct {
	// child and childStart identify the child itself (0 when it is gone):
	// a process whose parent chain reaches it descends from it.
	child      int
	childStart uint64
	// pidNS is the child's own pid namespace (0 when it shares procbox's):
	// only the child's descendants can be in it.
	pidNS uint64
	// sessions the child led (it is started with setsid). Only its
	// descendants can be members: setsid(2) makes a new session and
	// setpgid(2) cannot cross sessions, and a session's id stays taken while
	// any member lives, so it cannot be reused by a foreign process then.
	sessions []sessionProof
	// reaper is procbox's own PID when procbox is the subreaper of a tree
	// whose only other root is the child (procbox run): the child's orphans
	// are reparented to it once the child is gone, so a chain that reaches it
	// is the child's too. 0 in the Lab, where procbox has other children.
	reaper int
}

type sessionProof struct {
	sid   int
	start uint64 // the leader's start time, to tell a reused PID when the leader lives
}

// newTreeProof reads what proves the tree of a just-started child.
func newTreeProof(child int) *treeProof {
	st, err := readProcStat(child)
	if err != nil {
		return nil
	}
	p := &treeProof{child: child, childStart: st.start}
	if ns := pidNSInode(child); ns != 0 && ns != pidNSInode(os.Getpid()) {
		p.pidNS = ns
	}
	if st.session == child {
		p.sessions = []sessionProof{{sid: child, start: st.start}}
	}
	return p
}

// record is the lock-file line that lets a sweep use the session proof
// after procbox died ("SID PIDNS-OF-PROCBOX START").
func (p *treeProof) record() string {
	if p == nil || len(p.sessions) == 0 {
		return ""
	}
	s := p.sessions[0]
	return strconv.Itoa(s.sid) + " " + strconv.FormatUint(pidNSInode(os.Getpid()), 10) + " " + strconv.FormatUint(s.start, 10)
}

// ours reports whether pid provably belongs to the child's tree. Without a
// proof (nil) nothing does.
func (p *treeProof) ours(pid int) bool {
	if p == nil {
		return false
	}
	if p.pidNS != 0 && pidNSInode(pid) == p.pidNS {
		return true
	}
	st, err := readProcStat(pid)
	if err != nil {
		return false
	}
	if pid == p.child && st.start == p.childStart {
		return true
	}
	for _, s := range p.sessions {
		if st.session != s.sid {
			continue
		}
		// While the leader lives, its start time must match; once it is
		// gone its id stays reserved by the members that remain.
		if leader, err := readProcStat(s.sid); err == nil && leader.start != s.start {
			continue
		}
		return true
	}
	if p.child <= 0 {
		return false
	}
	// The parent chain, bounded (a chain is never longer than the PIDs alive).
	cur := st
	for range 4096 {
		if cur.ppid == p.child {
			parent, err := readProcStat(p.child)
			return err == nil && parent.start == p.childStart
		}
		if p.reaper > 0 && cur.ppid == p.reaper {
			return true
		}
		if cur.ppid <= 1 {
			return false
		}
		next, err := readProcStat(cur.ppid)
		if err != nil {
			return false
		}
		cur = next
	}
	return false
}
