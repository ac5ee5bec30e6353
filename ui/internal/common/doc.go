// Package common holds what every procbox screen shares and nothing that
// belongs to one screen: the Deps contract (the small interfaces ui declares
// and cmd/procbox implements), Styles, the KeyMap, cell fitting, usage bars,
// the clock and its ticks, the Screen interface and the messages the root
// and the screens exchange. It is internal to ui: screens import it, nothing
// outside ui does. Like all of ui it never touches the kernel (no
// x/sys/unix, syscall or procfs): data arrives through Deps.
package common
