package inspect

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// isolatedNamespaces lists the namespace kinds (of the eight, not the
// *_for_children links) that differ from the host reference.
func isolatedNamespaces(ns map[string]Namespace) []string {
	out := []string{}
	for _, kind := range NamespaceKinds[:8] {
		if n, ok := ns[kind]; ok && !n.SharedWithHost {
			out = append(out, kind)
		}
	}
	return out
}

// Isolation values of Container.Isolation.
const (
	IsolationHost         = "host"          // shares every namespace with the host reference
	IsolationIsolated     = "isolated"      // at least one namespace differs
	IsolationKernelThread = "kernel_thread" // runs only in the kernel: never a container
	IsolationUnknown      = "unknown"       // the namespaces could not be read (Container.Why says why)
)

// guessRuntime names the container runtime and the container id from the
// cgroup paths of a process. Runtimes leave recognisable names in the cgroup
// tree, in a v1 form (/docker/<id>) and a systemd-driver v2 form
// (docker-<id>.scope). It is a guess: any process can be put in any cgroup.
func guessRuntime(cgs []CgroupMembership) (runtime, id string) {
	// Kubernetes wraps other runtimes, so its marker wins over theirs.
	for _, c := range cgs {
		if rt, id := guessRuntimePath(c.Path); rt == "kubepods" {
			return rt, id
		}
	}
	for _, c := range cgs {
		if rt, id := guessRuntimePath(c.Path); rt != "" {
			return rt, id
		}
	}
	return "", ""
}

// guessRuntimePath is guessRuntime for one cgroup path.
func guessRuntimePath(path string) (runtime, id string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if strings.Contains(path, "kubepods") {
		last := parts[len(parts)-1]
		for _, prefix := range []string{"cri-containerd-", "crio-", "docker-", "cri-o-"} {
			if strings.HasPrefix(last, prefix) && strings.HasSuffix(last, ".scope") {
				return "kubepods", strings.TrimSuffix(strings.TrimPrefix(last, prefix), ".scope")
			}
		}
		// v1: /kubepods/<qos>/pod<uid>/<container-id>
		for i, p := range parts {
			if strings.HasPrefix(p, "pod") && i+1 < len(parts) {
				return "kubepods", parts[len(parts)-1]
			}
		}
		return "kubepods", ""
	}
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "procbox-"):
			return "procbox", p
		case strings.HasPrefix(p, "docker-") && strings.HasSuffix(p, ".scope"):
			return "docker", strings.TrimSuffix(strings.TrimPrefix(p, "docker-"), ".scope")
		case p == "docker" && i+1 < len(parts):
			return "docker", parts[i+1]
		case strings.HasPrefix(p, "libpod-") && strings.HasSuffix(p, ".scope"):
			return "podman", strings.TrimSuffix(strings.TrimPrefix(p, "libpod-"), ".scope")
		case strings.HasPrefix(p, "libpod-"):
			return "podman", strings.TrimPrefix(p, "libpod-")
		case strings.HasPrefix(p, "runc-") && strings.HasSuffix(p, ".scope"):
			// runc and crun with the systemd cgroup driver and no cgroupsPath.
			return "runc", strings.TrimSuffix(strings.TrimPrefix(p, "runc-"), ".scope")
		case strings.HasPrefix(p, "crun-") && strings.HasSuffix(p, ".scope"):
			return "crun", strings.TrimSuffix(strings.TrimPrefix(p, "crun-"), ".scope")
		case strings.HasPrefix(p, "crio-") && strings.HasSuffix(p, ".scope") && !strings.HasPrefix(p, "crio-conmon-"):
			return "cri-o", strings.TrimSuffix(strings.TrimPrefix(p, "crio-"), ".scope")
		case strings.HasPrefix(p, "cri-containerd-") && strings.HasSuffix(p, ".scope"):
			return "containerd", strings.TrimSuffix(strings.TrimPrefix(p, "cri-containerd-"), ".scope")
		case p == "containerd" && i+1 < len(parts):
			return "containerd", parts[len(parts)-1]
		case p == "lxc" && i+1 < len(parts):
			return "lxc", parts[i+1]
		case strings.HasPrefix(p, "lxc.payload.") && len(p) > len("lxc.payload."):
			return "lxc", strings.TrimPrefix(p, "lxc.payload.")
		case p == "lxc.payload" && i+1 < len(parts):
			return "lxc", parts[i+1]
		case p == "machine.slice" && i+1 < len(parts) && strings.HasPrefix(parts[i+1], "machine-") && strings.HasSuffix(parts[i+1], ".scope"):
			name := strings.TrimSuffix(strings.TrimPrefix(parts[i+1], "machine-"), ".scope")
			// systemd escapes "-" in unit names as \x2d.
			return "systemd-nspawn", strings.ReplaceAll(name, `\x2d`, "-")
		}
	}
	return "", ""
}

