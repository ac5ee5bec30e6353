package inspect

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The container runtimes' own state on the host, read to put a name on a
// container. Nothing is sent anywhere and no runtime API is called: these are
// the files each runtime keeps for itself, under roots that are parameters
// (FS.Run, usually /run, and FS.Lib, usually /var/lib) so tests use fixture
// trees. Each reader names the files it reads:
//
//   - runc (runc(8)): RUN/runc/ID/state.json; the same format under docker's
//     RUN/docker/runtime-runc/moby/ID and containerd's RUN/containerd/runc/NS/ID.
//     The OCI annotations are in config.labels as "key=value".
//   - crun (crun(1)): RUN/crun/ID/status, and the bundle's config.json.
//   - containerd: RUN/containerd/io.containerd.runtime.v2.task/NS/ID/config.json
//     (the OCI spec) and init.pid; NS "k8s.io" holds Kubernetes' containers.
//   - CRI-O and podman (containers/storage): RUN/containers/storage/
//     overlay-containers/ID/userdata/config.json, and the same under LIB.
//   - docker: LIB/docker/containers/ID/config.v2.json (name, image, labels).
//   - systemd-nspawn: RUN/systemd/machines/NAME (NAME, LEADER, ROOT, SCOPE).
//   - LXC: LIB/lxc/NAME/config (the container name is its directory).

// Pod is the Kubernetes identity of a container, from its annotations.
type Pod struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Container string `json:"container"`
}

// runtimeEntry is what one runtime's state says about one container.
type runtimeEntry struct {
	Runtime string
	ID      string
	Name    string
	Image   string
	Pod     *Pod
	InitPID int
	Cgroups []string // cgroup paths as /proc/PID/cgroup shows them ("/docker/ID")
	State   string   // the file the entry came from

	nameRank int // runtimeRank of the entry that gave Name; -1 while Name is only the id
}

// runtimeIndex is every container the runtimes' state describes, plus the
// state that exists but could not be read ("/run/runc: permission denied").
type runtimeIndex struct {
	entries  []runtimeEntry
	problems []string
}

// runtimeIndex reads the state of every runtime procbox knows. A missing
// root is silence (that runtime is not installed); a root or file that
// exists but cannot be read is a problem, named with its path and why.
func (fs FS) runtimeIndex() *runtimeIndex {
	ix := &runtimeIndex{}
	if fs.Run == "" && fs.Lib == "" {
		return ix
	}
	if fs.Run != "" {
		ix.readRuncRoot(filepath.Join(fs.Run, "runc"), "runc")
		ix.readRuncRoot(filepath.Join(fs.Run, "docker", "runtime-runc", "moby"), "docker")
		for _, ns := range ix.list(filepath.Join(fs.Run, "containerd", "runc")) {
			ix.readRuncRoot(filepath.Join(fs.Run, "containerd", "runc", ns), "containerd")
		}
		ix.readCrunRoot(filepath.Join(fs.Run, "crun"))
		task := filepath.Join(fs.Run, "containerd", "io.containerd.runtime.v2.task")
		for _, ns := range ix.list(task) {
			for _, id := range ix.list(filepath.Join(task, ns)) {
				ix.readContainerdTask(filepath.Join(task, ns, id), ns, id)
			}
		}
		ix.readStorageRoot(filepath.Join(fs.Run, "containers", "storage", "overlay-containers"))
		ix.readMachines(filepath.Join(fs.Run, "systemd", "machines"))
	}
	if fs.Lib != "" {
		ix.readStorageRoot(filepath.Join(fs.Lib, "containers", "storage", "overlay-containers"))
		ix.readDockerRoot(filepath.Join(fs.Lib, "docker", "containers"))
		for _, name := range ix.list(filepath.Join(fs.Lib, "lxc")) {
			if _, err := os.Stat(filepath.Join(fs.Lib, "lxc", name, "config")); err == nil {
				ix.add(runtimeEntry{Runtime: "lxc", ID: name, Name: name, State: filepath.Join(fs.Lib, "lxc", name, "config")})
			}
		}
	}
	return ix
}

// list names the entries of dir; a missing dir is empty, an unreadable one
// is recorded as a problem.
func (ix *runtimeIndex) list(dir string) []string {
	names, err := readDirNames(dir)
	if err != nil {
		ix.problem(dir, err)
		return nil
	}
	return names
}

// problem records why path could not be read, unless it simply is not there.
func (ix *runtimeIndex) problem(path string, err error) {
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return
	}
	ix.problems = append(ix.problems, path+": "+reason(err))
}

