package inspect

import (
	"strings"
	"testing"
)

// secretCases is the masking corpus: at least 60 values that must be masked
// and 30 that must not (TestSecretCorpusSize keeps it so).
var secretCases = []struct {
	name, value string
	secret      bool
}{
	// Secret by name.
	{"GITHUB_TOKEN", "abc", true},
	{"db_password", "hunter2", true},
	{"MYSQL_PASSWD", "x", true},
	{"AWS_SECRET_ACCESS_KEY", "x", true},
	{"API_KEY", "x", true},
	{"GOOGLE_APPLICATION_CREDENTIALS", "/x.json", true},
	{"HTTP_AUTHORIZATION", "Basic abc", true},
	{"MYSQL_PWD", "s3cret", true},
	{"DB_PASS", "s3cret", true},
	{"SSHPASS", "s3cret", true},
	{"BORG_PASSPHRASE", "correct horse battery staple", true},
	{"RESTIC_PASSWORD", "x", true},
	{"PGPASSWORD", "x", true},
	{"REDIS_PASS", "x", true},
	{"smtp-pass", "x", true},
	{"ldap.bind.pwd", "x", true},
	{"APIKEY", "x", true},
	{"NPM_TOKEN", "npm_abcdefghijklmnop", true},
	{"VAULT_TOKEN", "s.abcdef", true},
	{"GPG_PASSPHRASE", "x", true},
	{"DOCKER_AUTH_CONFIG", "{}", true},
	{"OAUTH_CLIENT_SECRET", "x", true},
	{"SIGNING_KEY", "x", true},
	{"PRIVATE_KEY_PATH", "/etc/key.pem", true},
	{"AZURE_CREDENTIALS", "{}", true},
	{"ADMIN_PASSWORD_HASH", "$6$x", true},
	// Secret by value: credentials in URLs.
	{"DATABASE_URL", "postgres://app:s3cret@db:5432/app", true},
	{"REDIS_URL", "redis://:pw@cache:6379/0", true},
	{"DATABASE_URL", "postgres://app:ab/cd+Ef9==@db/app", true},
	{"AMQP_URL", "amqp://guest:guest@rabbit:5672/", true},
	{"MONGO", "mongodb+srv://u:p%40ss@cluster0.example.net/db", true},
	{"PROXY", "http://bob:pa:ss@proxy:3128", true},
	{"FTP", "ftp://anonymous:me@ftp.example.org/pub", true},
	{"GIT_REMOTE", "https://x-access-token:abc123@github.com/o/r.git", true},
	{"CONN", "mysql://root:@localhost/db", false}, // an empty password hides nothing
	// PEM blocks and well-known token formats.
	{"TLS", "-----BEGIN PRIVATE KEY-----\nMIIE", true},
	{"CERT", "-----BEGIN OPENSSH PRIVATE KEY-----", true},
	{"X", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", true},
	{"X", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", true},
	{"X", "glpat-abcdefghij0123456789", true},
	{"X", "AKIAIOSFODNN7EXAMPLE", true},
	{"X", "ASIAIOSFODNN7EXAMPLE", true},
	{"X", "xoxb-1234567890-abcdef", true},
	{"X", "xoxp-1234567890-abcdef", true},
	{"X", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig", true},
	{"X", "sk-abcdefghijklmnopqrstuvwxyz012345", true},
	{"STRIPE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", true},
	{"STRIPE", "rk_live_4eC39HqLyjWDarjtT1zdp7dc", true},
	{"STRIPE", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", true},
	// Slack webhooks.
	{"SLACK", "https://hooks.slack.com/services/T000/B000/XXXXXXXX", true},
	{"NOTIFY", "https://hooks.slack.com/workflows/T01/A02/123/abc", true},
	// Connection strings.
	{"SQLSERVER", "Server=db;Database=app;User Id=sa;Password=Str0ng!;", true},
	{"CONN", "Host=db;Username=app;Pwd=x;", true},
	{"CONN", "password=hunter2 host=db", true},
	{"STORAGE", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc123==;EndpointSuffix=core.windows.net", true},
	{"BUS", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abc=", true},
	// Authorization headers.
	{"HEADERS", "Authorization: Basic dXNlcjpwYXNzd29yZA==", true},
	{"CURL_HEADER", "Authorization: Bearer abcdef.ghijkl.mnop", true},
	{"X_HEADER", "basic dXNlcjpwYXNz", true},
	{"EXTRA", `Digest username="x", response="6629fae49393a05397450978507c4ef1"`, true},
	{"WWW", "Basic realm", false}, // a scheme name, no credential
	{"AUTH_HEADER_VALUE", "Token abc", true},
	{"ROUTER_ADMIN_PASS", "x", true},
	{"HDR", "Bearer 0123456789abcdef", true},

	// Not secret.
	{"DATABASE_URL", "postgres://db:5432/app", false},
	{"HOME", "/home/alice", false},
	{"PATH", "/usr/bin:/bin", false},
	{"TOKEN", "", false}, // nothing to hide
	{"PWD", "/home/alice/src", false},
	{"OLDPWD", "/home/alice", false},
	{"COMPASS_DIR", "/opt/compass", false},
	{"BYPASS_PROXY", "1", false},
	{"PASSENGER_APP_ENV", "production", false},
	{"SHELL", "/bin/bash", false},
	{"LANG", "en_US.UTF-8", false},
	{"TERM", "xterm-256color", false},
	{"USER", "alice", false},
	{"LOGNAME", "alice", false},
	{"EDITOR", "vim", false},
	{"PAGER", "less -R", false},
	{"TZ", "Europe/Paris", false},
	{"HOSTNAME", "web-1", false},
	{"XDG_RUNTIME_DIR", "/run/user/1000", false},
	{"SSH_TTY", "/dev/pts/0", false},
	{"DISPLAY", ":0", false},
	{"GOPATH", "/home/alice/go", false},
	{"HTTP_PROXY", "http://proxy.example.com:3128", false},
	{"NO_PROXY", "localhost,127.0.0.1,.internal", false},
	{"WEB", "https://example.com:8443/path?q=1", false},
	{"GIT_URL", "git@github.com:o/r.git", false},
	{"SSH_URL", "ssh://git@github.com/o/r.git", false},
	{"NOTE", "the password is in the vault", false},
	{"DOCS", "see https://hooks.example.com/services", false},
	{"MODE", "basic", false},
	{"GREETING", "Bearer of good news", false},
	{"CONFIG", "Server=db;Database=app;Trusted_Connection=True;", false},
	{"SK", "sk_live", false},
	{"AK", "AKIA", false},
	{"LS_COLORS", "rs=0:di=01;34:ln=01;36", false},
	{"JAVA_OPTS", "-Xmx512m -Dfile.encoding=UTF-8", false},
	{"PS1", "\\u@\\h:\\w$ ", false},
	{"MAIL", "/var/mail/alice", false},
	{"SHLVL", "2", false},
}

// TestSecretCorpusSize keeps the corpus as large as the issue asks.
func TestSecretCorpusSize(t *testing.T) {
	pos, neg := 0, 0
	for _, c := range secretCases {
		if c.secret {
			pos++
		} else {
			neg++
		}
	}
	if pos < 60 || neg < 30 {
		t.Errorf("corpus has %d positive and %d negative cases; want at least 60 and 30", pos, neg)
	}
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

// BenchmarkLooksSecret is the masking of one ordinary environment: what
// every snapshot pays once per variable.
func BenchmarkLooksSecret(b *testing.B) {
	env := map[string]string{
		"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/home/alice",
		"LANG": "C.UTF-8", "SHELL": "/bin/bash", "TERM": "xterm-256color", "USER": "alice", "SHLVL": "2",
		"LS_COLORS": "rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:do=01;35:bd=40;33;01:cd=40;33;01",
		"JAVA_OPTS": "-Xmx512m -Dfile.encoding=UTF-8", "PWD": "/home/alice/src", "OLDPWD": "/home/alice",
		"XDG_RUNTIME_DIR": "/run/user/1000", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
		"SSH_CONNECTION": "10.0.2.2 52144 10.0.2.15 22", "EDITOR": "vim", "PAGER": "less",
		"DATABASE_URL": "postgres://app:hunter2@db:5432/app", "GITHUB_TOKEN": "ghp_0123456789abcdefghij0123",
	}
	for b.Loop() {
		MaskEnv(env)
	}
}
