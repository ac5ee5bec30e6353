package isolate

// Reading the host's nat table and taking the lesson's network apart again.
// The nat table is read and changed with iptables(8) itself (on Debian 12
// the nf_tables backend), exactly as the learner does: procbox speaks no
// nftables netlink of its own, and a host without iptables has no rule the
// learner could have made with it.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"procbox/internal/termtext"
)

// ipForwardFile is net.ipv4.ip_forward of procbox's own network namespace.
const ipForwardFile = "/proc/sys/net/ipv4/ip_forward"

// iptables runs iptables with args and a bound on its time.
func iptables(args ...string) (string, error) {
	path, err := exec.LookPath("iptables")
	if err != nil {
		return "", errors.New("iptables is not installed here")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("iptables %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// iptablesNFT reports whether iptables writes nf_tables rules (`iptables -V`
// says "nf_tables"), not the legacy tables.
func iptablesNFT() bool {
	out, err := iptables("-V")
	return err == nil && strings.Contains(out, "nf_tables")
}

// NATRules lists the rules of the host's nat table as `iptables -t nat -S`
// prints them, less the chains' policies (-P lines).
func NATRules() ([]string, error) {
	out, err := iptables("-t", "nat", "-S")
	if err != nil {
		return nil, err
	}
	var rules []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-P ") {
			rules = append(rules, termtext.Printable(line))
		}
	}
	return rules, nil
}

// LessonNet guards a learner's shell that may build the lesson's network:
// what ip_forward and the nat table were before it. It is written into the
// lock file (Claim) once the shell shows it is building a network (one of
// its processes has a network namespace of its own), so a learner's shell
// that never does so never claims, nor cleans, the lesson's names.
type LessonNet struct {
	mu      sync.Mutex
	value   string // "ip_forward=V[ nat=new]"
	forward string
	natNew  bool // the nf_tables nat table did not exist before the shell
	active  bool // the learner built a network namespace: Clean cleans
	claimed bool // and the lock file says so (a sweep cleans after a crash)
	// hostHad is what of the lesson's shape (links by name, nat rules
	// naming a lesson address or link) the host had before the shell, when
	// no other learner was building the network: the host's own, which
	// Clean keeps. A sweep after a crash cannot know it (the lock file
	// holds only ip_forward and the nat table).
	hostHad map[string]bool
}

// WatchLessonNet records ip_forward and whether the nat table exists, before
// the learner's shell runs. Only root can make the lesson's network: for
// anyone else it returns nil, and every method on nil does nothing.
func WatchLessonNet() *LessonNet {
	if os.Geteuid() != 0 {
		return nil
	}
	b, err := os.ReadFile(ipForwardFile)
	if err != nil {
		return nil // no IPv4 here: nothing the lesson's commands could change
	}
	n := &LessonNet{forward: strings.TrimSpace(string(b))}
	n.value = "ip_forward=" + n.forward
	if iptablesNFT() {
		if exists, err := natTableExists(); err == nil && !exists {
			n.natNew = true
			n.value += " nat=new"
		}
	}
	// Another learner on this host is building the lesson's network now:
	// what the host was before is what that one recorded, not what its
	// commands have made of it since.
	if v, ok := otherLessonNet(); ok {
		if forward, natNew, ok := parseLessonNet(v); ok {
			n.forward, n.natNew, n.value = forward, natNew, v
		}
		return n
	}
	n.hostHad = map[string]bool{}
	for _, l := range LessonLinks {
		if _, err := net.InterfaceByName(l); err == nil {
			n.hostHad["link "+l] = true
		}
	}
	if rules, err := NATRules(); err == nil {
		for _, r := range rules {
			if lessonRule(r) {
				n.hostHad["rule "+r] = true
			}
		}
	}
	return n
}

// parseLessonNet reads an OwnLessonNet value: "ip_forward=V[ nat=new]".
func parseLessonNet(v string) (forward string, natNew, ok bool) {
	f := strings.Fields(v)
	if len(f) == 0 || len(f) > 2 || (len(f) == 2 && f[1] != "nat=new") {
		return "", false, false
	}
	forward, ok = strings.CutPrefix(f[0], "ip_forward=")
	if !ok || (forward != "0" && forward != "1") {
		return "", false, false
	}
	return forward, len(f) == 2, true
}

// Claim marks the guard active and writes it into the lock file (once):
// from now on Clean undoes the lesson's network, and a sweep does if this
// procbox dies. A lock file that cannot be written (a read-only
// /run/procbox) costs only the sweep; it is tried once.
func (n *LessonNet) Claim() error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.active {
		return nil
	}
	n.active = true
	if err := Claim(OwnLessonNet, n.value); err != nil {
		return err
	}
	n.claimed = true
	return nil
}

