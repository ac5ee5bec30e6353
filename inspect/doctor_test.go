package inspect

import (
	"strings"
	"testing"
)

func TestDoctorFixture(t *testing.T) {
	for _, tree := range []struct{ root, mode string }{{"cgroup-v1", "v1"}, {"cgroup-v2", "v2"}, {"cgroup-hybrid", "hybrid"}, {"cgroup-empty", "none"}} {
		r := fixtureFS(tree.root).Doctor()
		if r.CgroupMode != tree.mode || r.CgroupNote == "" {
			t.Errorf("%s: mode %q note %q", tree.root, r.CgroupMode, r.CgroupNote)
		}
	}
	r := fixtureFS("cgroup-v2").Doctor()
	if r.Kernel != "6.1.0-fixture" {
		t.Errorf("kernel %q", r.Kernel)
	}
	if len(r.Namespaces) != 8 {
		t.Fatalf("namespaces %v", r.Namespaces)
	}
	for _, f := range r.Namespaces {
		if !f.Available || f.Why == "" {
			t.Errorf("namespace %+v", f)
		}
	}
	if !r.TimeNamespace.Available {
		t.Errorf("time namespace %+v", r.TimeNamespace)
	}
	if r.UserNSUnpriv.Available || !strings.Contains(r.UserNSUnpriv.Why, "unprivileged_userns_clone is 0") {
		t.Errorf("userns %+v", r.UserNSUnpriv)
	}
	if !r.Seccomp.Available || !strings.Contains(r.Seccomp.Why, "user_notif") {
		t.Errorf("seccomp %+v", r.Seccomp)
	}
	if r.LSM != "apparmor" || !strings.Contains(r.LSMNote, "apparmor") {
		t.Errorf("lsm %q %q", r.LSM, r.LSMNote)
	}
	if !r.HidePID.Available || !strings.Contains(r.HidePID.Why, "hidepid=2") {
		t.Errorf("hidepid %+v", r.HidePID)
	}
	if r.NSReference != "pid 1" {
		t.Errorf("ns reference %q", r.NSReference)
	}
	for _, f := range []Feature{r.UserNSUnpriv, r.Seccomp, r.HidePID, r.TimeNamespace} {
		if f.Why == "" || f.Name == "" {
			t.Errorf("feature without a name or a why: %+v", f)
		}
	}

	noLSM := FS{Proc: fixture("proc"), Cgroup: fixture("cgroup-v1"), Sys: fixture("sys-nolsm"), Etc: fixture("etc")}
	if r := noLSM.Doctor(); r.LSM != "none" || !strings.Contains(r.LSMNote, "none of them labels") {
		t.Errorf("no labelling lsm: %q %q", r.LSM, r.LSMNote)
	}
	if s, err := noLSM.Snapshot(100, Options{}); err != nil || s.LSM != "none" {
		t.Errorf("snapshot lsm without a labelling LSM: %q %v", s.LSM, err)
	}
}

func TestCompareFixture(t *testing.T) {
	fs := fixtureFS("cgroup-v1")
	host, err := fs.Snapshot(100, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctr, err := fs.Snapshot(200, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := Compare(host, host); len(d) != 0 {
		t.Errorf("a snapshot differs from itself: %v", d)
	}
	diffs := Compare(host, ctr)
	got := map[string]Difference{}
	for _, d := range diffs {
		got[d.Field] = d
	}
	for _, f := range []string{"namespaces.pid", "namespaces.net", "namespaces.mnt", "namespaces.uts", "namespaces.ipc",
		"namespaces.pid_for_children", "cgroups", "limits.memory_max", "limits.pids_max", "limits.cpu_max",
		"capabilities.effective", "capabilities.bounding", "seccomp", "no_new_privs", "lsm", "container.runtime"} {
		if _, ok := got[f]; !ok {
			t.Errorf("no difference for %s", f)
		}
	}
	for _, f := range []string{"namespaces.user", "namespaces.cgroup", "namespaces.time", "uid_map", "capabilities.ambient"} {
		if d, ok := got[f]; ok {
			t.Errorf("difference where there is none: %+v", d)
		}
	}
	if d := got["capabilities.bounding"]; d.A != "41 caps (+cap_dac_read_search,cap_linux_immutable,cap_net_broadcast,cap_net_admin,cap_ipc_lock,cap_ipc_owner,cap_sys_module,cap_sys_rawio,cap_sys_ptrace,cap_sys_pacct,cap_sys_admin,cap_sys_boot,cap_sys_nice,cap_sys_resource,cap_sys_time,cap_sys_tty_config,cap_lease,cap_audit_control,cap_mac_override,cap_mac_admin,cap_syslog,cap_wake_alarm,cap_block_suspend,cap_audit_read,cap_perfmon,cap_bpf,cap_checkpoint_restore)" || d.B != "14 caps" {
		t.Errorf("bounding diff %+v", d)
	}
	if d := got["container.runtime"]; d.A != "(none)" || d.B != "docker "+fixtureDockerID {
		t.Errorf("runtime diff %+v", d)
	}
}
