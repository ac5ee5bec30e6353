package inspect

import (
	"os"
	"reflect"
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