// Clean removes what the learner's shell left of the lesson's network (the
// links by name, the nat rules naming a lesson address or link, the nat
// table the lesson's first rule made), puts ip_forward back, and forgets the
// claim. It returns what it undid, in the words of the command that would
// undo it by hand. A shell that never claimed has nothing to undo; while
// another live procbox's learner also builds the lesson's network (the names
// are the same for every learner on a host), the last one out cleans.
func (n *LessonNet) Clean() ([]string, error) {
	if n == nil {
		return nil, nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.active {
		return nil, nil
	}
	unclaim := func() {
		if n.claimed {
			Unclaim(OwnLessonNet, n.value)
		}
		n.active, n.claimed = false, false
	}
	if _, busy := otherLessonNet(); busy {
		unclaim()
		return []string{"nothing yet: another procbox's learner is building the lesson's network now, and the last one out cleans"}, nil
	}
	done, err := cleanLessonNet(n.forward, n.natNew, n.hostHad)
	if err == nil {
		unclaim()
	}
	return done, err
}

// LessonNetInUse reports whether a live procbox other than this one has a
// learner's shell building the lesson's network on this host now.
func LessonNetInUse() bool {
	_, busy := otherLessonNet()
	return busy
}

// otherLessonNet returns the lesson-net claim of a live procbox other than
// this one, if there is one: a lock file it cannot lock that lists one.
func otherLessonNet() (string, bool) {
	mine := ""
	owner.mu.Lock()
	if owner.f != nil {
		mine = owner.f.Name()
	}
	owner.mu.Unlock()
	files, _ := filepath.Glob(filepath.Join(OwnerDir(), "*.lock"))
	for _, p := range files {
		if p == mine {
			continue
		}
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		f := os.NewFile(uintptr(fd), p)
		if unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB) == nil {
			f.Close() // lockable: its owner is dead, a sweep's business
			continue
		}
		items := readOwned(f)
		f.Close()
		for _, it := range items {
			if it.kind == OwnLessonNet {
				return it.value, true
			}
		}
	}
	return "", false
}

// cleanLessonNet does the work of Clean, for the shell's own procbox or for a
// sweep of a dead one (forward is the value to restore: "0" or "1"; natNew:
// the nat table is the lesson's own, made by its first rule; keep: what the
// host had of the lesson's shape before, "link NAME" and "rule LINE").
func cleanLessonNet(forward string, natNew bool, keep map[string]bool) ([]string, error) {
	var done []string
	var errs []error
	for _, l := range LessonLinks {
		if keep["link "+l] {
			done = append(done, "kept "+l+": the host had it before the shell")
			continue
		}
		deleted, err := vethDelete(l) // any kind of link: a bridge too
		if err != nil {
			errs = append(errs, err)
		} else if deleted {
			done = append(done, "ip link del "+l)
		}
	}
	if rules, err := NATRules(); err == nil {
		for _, r := range rules {
			if !lessonRule(r) || keep["rule "+r] {
				continue
			}
			args := append([]string{"-t", "nat", "-D"}, strings.Fields(r)[1:]...)
			if _, err := iptables(args...); err != nil {
				errs = append(errs, err)
				continue
			}
			done = append(done, "iptables "+strings.Join(args, " "))
		}
	}
	if natNew {
		// Only an empty table goes: a rule or chain of anyone else keeps it.
		if rules, err := NATRules(); err == nil && len(rules) == 0 {
			if exists, err := natTableExists(); err == nil && exists {
				if err := deleteNATTable(); err != nil {
					errs = append(errs, fmt.Errorf("cannot delete the empty nat table: %w", err))
				} else {
					done = append(done, "nft delete table ip nat")
				}
			}
		}
	}
	if forward == "0" || forward == "1" {
		b, err := os.ReadFile(ipForwardFile)
		if err != nil {
			errs = append(errs, err)
		} else if strings.TrimSpace(string(b)) != forward {
			if err := os.WriteFile(ipForwardFile, []byte(forward+"\n"), 0o644); err != nil {
				errs = append(errs, fmt.Errorf("cannot put net.ipv4.ip_forward back to %s: %w", forward, err))
			} else {
				done = append(done, "sysctl -w net.ipv4.ip_forward="+forward)
			}
		}
	}
	return done, errors.Join(errs...)
}

// sweepLessonNet cleans up after a dead procbox whose learner's shell could
// build the lesson's network (the value of its OwnLessonNet entry).
func sweepLessonNet(value string) (string, error) {
	forward, natNew, ok := parseLessonNet(value)
	if !ok {
		return "", nil // not procbox's shape: a forged entry, ignored
	}
	done, err := cleanLessonNet(forward, natNew, nil)
	if err != nil || len(done) == 0 {
		return "", err
	}
	return "the lesson's network (" + strings.Join(done, "; ") + ")", nil
}
