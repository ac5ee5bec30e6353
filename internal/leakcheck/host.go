package leakcheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Mounts is /proc/self/mountinfo as a set of lines without their mount and
// parent ids: a remount of the same thing is not a new mount.
func Mounts(t testing.TB) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatalf("read mountinfo: %v", err)
	}
	mounts := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 4 {
			mounts[strings.Join(f[2:], " ")] = true
		}
	}
	return mounts
}

// Cgroups lists, sorted, the directories below root whose name ours accepts,
// looking at most depth levels down (1: root's own entries only); it does not
// look inside one it accepts (what a child made there goes with it).
func Cgroups(root string, depth int, ours func(name string) bool) []string {
	var found []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == root {
			return nil
		}
		if ours(d.Name()) {
			found = append(found, p)
			return filepath.SkipDir
		}
		if strings.Count(strings.TrimPrefix(p, root), "/") >= depth {
			return filepath.SkipDir
		}
		return nil
	})
	sort.Strings(found)
	return found
}

// Links lists the network links whose names start with one of prefixes.
func Links(prefixes ...string) []string {
	ents, _ := os.ReadDir("/sys/class/net")
	var names []string
	for _, e := range ents {
		for _, p := range prefixes {
			if strings.HasPrefix(e.Name(), p) {
				names = append(names, e.Name())
				break
			}
		}
	}
	return names
}

// PPIDState is the parent and the state letter of pid, from /proc/PID/stat
// (read after the last ')': a command name may hold spaces and parentheses).
func PPIDState(pid int) (ppid int, state string, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, "", false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0], err == nil
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool {
	_, state, ok := PPIDState(pid)
	return ok && state != "Z"
}

// Children lists the children of ppid: the live ones, and the zombies too
// when zombies is set.
func Children(ppid int, zombies bool) []int {
	ents, _ := os.ReadDir("/proc")
	var kids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, state, ok := PPIDState(pid); ok && pp == ppid && (zombies || state != "Z") {
			kids = append(kids, pid)
		}
	}
	return kids
}
