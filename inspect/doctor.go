package inspect

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Doctor reports what this host supports for containers, and why not. It only
// reports what files say; whether unshare(2) really works is isolate's to try.
func (fs FS) Doctor() HostReport {
	r := HostReport{UID: os.Geteuid(), Controllers: []string{}, Delegated: []string{}, Namespaces: []Feature{}, Notes: []string{}}
	r.Root = r.UID == 0
	if b, err := os.ReadFile(filepath.Join(fs.Proc, "sys", "kernel", "osrelease")); err == nil {
		r.Kernel = strings.TrimSpace(string(b))
	}

	for _, kind := range NamespaceKinds[:8] {
		f := Feature{Name: kind}
		if _, err := os.Lstat(filepath.Join(fs.Proc, "self", "ns", kind)); err == nil {
			f.Available = true
			f.Why = fmt.Sprintf("/proc/self/ns/%s exists: the kernel has %s namespaces", kind, kind)
		} else {
			f.Why = fmt.Sprintf("/proc/self/ns/%s is missing: the kernel was built without %s namespaces or is too old", kind, kind)
		}
		r.Namespaces = append(r.Namespaces, f)
		if kind == "time" {
			r.TimeNamespace = f
			r.TimeNamespace.Name = "time namespace"
			if !f.Available {
				r.TimeNamespace.Why += " (time namespaces arrived in Linux 5.6)"
			}
		}
	}
	r.UserNSUnpriv = fs.userNSUnprivileged()

	r.CgroupMode, r.Controllers = cgroupMode(fs.Cgroup)
	if r.Controllers == nil {
		r.Controllers = []string{}
	}
	r.CgroupNote = cgroupNote(r.CgroupMode, fs.Cgroup)
	r.Delegated = fs.delegatedControllers(r.CgroupMode, r.Controllers, r.Root)
	if r.CgroupReadOnly = fs.cgroupReadOnly(); r.CgroupReadOnly {
		r.Delegated = []string{} // nobody may write a read-only file system
	}
	if r.CgroupMode != CgroupNone && !r.CgroupReadOnly {
		r.Notes = append(r.Notes, "cgroup limits hold against a root child only with a mount namespace (--ns mnt): "+
			"procbox then mounts "+fs.Cgroup+" read-only inside; without one the child can leave its cgroup or raise its limits, so they are advisory")
	}

	r.Seccomp = fs.seccompFeature()
	active, known := activeLSMs(fs.Sys)
	r.LSM = labelledLSM(active)
	switch {
	case !known:
		r.LSM = "none"
		r.LSMNote = "securityfs (" + filepath.Join(fs.Sys, "kernel", "security") + ") has no lsm file: no security module is reported, so processes carry no AppArmor or SELinux label"
	case r.LSM == "":
		r.LSM = "none"
		r.LSMNote = "active modules: " + strings.Join(active, ",") + "; none of them labels processes (no AppArmor, SELinux, Smack or TOMOYO)"
	default:
		r.LSMNote = "active modules: " + strings.Join(active, ",") + "; " + r.LSM + " labels every process (see /proc/PID/attr/current)"
	}
	r.HidePID = fs.hidePIDFeature()
	_, r.NSReference = fs.nsReference()
	if strings.HasPrefix(r.NSReference, "procbox itself") {
		r.Notes = append(r.Notes, "/proc/1/ns is not readable here, so \"shared with the host\" compares with procbox's own namespaces")
	}
	if !r.Root {
		r.Notes = append(r.Notes, "not root: other users' processes show only what /proc lets anyone see, and most isolation needs root or a user namespace")
	}
	return r
}

func cgroupNote(mode, root string) string {
	switch mode {
	case CgroupV2:
		return "cgroup v2: one unified tree at " + root + "; limits are memory.max, pids.max, cpu.max"
	case CgroupV1:
		return "cgroup v1: one hierarchy per controller under " + root + "; limits are memory.limit_in_bytes, pids.max, cpu.cfs_quota_us"
	case CgroupHybrid:
		return "hybrid: v1 controllers under " + root + " and a v2 tree at " + filepath.Join(root, "unified") + " holding no controllers; limits live on v1"
	}
	return "no cgroup filesystem found at " + root + ": resource limits are not available"
}

// readInt reads a one-number file such as a sysctl.
func readIntFile(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// userNSUnprivileged reports whether users without privileges may create
// user namespaces: the generic limit, Debian's old switch, and Ubuntu's
// AppArmor restriction (user_namespaces(7)).
func (fs FS) userNSUnprivileged() Feature {
	f := Feature{Name: "user namespaces for unprivileged users", Available: true}
	sys := filepath.Join(fs.Proc, "sys")
	var why []string
	if n, err := readIntFile(filepath.Join(sys, "user", "max_user_namespaces")); err != nil {
		f.Available = false
		why = append(why, "user.max_user_namespaces is not readable: the kernel may lack user namespaces")
	} else if n == 0 {
		f.Available = false
		why = append(why, "user.max_user_namespaces is 0: nobody may create user namespaces")
	} else {
		why = append(why, fmt.Sprintf("user.max_user_namespaces is %d", n))
	}
	if n, err := readIntFile(filepath.Join(sys, "kernel", "unprivileged_userns_clone")); err == nil {
		if n == 0 {
			f.Available = false
			why = append(why, "kernel.unprivileged_userns_clone is 0: only root may create them")
		} else {
			why = append(why, "kernel.unprivileged_userns_clone is 1")
		}
	}
	if n, err := readIntFile(filepath.Join(sys, "kernel", "apparmor_restrict_unprivileged_userns")); err == nil && n == 1 {
		f.Available = false
		why = append(why, "kernel.apparmor_restrict_unprivileged_userns is 1: AppArmor lets only profiled programs create them")
	}
	f.Why = strings.Join(why, "; ")
	return f
}

// seccompFeature reads whether the kernel filters system calls: the Seccomp
// line of /proc/self/status and the actions it offers.
func (fs FS) seccompFeature() Feature {
	f := Feature{Name: "seccomp"}
	b, err := os.ReadFile(filepath.Join(fs.Proc, "self", "status"))
	if err != nil {
		f.Why = "/proc/self/status is not readable: " + reason(err)
		return f
	}
	st, err := parseStatus(string(b))
	if err != nil || !st.HasSeccomp {
		f.Why = "no Seccomp line in /proc/self/status: the kernel was built without CONFIG_SECCOMP"
		return f
	}
	f.Available = true
	f.Why = "the kernel filters system calls (Seccomp line in /proc/self/status)"
	if a, err := os.ReadFile(filepath.Join(fs.Proc, "sys", "kernel", "seccomp", "actions_avail")); err == nil {
		f.Why += "; actions: " + strings.TrimSpace(string(a))
	}
	return f
}

// hidePIDOption is the hidepid= option of the /proc mount, "" when absent.
func (fs FS) hidePIDOption() string {
	v, _ := mountOption(fs.Proc, "/proc", "hidepid")
	return v
}

func (fs FS) hidePIDFeature() Feature {
	f := Feature{Name: "hidepid"}
	switch v := fs.hidePIDOption(); v {
	case "", "0", "off":
		f.Why = "/proc shows every process to every user (no hidepid option)"
	case "1", "noaccess":
		f.Available = true
		f.Why = "/proc is mounted with hidepid=" + v + ": other users' processes are listed but their files are closed to you"
	default:
		f.Available = true
		f.Why = "/proc is mounted with hidepid=" + v + ": other users' processes are invisible unless you are root or in the gid= group"
	}
	return f
}
