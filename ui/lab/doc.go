// Package lab is the isolation Lab: a live child whose namespaces, cgroup
// limits, capabilities and seccomp rules are switched on and off, with the
// host's view and the child's view side by side and a log of what procbox
// did. It drives the child only through common.LabEngine and common.LabChild,
// always from tea.Cmds (every call may block), never from Update, and it
// never opens another screen itself.
package lab
