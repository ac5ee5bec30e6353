package inspect

import (
	"reflect"
	"testing"
)

var runtimeCases = []struct {
	name, path  string
	runtime, id string
}{
	{"docker v1", "/docker/3f2c9a7be1d0", "docker", "3f2c9a7be1d0"},
	{"docker v2 systemd", "/system.slice/docker-3f2c9a7be1d0.scope", "docker", "3f2c9a7be1d0"},
	{"containerd v1", "/containerd/default/abc123", "containerd", "abc123"},
	{"containerd v2", "/system.slice/cri-containerd-abc123.scope", "containerd", "abc123"},
	{"kubepods v1", "/kubepods/burstable/pod1234-5678/abcdef", "kubepods", "abcdef"},
	{"kubepods v2 containerd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-abcdef.scope", "kubepods", "abcdef"},
	{"kubepods v2 crio", "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/crio-feed.scope", "kubepods", "feed"},
	{"runc systemd driver", "/system.slice/runc-rcrunc1.scope", "runc", "rcrunc1"},
	{"crun systemd driver", "/system.slice/crun-rccrun1.scope", "crun", "rccrun1"},
	{"cri-o v2", "/system.slice/crio-beef.scope", "cri-o", "beef"},
	{"cri-o conmon is not the container", "/system.slice/crio-conmon-beef.scope", "", ""},
	{"podman v2", "/machine.slice/libpod-cafe01.scope", "podman", "cafe01"},
	{"podman v1", "/libpod_parent/libpod-cafe01", "podman", "cafe01"},
	{"lxc v1", "/lxc/web01", "lxc", "web01"},
	{"lxc v2", "/lxc.payload.web01", "lxc", "web01"},
	{"lxc v2 nested", "/lxc.payload/web01/init.scope", "lxc", "web01"},
	{"nspawn", `/machine.slice/machine-my\x2dbox.scope`, "systemd-nspawn", "my-box"},
	{"procbox", "/procbox-lab-4242", "procbox", "procbox-lab-4242"},
	{"procbox nested v1", "/user.slice/procbox-run-17/child", "procbox", "procbox-run-17"},
	{"host session", "/user.slice/user-1000.slice/session-2.scope", "", ""},
	{"root", "/", "", ""},
	{"init", "/init.scope", "", ""},
}

func TestGuessRuntime(t *testing.T) {
	for _, tc := range runtimeCases {
		t.Run(tc.name, func(t *testing.T) {
			rt, id := guessRuntime([]CgroupMembership{{0, []string{}, tc.path}})
			if rt != tc.runtime || id != tc.id {
				t.Errorf("guessRuntime(%q) = %q, %q; want %q, %q", tc.path, rt, id, tc.runtime, tc.id)
			}
		})
	}
}

func TestGuessRuntimeKubeWinsOverInner(t *testing.T) {
	cgs := []CgroupMembership{
		{4, []string{"memory"}, "/docker/abc"},
		{3, []string{"pids"}, "/kubepods/besteffort/pod99/abc"},
	}
	if rt, id := guessRuntime(cgs); rt != "kubepods" || id != "abc" {
		t.Errorf("got %q %q", rt, id)
	}
}

func TestIsolatedNamespaces(t *testing.T) {
	ns := map[string]Namespace{
		"pid": {1, false, false}, "net": {2, true, true}, "mnt": {3, false, true},
		"pid_for_children": {4, false, false}, // not one of the eight: never listed
	}
	if got := isolatedNamespaces(ns); !reflect.DeepEqual(got, []string{"pid", "mnt"}) {
		t.Errorf("got %v", got)
	}
}