// maxStateFile bounds what procbox reads of one runtime state file: the
// largest real one (docker's config.v2.json) is tens of KiB.
const maxStateFile = 4 << 20

// readStateFile reads a runtime's state file. The state directories are
// root's, but a learner's container may be made by anyone with runc, so a
// FIFO (a plain open would block forever), a device such as /dev/zero (a
// plain read would never end) or a huge file is refused with a reason.
func readStateFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file (" + st.Mode().Type().String() + ")")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxStateFile+1))
	if err == nil && len(b) > maxStateFile {
		return nil, errors.New("larger than 4 MiB: not a runtime's state file")
	}
	return b, err
}

// readJSON decodes path into v; a missing file is reported as false with
// no problem.
func (ix *runtimeIndex) readJSON(path string, v any) bool {
	b, err := readStateFile(path)
	if err != nil {
		ix.problem(path, err)
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		ix.problems = append(ix.problems, path+": not the JSON this runtime writes ("+err.Error()+")")
		return false
	}
	return true
}

// add merges e into the index: several runtimes describe one container
// (docker's config.v2.json, containerd's task in the "moby" namespace, and
// runc's state.json). The one that manages it names it (docker, podman and
// CRI-O over containerd, containerd over runc and crun); the others only
// fill in what is missing.
func (ix *runtimeIndex) add(e runtimeEntry) {
	for i := range ix.entries {
		have := &ix.entries[i]
		if have.ID != e.ID {
			continue
		}
		if runtimeRank(e.Runtime) > runtimeRank(have.Runtime) {
			have.Runtime, have.State = e.Runtime, e.State
		}
		if e.Name != "" && e.Name != e.ID && (have.Name == "" || have.Name == have.ID || runtimeRank(e.Runtime) > have.nameRank) {
			have.Name, have.State, have.nameRank = e.Name, e.State, runtimeRank(e.Runtime) // the file that named it
		}
		if have.Name == "" {
			have.Name = e.Name
		}
		if have.Image == "" {
			have.Image = e.Image
		}
		if have.Pod == nil {
			have.Pod = e.Pod
		}
		if have.InitPID == 0 {
			have.InitPID = e.InitPID
		}
		have.Cgroups = append(have.Cgroups, e.Cgroups...)
		return
	}
	e.nameRank = -1
	if e.Name != "" && e.Name != e.ID {
		e.nameRank = runtimeRank(e.Runtime)
	}
	ix.entries = append(ix.entries, e)
}

// runtimeRank orders runtimes from the one that runs a container (runc,
// crun) to the one that manages it.
func runtimeRank(runtime string) int {
	switch runtime {
	case "runc", "crun":
		return 0
	case "containerd":
		return 1
	case "docker", "podman", "cri-o":
		return 3
	}
	return 2
}

func lowLevel(runtime string) bool { return runtime == "runc" || runtime == "crun" }

// runcState is the part of runc's state.json (libcontainer's State) procbox reads.
type runcState struct {
	ID          string            `json:"id"`
	InitPID     int               `json:"init_process_pid"`
	CgroupPaths map[string]string `json:"cgroup_paths"`
	Config      struct {
		Labels []string `json:"labels"`
	} `json:"config"`
}

func (ix *runtimeIndex) readRuncRoot(root, runtime string) {
	for _, id := range ix.list(root) {
		path := filepath.Join(root, id, "state.json")
		var st runcState
		if !ix.readJSON(path, &st) {
			continue
		}
		if st.ID == "" {
			st.ID = id
		}
		ann := map[string]string{}
		for _, l := range st.Config.Labels {
			if k, v, ok := strings.Cut(l, "="); ok && k != "bundle" {
				ann[k] = v
			}
		}
		e := runtimeEntry{Runtime: runtime, ID: st.ID, InitPID: st.InitPID, State: path}
		for _, p := range st.CgroupPaths {
			e.Cgroups = append(e.Cgroups, cgroupPathsFromMount(p)...)
		}
		e.fromAnnotations(ann)
		ix.add(e)
	}
}

// crunStatus is crun's RUN/crun/ID/status.
type crunStatus struct {
	PID        int    `json:"pid"`
	CgroupPath string `json:"cgroup-path"`
	Bundle     string `json:"bundle"`
}

