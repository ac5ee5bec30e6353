package inspect

import (
	"strings"
	"testing"
)

var secretCases = []struct {
	name, value string
	secret      bool
}{
	{"GITHUB_TOKEN", "abc", true},
	{"db_password", "hunter2", true},
	{"MYSQL_PASSWD", "x", true},
	{"AWS_SECRET_ACCESS_KEY", "x", true},
	{"API_KEY", "x", true},
	{"GOOGLE_APPLICATION_CREDENTIALS", "/x.json", true},
	{"HTTP_AUTHORIZATION", "Basic abc", true},
	{"DATABASE_URL", "postgres://app:s3cret@db:5432/app", true},
	{"DATABASE_URL", "postgres://db:5432/app", false},
	{"TLS", "-----BEGIN PRIVATE KEY-----\nMIIE", true},
	{"X", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", true},
	{"X", "AKIAIOSFODNN7EXAMPLE", true},
	{"X", "xoxb-1234567890-abcdef", true},
	{"X", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig", true},
	{"HOME", "/home/alice", false},
	{"PATH", "/usr/bin:/bin", false},
	{"TOKEN", "", false}, // nothing to hide
}

func TestLooksSecret(t *testing.T) {
	for _, tc := range secretCases {
		if got := LooksSecret(tc.name, tc.value); got != tc.secret {
			t.Errorf("LooksSecret(%q, %q) = %v, want %v", tc.name, tc.value, got, tc.secret)
		}
	}
}

func TestMaskEnv(t *testing.T) {
	in := map[string]string{"HOME": "/root", "DB_PASSWORD": "hunter2", "NOTE": "ünïcode"}
	got := MaskEnv(in)
	if got["HOME"] != "/root" || got["NOTE"] != "ünïcode" {
		t.Errorf("plain values changed: %v", got)
	}
	if got["DB_PASSWORD"] != "•••• (masked, 7 chars)" {
		t.Errorf("masked = %q", got["DB_PASSWORD"])
	}
	if in["DB_PASSWORD"] != "hunter2" {
		t.Error("MaskEnv changed its input")
	}
	if strings.Contains(MaskValue("hunter2"), "hunter2") {
		t.Error("mask shows the value")
	}
}
