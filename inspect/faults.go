package inspect

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// classify turns an error from reading a /proc file into one of the package's
// sentinels where that applies, so callers can test with errors.Is and the
// per-section reason reads like an answer rather than a stack of paths.
// ENOENT and ESRCH mean the file (or the process) is not there; EACCES and
// EPERM mean the kernel refuses this caller.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrGone), errors.Is(err, ErrDenied):
		return err
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("%w (%v)", ErrDenied, err)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ESRCH):
		return fmt.Errorf("%w (%v)", ErrGone, err)
	}
	return err
}

// reason is the one-line text stored in Snapshot.Errors for a section.
func reason(err error) string {
	err = classify(err)
	switch {
	case errors.Is(err, ErrDenied):
		if os.Geteuid() == 0 {
			// Root refused: "needs root" would be a riddle. The kernel
			// protects the process from us by other means.
			return "permission denied even for root: the process is protected (an owning user namespace above ours, or a security policy)"
		}
		return ErrDenied.Error()
	case errors.Is(err, ErrGone):
		// For a live process a missing file is not "gone": the file is simply
		// not provided by this kernel (e.g. no /proc/PID/syscall without
		// CONFIG_HAVE_ARCH_TRACEHOOK), or a kernel thread has no such thing.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "not available: " + pe.Path + " does not exist or the kernel answered ESRCH"
		}
		return "not available"
	}
	return err.Error()
}