func (ix *runtimeIndex) readCrunRoot(root string) {
	for _, id := range ix.list(root) {
		path := filepath.Join(root, id, "status")
		var st crunStatus
		if !ix.readJSON(path, &st) {
			continue
		}
		e := runtimeEntry{Runtime: "crun", ID: id, InitPID: st.PID, State: path}
		e.Cgroups = append(e.Cgroups, cgroupPathsFromMount(st.CgroupPath)...)
		// crun keeps a copy of the bundle's config.json in its state dir
		// (older versions do not): the annotations are in it.
		var spec ociSpec
		if ix.readJSONQuiet(filepath.Join(root, id, "config.json"), &spec) ||
			(st.Bundle != "" && ix.readJSONQuiet(filepath.Join(st.Bundle, "config.json"), &spec)) {
			e.fromAnnotations(spec.Annotations)
		}
		ix.add(e)
	}
}

// readJSONQuiet is readJSON where absence and refusal are both expected
// (an optional copy of a file).
func (ix *runtimeIndex) readJSONQuiet(path string, v any) bool {
	b, err := readStateFile(path)
	return err == nil && json.Unmarshal(b, v) == nil
}

// ociSpec is the part of an OCI runtime config.json procbox reads.
type ociSpec struct {
	Annotations map[string]string `json:"annotations"`
	Linux       struct {
		CgroupsPath string `json:"cgroupsPath"`
	} `json:"linux"`
}

func (ix *runtimeIndex) readContainerdTask(dir, ns, id string) {
	path := filepath.Join(dir, "config.json")
	var spec ociSpec
	if !ix.readJSON(path, &spec) {
		return
	}
	e := runtimeEntry{Runtime: "containerd", ID: id, State: path}
	if b, err := readStateFile(filepath.Join(dir, "init.pid")); err == nil {
		e.InitPID, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	e.Cgroups = cgroupsFromSpecPath(spec.Linux.CgroupsPath)
	e.fromAnnotations(spec.Annotations)
	if ns != "" && ns != "default" && e.Pod == nil && e.Name == id {
		e.Name = ns + "/" + id // a namespace other than default is part of the name ctr shows
	}
	ix.add(e)
}

func (ix *runtimeIndex) readStorageRoot(root string) {
	for _, id := range ix.list(root) {
		path := filepath.Join(root, id, "userdata", "config.json")
		var spec ociSpec
		if _, err := os.Stat(path); err != nil {
			ix.problem(path, err)
			continue
		}
		if !ix.readJSON(path, &spec) {
			continue
		}
		runtime := "podman"
		for k := range spec.Annotations {
			if strings.HasPrefix(k, "io.kubernetes.cri-o.") {
				runtime = "cri-o"
				break
			}
		}
		e := runtimeEntry{Runtime: runtime, ID: id, State: path, Cgroups: cgroupsFromSpecPath(spec.Linux.CgroupsPath)}
		e.fromAnnotations(spec.Annotations)
		if e.Name == id {
			e.Name = "" // podman keeps the name in its database, not in config.json
		}
		ix.add(e)
	}
}

// dockerConfig is the part of docker's config.v2.json procbox reads.
type dockerConfig struct {
	ID     string `json:"ID"`
	Name   string `json:"Name"`
	Config struct {
		Image  string            `json:"Image"`
		Labels map[string]string `json:"Labels"`
	} `json:"Config"`
	State struct {
		Pid int `json:"Pid"`
	} `json:"State"`
}

func (ix *runtimeIndex) readDockerRoot(root string) {
	for _, id := range ix.list(root) {
		path := filepath.Join(root, id, "config.v2.json")
		var c dockerConfig
		if !ix.readJSON(path, &c) {
			continue
		}
		if c.ID == "" {
			c.ID = id
		}
		e := runtimeEntry{Runtime: "docker", ID: c.ID, InitPID: c.State.Pid, State: path}
		e.fromAnnotations(c.Config.Labels)
		if e.Pod == nil {
			e.Name = strings.TrimPrefix(c.Name, "/")
		}
		if e.Image == "" {
			e.Image = c.Config.Image
		}
		ix.add(e)
	}
}

// readMachines reads systemd-machined's RUN/systemd/machines/NAME files
// (KEY=VALUE lines): nspawn containers are registered there.
func (ix *runtimeIndex) readMachines(root string) {
	for _, name := range ix.list(root) {
		if strings.HasPrefix(name, "unit:") || strings.HasPrefix(name, ".") {
			continue // unit:NAME are symlinks to the same machines
		}
		path := filepath.Join(root, name)
		b, err := readStateFile(path)
		if err != nil {
			ix.problem(path, err)
			continue
		}
		kv := map[string]string{}
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				kv[k] = v
			}
		}
		if kv["CLASS"] != "" && kv["CLASS"] != "container" {
			continue
		}
		e := runtimeEntry{Runtime: "systemd-nspawn", ID: name, Name: name, Image: kv["ROOT"], State: path}
		e.InitPID, _ = strconv.Atoi(kv["LEADER"])
		if kv["SERVICE"] != "" && kv["SERVICE"] != "nspawn" {
			e.Runtime = kv["SERVICE"]
		}
		if scope := kv["SCOPE"]; scope != "" {
			e.Cgroups = append(e.Cgroups, "/machine.slice/"+scope)
		}
		ix.add(e)
	}
}