// identify fills s.Container: the isolation verdict from the namespaces
// (unknown when they could not be read, never "host"), the runtime and id
// from the cgroup paths, and name, image and pod from the runtime's state
// files. Kernel threads are never containers.
func (fs FS) identify(s *Snapshot, nsErr error) {
	c := &s.Container
	c.IsolatedNamespaces = []string{}
	switch {
	case s.KernelThread:
		c.Isolation = IsolationKernelThread
		return
	case len(s.Namespaces) == 0:
		c.Isolation = IsolationUnknown
		c.Why = "namespaces not readable"
		if nsErr != nil {
			c.Why += ": " + reason(nsErr)
		}
	default:
		c.IsolatedNamespaces = isolatedNamespaces(s.Namespaces)
		c.Isolation = IsolationHost
		if len(c.IsolatedNamespaces) > 0 {
			c.Isolation = IsolationIsolated
		}
	}
	c.Runtime, c.ID = guessRuntime(s.Cgroups)
	if c.Isolation == IsolationHost && c.Runtime == "" {
		return
	}
	chain := fs.ancestors(s.PID, s.PPID)
	ix := fs.runtimeIndex()
	if e, ok := ix.match(chain.pids, s.Cgroups, c.ID); ok && c.Runtime != "procbox" {
		c.applyEntry(e)
	} else if c.Runtime == "" && c.Isolation != IsolationHost && chain.bwrap > 0 {
		// bubblewrap makes no cgroup and keeps no state: its own process,
		// the sandbox's parent, is what names it.
		c.Runtime, c.ID = "bwrap", strconv.Itoa(chain.bwrap)
	} else if len(ix.problems) > 0 && c.Runtime != "procbox" {
		s.Errors["container"] = "runtime state not readable, so no name: " + strings.Join(ix.problems, "; ")
	}
}

// applyEntry takes what the runtime's state says over the cgroup path's guess.
func (c *Container) applyEntry(e runtimeEntry) {
	if c.Runtime == "" || c.Runtime == "kubepods" || lowLevel(c.Runtime) || !lowLevel(e.Runtime) {
		c.Runtime = e.Runtime
	}
	c.ID, c.Name, c.Image, c.Pod, c.StateFile = e.ID, e.Name, e.Image, e.Pod, e.State
}

// ancestry is a process and its ancestors up to PID 1.
type ancestry struct {
	pids  []int // the process first
	bwrap int   // the outermost ancestor whose comm is "bwrap", or 0
}

// ancestors walks the PPID chain through /proc/PID/stat (at most 64 steps:
// a chain is never that deep, a loop in a fixture must not hang).
func (fs FS) ancestors(pid, ppid int) ancestry {
	a := ancestry{pids: []int{pid}}
	for i := 0; i < 64 && ppid > 1; i++ {
		b, err := os.ReadFile(filepath.Join(fs.Proc, itoa(ppid), "stat"))
		if err != nil {
			break
		}
		st, err := parseStatFast(b)
		if err != nil {
			break
		}
		a.pids = append(a.pids, ppid)
		if st.Comm == "bwrap" {
			a.bwrap = ppid
		}
		ppid = st.PPID
	}
	return a
}
