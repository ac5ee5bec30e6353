package inspect

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"procbox/internal/testtree"
)

// isolatedSnapshot is a process in its own pid and mnt namespaces with the
// given cgroup lines, as identify sees it.
func isolatedSnapshot(pid int, cgroupLines string) Snapshot {
	var cgs []CgroupMembership
	for _, line := range strings.Split(strings.TrimSpace(cgroupLines), "\n") {
		f := strings.SplitN(line, ":", 3)
		id, _ := strconv.Atoi(f[0])
		ctrls := []string{}
		if f[1] != "" {
			ctrls = strings.Split(f[1], ",")
		}
		cgs = append(cgs, CgroupMembership{HierarchyID: id, Controllers: ctrls, Path: f[2]})
	}
	return Snapshot{
		PID: pid, Cgroups: cgs, Errors: map[string]string{},
		Namespaces: map[string]Namespace{"pid": {Inode: 1}, "mnt": {Inode: 2}, "net": {Inode: 3, SharedWithHost: true}},
	}
}

const (
	cid  = "3f2c9a7be1d04c4f9a6b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7"
	cid2 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
)

// runtimeFixtures is one state tree per runtime, in the layout each runtime
// writes on the host, and the cgroup file of a process in that container on
// a v1 or v2 host.
var runtimeFixtures = []struct {
	name    string
	files   map[string]string // relative to a temp root; run/... and lib/...
	cgroup  string
	initPID int // the process's PID (0: not the runtime's init)
	want    Container
}{
	{
		name: "runc v1, default cgroup path (runc run -d rcrunc1)",
		files: map[string]string{"run/runc/rcrunc1/state.json": `{"id":"rcrunc1","init_process_pid":999,
			"cgroup_paths":{"memory":"/sys/fs/cgroup/memory/rcrunc1","pids":"/sys/fs/cgroup/pids/rcrunc1","name=systemd":"/sys/fs/cgroup/systemd/rcrunc1"},
			"config":{"labels":["bundle=/tmp/b"]}}`},
		cgroup: "6:memory:/rcrunc1\n4:pids:/rcrunc1\n1:name=systemd:/rcrunc1\n0::/\n",
		want:   Container{Runtime: "runc", ID: "rcrunc1", Name: "rcrunc1", StateFile: "run/runc/rcrunc1/state.json"},
	},
	{
		name: "runc v2, systemd driver",
		files: map[string]string{"run/runc/web/state.json": `{"id":"web","init_process_pid":4242,
			"cgroup_paths":{"":"/sys/fs/cgroup/system.slice/runc-web.scope"},"config":{"labels":["bundle=/b","org.opencontainers.image.ref.name=busybox:1.36"]}}`},
		cgroup: "0::/system.slice/runc-web.scope\n",
		want:   Container{Runtime: "runc", ID: "web", Name: "web", Image: "busybox:1.36", StateFile: "run/runc/web/state.json"},
	},
	{
		name: "crun v2, found by its init pid",
		files: map[string]string{
			"run/crun/rccrun1/status":      `{"pid":5151,"cgroup-path":"/sys/fs/cgroup/rccrun1","bundle":"/nonexistent","rootfs":"/r"}`,
			"run/crun/rccrun1/config.json": `{"annotations":{"org.opencontainers.image.ref.name":"alpine"}}`,
		},
		cgroup:  "0::/elsewhere\n",
		initPID: 5151,
		want:    Container{Runtime: "crun", ID: "rccrun1", Name: "rccrun1", Image: "alpine", StateFile: "run/crun/rccrun1/status"},
	},
	{
		name: "containerd k8s.io v2, systemd cgroupsPath and CRI annotations",
		files: map[string]string{
			"run/containerd/io.containerd.runtime.v2.task/k8s.io/" + cid + "/config.json": `{"annotations":{
				"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.container-name":"nginx",
				"io.kubernetes.cri.sandbox-name":"web-7d4b9c","io.kubernetes.cri.sandbox-namespace":"shop",
				"io.kubernetes.cri.image-name":"docker.io/library/nginx:1.27"},
				"linux":{"cgroupsPath":"kubepods-besteffort-pod12.slice:cri-containerd:` + cid + `"}}`,
			"run/containerd/io.containerd.runtime.v2.task/k8s.io/" + cid + "/init.pid": "777",
		},
		cgroup: "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/cri-containerd-" + cid + ".scope\n",
		want: Container{Runtime: "containerd", ID: cid, Name: "nginx", Image: "docker.io/library/nginx:1.27",
			Pod:       &Pod{Name: "web-7d4b9c", Namespace: "shop", Container: "nginx"},
			StateFile: "run/containerd/io.containerd.runtime.v2.task/k8s.io/" + cid + "/config.json"},
	},
	{
		name: "containerd default namespace v1 (nerdctl), cgroupsPath /default/ID",
		files: map[string]string{
			"run/containerd/io.containerd.runtime.v2.task/default/" + cid2 + "/config.json": `{"annotations":{"nerdctl/name":"cache"},"linux":{"cgroupsPath":"/default/` + cid2 + `"}}`,
			"run/containerd/runc/default/" + cid2 + "/state.json":                           `{"id":"` + cid2 + `","init_process_pid":31,"cgroup_paths":{"memory":"/sys/fs/cgroup/memory/default/` + cid2 + `"},"config":{"labels":["nerdctl/name=cache"]}}`,
		},
		cgroup: "6:memory:/default/" + cid2 + "\n0::/\n",
		want:   Container{Runtime: "containerd", ID: cid2, Name: "cache", StateFile: "run/containerd/runc/default/" + cid2 + "/state.json"},
	},
	{
		name: "CRI-O v1 under kubepods",
		files: map[string]string{"run/containers/storage/overlay-containers/" + cid + "/userdata/config.json": `{"annotations":{
			"io.kubernetes.cri-o.ContainerType":"container","io.kubernetes.cri-o.ImageName":"quay.io/app:2",
			"io.kubernetes.pod.name":"app-0","io.kubernetes.pod.namespace":"prod","io.kubernetes.container.name":"app"},
			"linux":{"cgroupsPath":"/kubepods/besteffort/pod99/` + cid + `"}}`},
		cgroup: "6:memory:/kubepods/besteffort/pod99/" + cid + "\n0::/\n",
		want: Container{Runtime: "cri-o", ID: cid, Name: "app", Image: "quay.io/app:2",
			Pod:       &Pod{Name: "app-0", Namespace: "prod", Container: "app"},
			StateFile: "run/containers/storage/overlay-containers/" + cid + "/userdata/config.json"},
	},
	{
		name: "docker v1, config.v2.json and runc state merged",
		files: map[string]string{
			"lib/docker/containers/" + cid + "/config.v2.json":    `{"ID":"` + cid + `","Name":"/web","Config":{"Image":"nginx:latest","Labels":{}},"State":{"Pid":1200}}`,
			"run/docker/runtime-runc/moby/" + cid + "/state.json": `{"id":"` + cid + `","init_process_pid":1200,"cgroup_paths":{"memory":"/sys/fs/cgroup/memory/docker/` + cid + `"},"config":{"labels":["bundle=/run/containerd/x"]}}`,
		},
		cgroup: "6:memory:/docker/" + cid + "\n0::/\n",
		want:   Container{Runtime: "docker", ID: cid, Name: "web", Image: "nginx:latest", StateFile: "lib/docker/containers/" + cid + "/config.v2.json"},
	},
	{
		name: "docker v2: containerd's task in namespace moby and runc's state do not rename it",
		files: map[string]string{
			"run/containerd/io.containerd.runtime.v2.task/moby/" + cid + "/config.json": `{"linux":{"cgroupsPath":"system.slice:docker:` + cid + `"}}`,
			"run/containerd/io.containerd.runtime.v2.task/moby/" + cid + "/init.pid":    "88",
			"run/docker/runtime-runc/moby/" + cid + "/state.json":                       `{"id":"` + cid + `","init_process_pid":88,"cgroup_paths":{"":"/sys/fs/cgroup/system.slice/docker-` + cid + `.scope"},"config":{"labels":[]}}`,
			"lib/docker/containers/" + cid + "/config.v2.json":                          `{"ID":"` + cid + `","Name":"/api","Config":{"Image":"api:3"},"State":{"Pid":88}}`,
		},
		cgroup: "0::/system.slice/docker-" + cid + ".scope\n",
		want:   Container{Runtime: "docker", ID: cid, Name: "api", Image: "api:3", StateFile: "lib/docker/containers/" + cid + "/config.v2.json"},
	},
	{
		name:   "docker v2 systemd driver",
		files:  map[string]string{"lib/docker/containers/" + cid + "/config.v2.json": `{"ID":"` + cid + `","Name":"/db","Config":{"Image":"postgres:17"},"State":{"Pid":77}}`},
		cgroup: "0::/system.slice/docker-" + cid + ".scope\n",
		want:   Container{Runtime: "docker", ID: cid, Name: "db", Image: "postgres:17", StateFile: "lib/docker/containers/" + cid + "/config.v2.json"},
	},
	{
		name: "podman v2: the name is in podman's database, not in config.json",
		files: map[string]string{"lib/containers/storage/overlay-containers/" + cid + "/userdata/config.json": `{"annotations":{"io.container.manager":"libpod"},
			"linux":{"cgroupsPath":"machine.slice:libpod:` + cid + `"}}`},
		cgroup: "0::/machine.slice/libpod-" + cid + ".scope/container\n",
		want:   Container{Runtime: "podman", ID: cid, StateFile: "lib/containers/storage/overlay-containers/" + cid + "/userdata/config.json"},
	},
	{
		name:   "systemd-nspawn v2",
		files:  map[string]string{"run/systemd/machines/my-box": "NAME=my-box\nSCOPE=machine-my\\x2dbox.scope\nSERVICE=nspawn\nROOT=/var/lib/machines/my-box\nCLASS=container\nLEADER=3131\n"},
		cgroup: "0::/machine.slice/machine-my\\x2dbox.scope/payload\n",
		want:   Container{Runtime: "systemd-nspawn", ID: "my-box", Name: "my-box", Image: "/var/lib/machines/my-box", StateFile: "run/systemd/machines/my-box"},
	},
	{
		name:   "LXC v2",
		files:  map[string]string{"lib/lxc/web01/config": "lxc.uts.name = web01\n"},
		cgroup: "0::/lxc.payload.web01\n",
		want:   Container{Runtime: "lxc", ID: "web01", Name: "web01", StateFile: "lib/lxc/web01/config"},
	},
	{
		name:   "LXC v1",
		files:  map[string]string{"lib/lxc/web01/config": "lxc.uts.name = web01\n"},
		cgroup: "6:memory:/lxc/web01\n",
		want:   Container{Runtime: "lxc", ID: "web01", Name: "web01", StateFile: "lib/lxc/web01/config"},
	},
}