// fromAnnotations fills name, image and pod from OCI annotations or docker
// labels: Kubernetes' CRI (containerd's io.kubernetes.cri.*, CRI-O's
// io.kubernetes.* and io.kubernetes.cri-o.*, cri-dockerd's labels), nerdctl,
// and the OCI image annotations. The id is the name when nothing else is.
func (e *runtimeEntry) fromAnnotations(a map[string]string) {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := a[k]; v != "" {
				return v
			}
		}
		return ""
	}
	pod := Pod{
		Name:      first("io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"),
		Namespace: first("io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace"),
		Container: first("io.kubernetes.cri.container-name", "io.kubernetes.container.name"),
	}
	if pod.Name != "" {
		if pod.Container == "" && (a["io.kubernetes.cri.container-type"] == "sandbox" || a["io.kubernetes.cri-o.ContainerType"] == "sandbox") {
			pod.Container = "(pod sandbox)"
		}
		e.Pod = &pod
	}
	e.Image = first("io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName", "nerdctl/image", "org.opencontainers.image.ref.name")
	switch {
	case pod.Container != "":
		e.Name = pod.Container
	case a["nerdctl/name"] != "":
		e.Name = a["nerdctl/name"]
	case e.Name == "":
		e.Name = e.ID
	}
}

// cgroupPathsFromMount turns a cgroup directory as runtimes record it
// ("/sys/fs/cgroup/memory/rcrunc1" on v1, "/sys/fs/cgroup/system.slice/x"
// on v2, ".../unified/x" on hybrid) into the paths /proc/PID/cgroup can show
// for it. Which component is the hierarchy is not known without the host's
// mounts, so both readings are kept; matching needs only one.
func cgroupPathsFromMount(dir string) []string {
	rest, ok := strings.CutPrefix(filepath.Clean(dir), "/sys/fs/cgroup/")
	if !ok || rest == "" {
		return nil
	}
	out := []string{"/" + rest}
	if _, after, ok := strings.Cut(rest, "/"); ok && after != "" {
		out = append(out, "/"+after)
	}
	return out
}

// cgroupsFromSpecPath reads an OCI linux.cgroupsPath: a path ("/default/ID")
// or systemd's "SLICE:PREFIX:NAME", which becomes .../SLICE/PREFIX-NAME.scope.
func cgroupsFromSpecPath(p string) []string {
	if p == "" {
		return nil
	}
	if slice, rest, ok := strings.Cut(p, ":"); ok {
		prefix, name, _ := strings.Cut(rest, ":")
		scope := name + ".scope"
		if prefix != "" {
			scope = prefix + "-" + scope
		}
		return []string{slicePath(slice) + "/" + scope}
	}
	return []string{"/" + strings.Trim(p, "/")}
}

// slicePath expands a systemd slice name into its place in the tree:
// "kubepods-besteffort-pod1.slice" lives in
// /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice.
func slicePath(slice string) string {
	if slice == "" || slice == "-.slice" {
		return ""
	}
	name := strings.TrimSuffix(slice, ".slice")
	parts := strings.Split(name, "-")
	path := ""
	for i := range parts {
		path += "/" + strings.Join(parts[:i+1], "-") + ".slice"
	}
	return path
}

// match finds the container a process belongs to: the runtime's recorded
// init PID is the process or one of its ancestors, a recorded cgroup holds
// the process (or a cgroup above it), or the id read from the cgroup path
// is the container's.
func (ix *runtimeIndex) match(pids []int, cgs []CgroupMembership, guessedID string) (runtimeEntry, bool) {
	for _, e := range ix.entries {
		if guessedID != "" && e.ID == guessedID {
			return e, true
		}
	}
	for _, e := range ix.entries {
		for _, p := range pids {
			if e.InitPID > 0 && e.InitPID == p {
				return e, true
			}
		}
	}
	for _, e := range ix.entries {
		for _, want := range e.Cgroups {
			if want == "/" {
				continue
			}
			for _, c := range cgs {
				if c.Path == want || strings.HasPrefix(c.Path, want+"/") {
					return e, true
				}
			}
		}
	}
	return runtimeEntry{}, false
}
