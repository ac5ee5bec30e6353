package inspect

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

func TestTableFixture(t *testing.T) {
	rows, err := fixtureFS("cgroup-v1").Table()
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	byPID := map[int]ProcRow{}
	for _, r := range rows {
		pids = append(pids, r.PID)
		byPID[r.PID] = r
	}
	if !reflect.DeepEqual(pids, []int{1, 100, 200, 201, 300}) {
		t.Fatalf("pids %v", pids)
	}
	ctr := byPID[200]
	if ctr.Container != "docker" || ctr.Comm != "nginx: master (x)" || ctr.PPID != 150 || ctr.State != "S" {
		t.Errorf("container row %+v", ctr)
	}
	if byPID[201].Container != "docker" {
		t.Errorf("201 (docker, v2 cgroup path) = %+v", byPID[201])
	}
	host := byPID[100]
	if host.Container != "" || host.Nice != 5 || host.Threads != 7 || host.RSSBytes != 2048*int64(os.Getpagesize()) {
		t.Errorf("host row %+v", host)
	}
	// The uid comes from the owner of the fixture directory, whoever checked it out.
	if host.User == "" {
		t.Errorf("no user on %+v", host)
	}
}

func TestTableMissingProc(t *testing.T) {
	if _, err := (FS{Proc: fixture("nowhere")}).Table(); err == nil {
		t.Error("Table of a missing /proc: want an error")
	}
}

// The container marker is cached per (PID, start time, comm): an exec after
// unshare, or a reused PID, is seen on the next scan.
func TestTableMarkerCache(t *testing.T) {
	root := t.TempDir()
	writeProc := func(pid int, comm string, start int, pidNS string) {
		dir := filepath.Join(root, strconv.Itoa(pid))
		os.MkdirAll(filepath.Join(dir, "ns"), 0o755)
		stat := fmt.Sprintf("%d (%s) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 1000 10 0\n", pid, comm, start)
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644); err != nil {
			t.Fatal(err)
		}
		for kind, target := range map[string]string{"pid": pidNS, "mnt": "mnt:[2]"} {
			link := filepath.Join(dir, "ns", kind)
			os.Remove(link)
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
		}
	}
	writeProc(1, "init", 1, "pid:[1]")
	writeProc(5, "unshare", 100, "pid:[1]")
	fs := FS{Proc: root, Etc: fixture("etc")}
	marker := func() string {
		rows, err := fs.Table()
		if err != nil || len(rows) != 2 {
			t.Fatalf("rows %v err %v", rows, err)
		}
		return rows[1].Container
	}
	if m := marker(); m != "" {
		t.Fatalf("host process marked %q", m)
	}
	// unshare(2) without exec: the cached marker stands (documented).
	writeProc(5, "unshare", 100, "pid:[9]")
	if m := marker(); m != "" {
		t.Errorf("cached marker changed without exec: %q", m)
	}
	// The exec changes comm: the links are read again.
	writeProc(5, "sh", 100, "pid:[9]")
	if m := marker(); m != "isolated" {
		t.Errorf("after exec: marker %q, want isolated", m)
	}
	// A new process with the same PID (another start time) is read afresh.
	writeProc(5, "sh", 200, "pid:[1]")
	if m := marker(); m != "" {
		t.Errorf("reused PID: marker %q, want none", m)
	}
}
