package isolate

// Where procbox's cgroups go: below the caller's own cgroup in each
// hierarchy, so every limit the caller is under (a 32 MiB session, a
// container's pids.max) also holds for the child. A cgroup made at the root
// of a hierarchy would have escaped them all. See cgroups(7), "Cgroups
// version 2 'no internal processes' rule".

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// callerCgroups maps each v1 controller, and "" for the unified hierarchy,
// to the caller's cgroup path as /proc/self/cgroup gives it ("/user.slice/…").
// A fixture layout reads its selfCgroup text instead, "/" everywhere without one.
func (l CgroupLayout) callerCgroups() (map[string]string, error) {
	text := l.selfCgroup
	if text == "" && !l.fixture {
		b, err := cgroupRead("/proc/self/cgroup")
		if err != nil {
			return nil, fmt.Errorf("cannot read /proc/self/cgroup: %w", err)
		}
		text = string(b)
	}
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		p := f[2]
		if !strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") {
			// Outside our cgroup namespace's root: the path cannot be followed
			// from this mount.
			return nil, fmt.Errorf("this process's cgroup %q is outside the cgroup namespace it sees; procbox cannot place a child below it", p)
		}
		if f[1] == "" {
			out[""] = p
			continue
		}
		for _, ctrl := range strings.Split(f[1], ",") {
			out[ctrl] = p
		}
	}
	return out, nil
}

// v1Parent is the directory of the caller's cgroup in the hierarchy of ctrl.
func (l CgroupLayout) v1Parent(ctrl string) (string, error) {
	mount := l.V1[ctrl]
	if mount == "" {
		return "", fmt.Errorf("cgroup v1 %s controller not mounted under %s", ctrl, l.Root)
	}
	self, err := l.callerCgroups()
	if err != nil {
		return "", err
	}
	p, ok := self[ctrl]
	if !ok {
		p = "/" // a fixture without selfCgroup, or a kernel that does not list it
	}
	dir := filepath.Join(mount, p)
	if !cgroupFileExists(dir) {
		return "", fmt.Errorf("this process's %s cgroup %s is not visible under %s (another mount or cgroup namespace?)", ctrl, p, mount)
	}
	return dir, nil
}

// v2Parent finds where on a v2 host procbox's cgroup can go: the caller's own
// cgroup if it can hand the controllers to a child, else the nearest ancestor
// that can — but only when no cgroup skipped on the way limits any of them,
// or the child would escape that limit. A cgroup holding processes (the
// caller's, usually) cannot give controllers to children (EBUSY, the "no
// internal processes" rule), so this walk is the common case outside a
// delegated subtree. The root is exempt from the rule. It returns the
// directory and, when controllers must be switched on there, the
// cgroup.subtree_control step (written unless plan).
func (c *Cgroup) v2Parent() (string, []Step, error) {
	root := c.layout.Unified
	self, err := c.layout.callerCgroups()
	if err != nil {
		return "", nil, err
	}
	p, ok := self[""]
	if !ok {
		p = "/"
	}
	dir := filepath.Join(root, p)
	if !cgroupFileExists(dir) {
		return "", nil, fmt.Errorf("this process's cgroup %s is not visible under %s (another mount or cgroup namespace?)", p, root)
	}
	var skipped []string
	for {
		available := strings.Fields(cgroupReadString(filepath.Join(dir, "cgroup.controllers")))
		enabled := cgroupSubtreeControl(cgroupReadString(filepath.Join(dir, "cgroup.subtree_control")))
		var add []string
		for _, ctrl := range cgroupV2Controllers {
			if cgroupContains(available, ctrl) && !cgroupContains(enabled, ctrl) {
				add = append(add, "+"+ctrl)
			}
		}
		if len(add) == 0 {
			return dir, nil, nil
		}
		var st Step
		if (c.layout.fixture || c.plan) && dir != root && len(parseProcs(cgroupReadString(filepath.Join(dir, "cgroup.procs")))) > 0 {
			// What the kernel answers; a fixture's files would take anything,
			// and a plan writes nothing.
			err = unix.EBUSY
		} else {
			st, err = c.write(filepath.Join(dir, "cgroup.subtree_control"), strings.Join(add, " "),
				"let child cgroups use "+strings.Join(add, " "))
		}
		if err == nil {
			if dir != filepath.Join(root, p) {
				st.What += " (the nearest cgroup above this process's own that holds no processes and limits nothing in between)"
			}
			return dir, []Step{st}, nil
		}
		if !errors.Is(err, unix.EBUSY) || dir == root {
			return "", nil, err
		}
		// Processes live in dir: go one up, if dir itself limits nothing.
		if lim := cgroupV2LimitIn(dir); lim != "" {
			return "", nil, fmt.Errorf("%s holds processes, so it cannot give controllers to a child cgroup (the v2 \"no internal processes\" rule), "+
				"and it sets %s, which a cgroup anywhere else would escape; run procbox from a cgroup delegated to it (systemd-run --scope -p Delegate=yes)", dir, lim)
		}
		skipped = append(skipped, dir)
		dir = filepath.Dir(dir)
		if !strings.HasPrefix(dir, root) {
			return "", nil, fmt.Errorf("no cgroup above %s can hold procbox's child", skipped[0])
		}
	}
}

// cgroupV2LimitIn names a limit set in dir ("memory.max 33554432"), or "".
func cgroupV2LimitIn(dir string) string {
	for _, f := range []string{"memory.max", "memory.high", "pids.max", "cpu.max"} {
		v := strings.TrimSpace(cgroupReadString(filepath.Join(dir, f)))
		if v != "" && v != "max" && !strings.HasPrefix(v, "max ") {
			return f + " " + v
		}
	}
	return ""
}