func TestIdentifyFromRuntimeState(t *testing.T) {
	for _, tc := range runtimeFixtures {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testtree.Write(t, root, tc.files)
			fs := FS{Proc: filepath.Join(root, "proc"), Run: filepath.Join(root, "run"), Lib: filepath.Join(root, "lib")}
			pid := 4242
			if tc.initPID != 0 {
				pid = tc.initPID
			}
			s := isolatedSnapshot(pid, tc.cgroup)
			fs.identify(&s, nil)
			got := s.Container
			got.StateFile = strings.TrimPrefix(got.StateFile, root+"/")
			want := tc.want
			want.Isolation, want.IsolatedNamespaces = IsolationIsolated, []string{"pid", "mnt"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v (pod %+v)\nwant %+v (pod %+v)", got, got.Pod, want, want.Pod)
			}
			if len(s.Errors) != 0 {
				t.Errorf("errors: %v", s.Errors)
			}
		})
	}
}

// TestIdentifyUnreadableStateSaysWhichFile: a state file the runtime would
// have written but procbox cannot read is named, with the reason, and no
// name is made up.
func TestIdentifyUnreadableStateSaysWhichFile(t *testing.T) {
	root := t.TempDir()
	testtree.Write(t, root, map[string]string{"run/runc/broken/state.json": `{"id": "broken", "init_process_pid": `})
	if err := os.MkdirAll(filepath.Join(root, "run/crun/odd/status"), 0o755); err != nil { // a directory where a file belongs
		t.Fatal(err)
	}
	fs := FS{Proc: filepath.Join(root, "proc"), Run: filepath.Join(root, "run")}
	s := isolatedSnapshot(4242, "0::/broken\n")
	fs.identify(&s, nil)
	if s.Container.Runtime != "" || s.Container.Name != "" {
		t.Errorf("named a container from unreadable state: %+v", s.Container)
	}
	msg := s.Errors["container"]
	for _, want := range []string{"run/runc/broken/state.json", "run/crun/odd/status", "not the JSON"} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors.container = %q, want it to name %q", msg, want)
		}
	}
}

