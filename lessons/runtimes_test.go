package lessons

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"procbox/isolate"
)

// TestRuncCheckReadsTheContainer: the runtimes steps pass only on runc's
// container as config.json made it; each way a process can fall short of
// it fails the check and says what is missing.
func TestRuncCheckReadsTheContainer(t *testing.T) {
	l, _ := Find("runtimes")
	steps := map[string]Step{}
	for _, s := range l.Steps {
		steps[s.ID] = s
	}
	base := func(key string) isolate.Observed { return afterCommands(t, key) }
	for _, tt := range []struct {
		name, step, want string
		edit             func(*isolate.Observed)
	}{
		{"not named by runc", "runc", "no container runc knows", func(o *isolate.Observed) { o.Container = "" }},
		{"another runtime's container", "runc", "not runc's", func(o *isolate.Observed) { o.Container = "docker web" }},
		{"another runc container", "runc", "not runc's", func(o *isolate.Observed) { o.Container = "runc other" }},
		{"a learner-oci container not named by the commands", "runc", "not runc's", func(o *isolate.Observed) { o.Container = "runc learner-oci-x1" }},
		{"the name without the shell's PID", "runc", "not runc's", func(o *isolate.Observed) { o.Container = "runc learner-oci" }},
		{"shares the host's network", "runc", "net namespace", func(o *isolate.Observed) { o.NSInodes["net"] = hostObserved().NSInodes["net"] }},
		{"not PID 1", "runc", "PID 1", func(o *isolate.Observed) { o.InnerPID = 7 }},
		{"Docker's fourteen capabilities", "runc", "bounding set", func(o *isolate.Observed) { o.CapBnd = dockerDefaultCaps }},
		{"one capability short", "runc", "bounding set", func(o *isolate.Observed) { o.CapBnd = []string{"cap_kill", "cap_audit_write"} }},
		{"no_new_privs unset", "runc", "no_new_privs", func(o *isolate.Observed) { o.NoNewPrivs = false }},
		{"another hostname", "runc", "hostname", func(o *isolate.Observed) { o.Hostname = "box" }},
		{"a filter runc spec never asked for", "runc", "seccomp filter", func(o *isolate.Observed) { o.Seccomp = 2 }},
		{"no filter after the sed", "defaults", "no seccomp filter", func(o *isolate.Observed) { o.Seccomp = 0 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := steps[tt.step]
			o := base("runtimes/" + tt.step)
			tt.edit(&o)
			r := s.EvaluateDIY(State{Shell: &isolate.ShellTrace{Host: hostObserved(), Procs: []isolate.Observed{o}}})
			if r.Passed || !strings.Contains(r.Missing, tt.want) {
				t.Errorf("want a failure naming %q, got %+v", tt.want, r)
			}
		})
	}
}

// TestRuntimeDefaultsInText: the text names Docker's fourteen capabilities
// and runc spec's three exactly as the checks and tests hold them, and
// runc's are among Docker's.
func TestRuntimeDefaultsInText(t *testing.T) {
	if len(dockerDefaultCaps) != 14 {
		t.Fatalf("Docker's default allowlist has 14 capabilities, the list here %d", len(dockerDefaultCaps))
	}
	for _, c := range runcSpecCaps {
		if !slices.Contains(dockerDefaultCaps, c) {
			t.Errorf("%s is runc's but not Docker's", c)
		}
	}
	l, _ := Find("runtimes")
	var defaults string
	for _, s := range l.Steps {
		if s.ID == "defaults" {
			defaults, _ = s.Body()
		}
	}
	docker, _, _ := strings.Cut(defaults, "Both are allowlists")
	_, docker, _ = strings.Cut(docker, "Docker keeps fourteen")
	named := regexp.MustCompile("`(CAP_[A-Z_]+)`").FindAllStringSubmatch(docker, -1)
	var got []string
	for _, m := range named {
		got = append(got, strings.ToLower(m[1]))
	}
	slices.Sort(got)
	got = slices.Compact(got)
	if !slices.Equal(got, dockerDefaultCaps) {
		t.Errorf("the text's Docker list %v is not %v", got, dockerDefaultCaps)
	}
}
