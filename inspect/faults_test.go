package inspect

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
)

var pathErr = fs.PathError{Op: "open", Path: "/proc/1/environ", Err: syscall.EACCES}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want error
	}{
		{&fs.PathError{Op: "open", Path: "/proc/1/environ", Err: syscall.EACCES}, ErrDenied},
		{&fs.PathError{Op: "read", Path: "/proc/1/syscall", Err: syscall.EPERM}, ErrDenied},
		{&fs.PathError{Op: "open", Path: "/proc/9/stat", Err: syscall.ENOENT}, ErrGone},
		{&fs.PathError{Op: "read", Path: "/proc/2/environ", Err: syscall.ESRCH}, ErrGone},
	} {
		if got := classify(tc.err); !errors.Is(got, tc.want) {
			t.Errorf("classify(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if classify(nil) != nil {
		t.Error("classify(nil) != nil")
	}
	other := errors.New("boom")
	if classify(other) != other || reason(other) != "boom" {
		t.Error("an unrelated error must pass through")
	}
	if r := reason(&fs.PathError{Op: "read", Path: "/proc/2/environ", Err: syscall.ESRCH}); r == "" || r == ErrGone.Error() {
		t.Errorf("ESRCH on one file is 'not available', not 'gone': %q", r)
	}
}
