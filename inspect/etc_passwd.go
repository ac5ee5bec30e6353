package inspect

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// parseIDNames parses /etc/passwd or /etc/group (passwd(5), group(5)):
// "name:x:ID:..." lines into id → name. The first name for an id wins, as
// getpwuid(3) would answer.
func parseIDNames(text string) map[int]string {
	out := map[int]string{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, ":", 4)
		if len(f) < 3 || f[0] == "" {
			continue
		}
		id, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		if _, dup := out[id]; !dup {
			out[id] = f[0]
		}
	}
	return out
}

// idNames caches the passwd and group tables of one Etc root. They are read
// once per FS value's root: a table scan every second must not re-read them.
type idNames struct {
	once   sync.Once
	users  map[int]string
	groups map[int]string
}

var (
	namesMu    sync.Mutex
	namesCache = map[string]*idNames{}
)

func (fs FS) names() *idNames {
	namesMu.Lock()
	n := namesCache[fs.Etc]
	if n == nil {
		n = &idNames{}
		namesCache[fs.Etc] = n
	}
	namesMu.Unlock()
	n.once.Do(func() {
		n.users, n.groups = map[int]string{}, map[int]string{}
		if b, err := os.ReadFile(filepath.Join(fs.Etc, "passwd")); err == nil {
			n.users = parseIDNames(string(b))
		}
		if b, err := os.ReadFile(filepath.Join(fs.Etc, "group")); err == nil {
			n.groups = parseIDNames(string(b))
		}
	})
	return n
}

// userName is the name of uid, or its number when it has none.
func (fs FS) userName(uid int) string {
	if n, ok := fs.names().users[uid]; ok {
		return n
	}
	return strconv.Itoa(uid)
}

func (fs FS) userID(id int) ID  { return ID{ID: id, Name: fs.names().users[id]} }
func (fs FS) groupID(id int) ID { return ID{ID: id, Name: fs.names().groups[id]} }
