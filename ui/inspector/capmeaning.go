package inspector

import "strings"

// capMeaning is one short line per Linux capability (capabilities(7)), in our
// own words: what a process holding it may do that others may not.
var capMeaning = map[string]string{
	"cap_chown":              "change the owner of any file",
	"cap_dac_override":       "read, write and run files regardless of their permissions",
	"cap_dac_read_search":    "read any file and list any directory",
	"cap_fowner":             "act as the owner of any file (chmod, utime, …)",
	"cap_fsetid":             "keep set-user-ID bits when changing files it does not own",
	"cap_kill":               "send signals to processes of other users",
	"cap_setgid":             "change its group ids and forge group credentials",
	"cap_setuid":             "change its user ids, e.g. become any user",
	"cap_setpcap":            "pass on or drop capabilities from the bounding set",
	"cap_linux_immutable":    "set the immutable and append-only file flags",
	"cap_net_bind_service":   "listen on ports below 1024",
	"cap_net_broadcast":      "send broadcasts and listen to multicast",
	"cap_net_admin":          "configure interfaces, routes and firewalls",
	"cap_net_raw":            "open raw and packet sockets (ping, sniffing)",
	"cap_ipc_lock":           "lock memory so it is never swapped out",
	"cap_ipc_owner":          "bypass permission checks on System V IPC objects",
	"cap_sys_module":         "load and unload kernel modules",
	"cap_sys_rawio":          "talk to hardware ports and /dev/mem directly",
	"cap_sys_chroot":         "call chroot to change its root directory",
	"cap_sys_ptrace":         "trace and read the memory of any process",
	"cap_sys_pacct":          "switch process accounting on or off",
	"cap_sys_admin":          "mount, create namespaces and much more: nearly root",
	"cap_sys_boot":           "reboot the machine or load a new kernel",
	"cap_sys_nice":           "raise priorities and set real-time scheduling",
	"cap_sys_resource":       "go past resource limits and quotas",
	"cap_sys_time":           "set the system clock",
	"cap_sys_tty_config":     "hang up and configure terminals",
	"cap_mknod":              "create device files",
	"cap_lease":              "take leases on files it does not own",
	"cap_audit_write":        "write records to the kernel audit log",
	"cap_audit_control":      "configure kernel auditing",
	"cap_setfcap":            "give files capabilities",
	"cap_mac_override":       "override the mandatory access control (LSM) policy",
	"cap_mac_admin":          "change the mandatory access control (LSM) policy",
	"cap_syslog":             "read and clear the kernel log",
	"cap_wake_alarm":         "set alarms that wake the system from suspend",
	"cap_block_suspend":      "keep the system from suspending",
	"cap_audit_read":         "read the kernel audit log over multicast",
	"cap_perfmon":            "use performance monitoring and perf events",
	"cap_bpf":                "load BPF programs and create BPF maps",
	"cap_checkpoint_restore": "checkpoint and restore processes (set PIDs, …)",
}

// capOrder is the capabilities in kernel number order, for stable listings.
var capOrder = []string{
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid",
	"cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
	"cap_net_bind_service", "cap_net_broadcast", "cap_net_admin", "cap_net_raw",
	"cap_ipc_lock", "cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
	"cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
	"cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
	"cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override",
	"cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend", "cap_audit_read",
	"cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
}

// meaningOf is the short meaning of a capability, whatever its spelling
// ("CAP_NET_RAW", "net_raw", "cap_net_raw").
func meaningOf(name string) string {
	n := strings.ToLower(name)
	if !strings.HasPrefix(n, "cap_") {
		n = "cap_" + n
	}
	if m, ok := capMeaning[n]; ok {
		return m
	}
	return "a capability this table does not know (newer kernel?)"
}

// capKey is the canonical spelling used by capOrder.
func capKey(name string) string {
	n := strings.ToLower(name)
	if !strings.HasPrefix(n, "cap_") {
		n = "cap_" + n
	}
	return n
}
