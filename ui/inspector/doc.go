// Package inspector draws one process in tabs (Overview, Files, Env, Memory,
// Registers, Namespaces, cgroups, Security) and two processes side by side
// (Compare). It reads processes only through common.Inspector, in commands,
// never in Update, and never opens another screen itself.
package inspector
