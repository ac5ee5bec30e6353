package lessons

import (
	"slices"
	"testing"
)

// TestToolsKnown reads the tools of every step of the catalog: each has a
// Debian package in the table (a step typing a new tool fails here until the
// table names its package), no shell builtin is taken for a tool, and a step
// that types commands names at least the shell's programs it runs.
func TestToolsKnown(t *testing.T) {
	typed := 0
	for _, l := range Catalog() {
		for _, s := range l.Steps {
			tools := s.Tools()
			if s.Typed() {
				typed++
			} else if len(tools) != 0 {
				t.Errorf("%s/%s: types nothing, yet names tools %v", l.ID, s.ID, tools)
			}
			for _, tool := range tools {
				if tool.Package == "" {
					t.Errorf("%s/%s types %s, which toolPackages does not know: add its Debian package (dpkg -S $(command -v %s))", l.ID, s.ID, tool.Name, tool.Name)
				}
				if shellWords[tool.Name] {
					t.Errorf("%s/%s: the builtin %s is taken for a tool", l.ID, s.ID, tool.Name)
				}
			}
		}
	}
	if typed < 30 {
		t.Errorf("only %d steps type commands: the By hand blocks or the DIY lines were not read", typed)
	}
}

// TestToolsSteps pins what some steps of the catalog run, one per way a
// program hides in a line: behind a wrapper, in $( ), in sh -c, after a pipe,
// and copied by its path.
func TestToolsSteps(t *testing.T) {
	want := map[string][]string{
		"namespaces/ipc":   {"ipcmk", "ipcs", "sh", "unshare"},
		"deeper/nat":       {"busybox", "ip", "iptables", "nsenter", "sh", "sleep", "sysctl", "unshare"},
		"deeper/nnp":       {"bash", "grep", "setpriv"},
		"runtimes/runc":    {"busybox", "cp", "grep", "hostname", "ln", "ls", "mkdir", "mktemp", "ps", "rm", "runc", "sed"},
		"byhand/layers":    {"capsh", "cp", "dirname", "grep", "ldd", "ls", "mkdir", "mount", "sh", "touch", "umount"},
		"security/seccomp": {"grep", "mkdir"},
	}
	for _, l := range Catalog() {
		for _, s := range l.Steps {
			w, ok := want[l.ID+"/"+s.ID]
			if !ok {
				continue
			}
			delete(want, l.ID+"/"+s.ID)
			var got []string
			for _, tool := range s.Tools() {
				got = append(got, tool.Name)
			}
			if !slices.Equal(got, w) {
				t.Errorf("%s/%s runs %v, want %v", l.ID, s.ID, got, w)
			}
		}
	}
	for k := range want {
		t.Errorf("no step %s in the catalog", k)
	}
}

// TestCommandTools covers the shell forms one by one.
func TestCommandTools(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{"echo hi; cd /; kill %1; exit", nil},
		{"sudo iptables -L | grep -c x && ip link || ss -t; nproc & wait", []string{"grep", "ip", "iptables", "nproc", "ss", "sudo"}},
		{"nsenter -t $P -n sh -c 'ip addr; busybox nc -l'", []string{"busybox", "ip", "nsenter", "sh"}},
		{"unshare --time --fork --boottime 864000 cat /proc/uptime", []string{"cat", "unshare"}},
		{"G=$(cat /x | tee y); echo $(( $(nproc) + 1 ))", []string{"cat", "nproc", "tee"}},
		{"for a in sh ls; do ln -s busybox $a; done", []string{"ln"}},
		{"[ -d $G ] || { G=/x; F=memory.max; }", nil},
		{"exec capsh --drop=cap_chown --shell=/bin/sh -- +m", []string{"capsh", "sh"}},
		{"echo 'ipcmk; runc' > /tmp/x # runc too", nil},
		{"env -i PATH=/bin X=1 perl -e 1 </dev/null 2>&1", []string{"env", "perl"}},
		{"timeout 2 sh -c \"while :; do :; done\"", []string{"sh", "timeout"}},
		{"sh -c 'exec 3</etc/hostname; ls -l /proc/$$/fd'", []string{"ls", "sh"}},
		{"procbox run --seccomp mkdir -- true", nil},
	} {
		if got := CommandTools(c.line); !slices.Equal(got, c.want) && (len(got) != 0 || len(c.want) != 0) {
			t.Errorf("%q runs %v, want %v", c.line, got, c.want)
		}
	}
}
