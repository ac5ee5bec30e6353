package inspect

import (
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tcpStates names the st column of /proc/net/tcp (include/net/tcp_states.h).
var tcpStates = map[uint64]string{
	1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
	6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING",
	12: "NEW_SYN_RECV",
}

// parseNetIP parses /proc/PID/net/{tcp,tcp6,udp,udp6,raw,raw6} (proc_net(5)):
// a header line, then "sl local rem st ... inode ...". Addresses are hex
// "ADDR:PORT", the address in the kernel's byte order per 32-bit word. It
// returns socket inode → "proto local -> remote STATE".
func parseNetIP(text, proto string) (map[uint64]string, error) {
	out := map[uint64]string{}
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) == 0 {
			continue
		}
		if len(f) < 10 {
			return out, fmt.Errorf("%s line %q: too few fields", proto, line)
		}
		local, err := parseHexAddr(f[1])
		if err != nil {
			return out, fmt.Errorf("%s line %q: %w", proto, line, err)
		}
		remote, err := parseHexAddr(f[2])
		if err != nil {
			return out, fmt.Errorf("%s line %q: %w", proto, line, err)
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return out, fmt.Errorf("%s line %q: state: %w", proto, line, err)
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return out, fmt.Errorf("%s line %q: inode: %w", proto, line, err)
		}
		state := ""
		if strings.HasPrefix(proto, "tcp") {
			state = " " + tcpStates[st]
		}
		out[ino] = fmt.Sprintf("%s %s -> %s%s", proto, local, remote, state)
	}
	return out, nil
}

// parseHexAddr turns "0100007F:1F90" into "127.0.0.1:8080" and the 32-hex-digit
// IPv6 form into "[::1]:8080".
func parseHexAddr(s string) (string, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return "", fmt.Errorf("address %q: want ADDR:PORT", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return "", fmt.Errorf("address %q: port: %w", s, err)
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", fmt.Errorf("address %q: want 8 or 32 hex digits", s)
	}
	// Each 32-bit word is printed in host (little-endian) order.
	ip := make(net.IP, len(raw))
	for w := 0; w < len(raw); w += 4 {
		ip[w], ip[w+1], ip[w+2], ip[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	return net.JoinHostPort(ip.String(), strconv.FormatUint(port, 10)), nil
}

// parseNetUnix parses /proc/PID/net/unix: "Num RefCount Protocol Flags Type
// St Inode [Path]". It returns inode → "unix PATH" (or "unix (unnamed)");
// abstract socket names start with "@".
func parseNetUnix(text string) (map[uint64]string, error) {
	out := map[uint64]string{}
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) == 0 {
			continue
		}
		if len(f) < 7 {
			return out, fmt.Errorf("unix line %q: too few fields", line)
		}
		ino, err := strconv.ParseUint(f[6], 10, 64)
		if err != nil {
			return out, fmt.Errorf("unix line %q: inode: %w", line, err)
		}
		path := "(unnamed)"
		if len(f) >= 8 {
			path = strings.Join(f[7:], " ")
		}
		out[ino] = "unix " + path
	}
	return out, nil
}

// readSockets reads every socket table of the process's network namespace.
// Tables that cannot be read (no IPv6, say) are skipped: a socket then has
// no Detail, which is honest.
func (fs FS) readSockets(pid int) map[uint64]string {
	dir := filepath.Join(fs.Proc, itoa(pid), "net")
	out := map[uint64]string{}
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6", "raw", "raw6"} {
		b, err := os.ReadFile(filepath.Join(dir, proto))
		if err != nil {
			continue
		}
		m, _ := parseNetIP(string(b), proto)
		for k, v := range m {
			out[k] = v
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "unix")); err == nil {
		m, _ := parseNetUnix(string(b))
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
