package uitest

import (
	"fmt"
	"sync"

	"procbox/inspect"
)

// Inspector is a fake common.Inspector over a fixed set of processes. Hold
// Mu to change its fields while a command may be reading them.
type Inspector struct {
	Mu       sync.Mutex
	ProcRows []inspect.ProcRow
	Snaps    map[int]inspect.Snapshot
	Errs     map[int]error
	Secrets  map[string]string // unmasked env values by name
	Report   inspect.HostReport
	TableErr error
	Tables   int // how many times Table was called
	// MemTotalBytes is the host's RAM MemTotal reports (0: an error).
	MemTotalBytes int64
	// SnapshotFunc, when set, answers Snapshot for PIDs not in Snaps or Errs
	// (a fake engine's children).
	SnapshotFunc func(pid int) (inspect.Snapshot, bool)
}

// Table is the process table.
func (f *Inspector) Table() ([]inspect.ProcRow, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Tables++
	if f.TableErr != nil {
		return nil, f.TableErr
	}
	return append([]inspect.ProcRow(nil), f.ProcRows...), nil
}

// Snapshot is one process, or an error wrapping inspect.ErrGone.
func (f *Inspector) Snapshot(pid int) (inspect.Snapshot, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if err, ok := f.Errs[pid]; ok {
		return inspect.Snapshot{}, err
	}
	if s, ok := f.Snaps[pid]; ok {
		return s, nil
	}
	if f.SnapshotFunc != nil {
		if s, ok := f.SnapshotFunc(pid); ok {
			return s, nil
		}
	}
	return inspect.Snapshot{}, fmt.Errorf("pid %d: %w", pid, inspect.ErrGone)
}

// Doctor is the fixed host report.
func (f *Inspector) Doctor() inspect.HostReport {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.Report
}

// RevealEnv is the unmasked value of one environment variable.
func (f *Inspector) RevealEnv(pid int, name string) (string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if v, ok := f.Secrets[name]; ok {
		return v, nil
	}
	return f.Snaps[pid].Env[name], nil
}

// SetErr makes pid fail with err from now on.
func (f *Inspector) SetErr(pid int, err error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.Errs[pid] = err
}

// MemTotal is the host's RAM, for the picker's MEM%.
func (f *Inspector) MemTotal() (int64, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.MemTotalBytes <= 0 {
		return 0, fmt.Errorf("no meminfo in the fake")
	}
	return f.MemTotalBytes, nil
}
