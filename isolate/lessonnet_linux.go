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
	"os"
	"os/exec"
	"strings"
	"time"

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

// LessonNet is a learner's shell that may build the lesson's network: what
// ip_forward was before it, recorded in the lock file before the shell runs.
type LessonNet struct {
	claim   string
	forward string
}

// ClaimLessonNet records ip_forward and, in the lock file, that this
// procbox's learner may make the lesson's links and rules. Only root can make
// them: for anyone else it returns nil, and Clean on nil does nothing. When
// the lock file cannot be written the LessonNet still cleans up after the
// shell; only a sweep after a crash would not know of it (the error says so).
func ClaimLessonNet() (*LessonNet, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	n := &LessonNet{}
	b, err := os.ReadFile(ipForwardFile)
	if err != nil {
		return n, fmt.Errorf("cannot read net.ipv4.ip_forward: %w", err)
	}
	n.forward = strings.TrimSpace(string(b))
	claim := "ip_forward=" + n.forward
	if err := Claim(OwnLessonNet, claim); err != nil {
		return n, err
	}
	n.claim = claim
	return n, nil
}

// Clean removes what the learner's shell left of the lesson's network (the
// links by name, the nat rules naming a lesson address or link), puts
// ip_forward back, and forgets the claim. It returns what it undid, in the
// words of the command that would undo it by hand.
func (n *LessonNet) Clean() ([]string, error) {
	if n == nil {
		return nil, nil
	}
	done, err := cleanLessonNet(n.forward)
	if err == nil && n.claim != "" {
		Unclaim(OwnLessonNet, n.claim)
		n.claim = ""
	}
	return done, err
}

// cleanLessonNet does the work of Clean, for the shell's own procbox or for a
// sweep of a dead one (forward is the value to restore: "0" or "1").
func cleanLessonNet(forward string) ([]string, error) {
	var done []string
	var errs []error
	for _, l := range LessonLinks {
		deleted, err := vethDelete(l) // any kind of link: a bridge too
		if err != nil {
			errs = append(errs, err)
		} else if deleted {
			done = append(done, "ip link del "+l)
		}
	}
	if rules, err := NATRules(); err == nil {
		for _, r := range rules {
			if !lessonRule(r) {
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
	forward, ok := strings.CutPrefix(value, "ip_forward=")
	if !ok {
		return "", nil // not procbox's shape: a forged entry, ignored
	}
	done, err := cleanLessonNet(forward)
	if err != nil || len(done) == 0 {
		return "", err
	}
	return "the lesson's network (" + strings.Join(done, "; ") + ")", nil
}
