package inspect

import (
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