// TestIdentifyKernelThreadIsNeverAContainer: kdevtmpfs has its own mount
// namespace; it is still a kernel thread, not an isolated process.
func TestIdentifyKernelThreadIsNeverAContainer(t *testing.T) {
	s := isolatedSnapshot(60, "0::/\n")
	s.KernelThread = true
	FS{}.identify(&s, nil)
	if s.Container.Isolation != IsolationKernelThread || len(s.Container.IsolatedNamespaces) != 0 || s.Container.Runtime != "" {
		t.Errorf("kernel thread: %+v", s.Container)
	}
}

// TestIdentifyUnreadableNamespacesAreUnknown: no namespaces read is
// "unknown" with the reason, never "host".
func TestIdentifyUnreadableNamespacesAreUnknown(t *testing.T) {
	s := Snapshot{PID: 7, Namespaces: map[string]Namespace{}, Errors: map[string]string{}}
	FS{}.identify(&s, os.ErrPermission)
	if s.Container.Isolation != IsolationUnknown || !strings.Contains(s.Container.Why, "permission denied") {
		t.Errorf("got %+v", s.Container)
	}
}

func TestIdentifyBwrapByItsProcess(t *testing.T) {
	root := t.TempDir()
	testtree.Write(t, root, map[string]string{
		"proc/300/stat": "300 (bwrap) S 200 300 300 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0\n",
		"proc/200/stat": "200 (bash) S 1 200 200 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 4 0 0 0\n",
	})
	s := isolatedSnapshot(301, "0::/user.slice/user-1000.slice/session-2.scope\n")
	s.PPID = 300
	FS{Proc: filepath.Join(root, "proc")}.identify(&s, nil)
	if s.Container.Runtime != "bwrap" || s.Container.ID != "300" {
		t.Errorf("got %+v, want bwrap 300", s.Container)
	}
}

func TestCgroupPathForms(t *testing.T) {
	if got := cgroupPathsFromMount("/sys/fs/cgroup/memory/docker/abc"); !reflect.DeepEqual(got, []string{"/memory/docker/abc", "/docker/abc"}) {
		t.Errorf("v1 mount path: %v", got)
	}
	if got := cgroupPathsFromMount("/elsewhere/x"); got != nil {
		t.Errorf("path outside /sys/fs/cgroup: %v", got)
	}
	if got := cgroupsFromSpecPath("kubepods-burstable-pod1.slice:cri-containerd:abc"); !reflect.DeepEqual(got, []string{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-abc.scope"}) {
		t.Errorf("systemd form: %v", got)
	}
	if got := cgroupsFromSpecPath("/default/abc"); !reflect.DeepEqual(got, []string{"/default/abc"}) {
		t.Errorf("path form: %v", got)
	}
}
