package isolate

import (
	"fmt"

	seccomp "github.com/elastic/go-seccomp-bpf"
)

// loadSeccomp installs a filter that fails the named syscalls (and their
// newer forms, see syscallAliases) with EPERM and allows everything else.
// TSYNC puts it on every thread of the process at once; filters only ever
// add up, so a later call can deny more but never allow again.
func loadSeccomp(names []string) error {
	denied := expandSyscalls(names)
	if len(denied) == 0 {
		return nil
	}
	filter := seccomp.Filter{
		NoNewPrivs: true,
		Flag:       seccomp.FilterFlagTSync,
		Policy: seccomp.Policy{
			DefaultAction: seccomp.ActionAllow,
			Syscalls:      []seccomp.SyscallGroup{{Names: denied, Action: seccomp.ActionErrno}},
		},
	}
	if err := seccomp.LoadFilter(filter); err != nil {
		return fmt.Errorf("seccomp filter denying %v: %v", denied, err)
	}
	return nil
}
