package inspect

import (
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prometheus/procfs"
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

// readSockets reads every socket table of the process's network namespace
// (/proc/PID/net/*): tcp, tcp6, udp, udp6 and unix through procfs, raw and
// raw6 with parseNetIP (procfs has no parser for them). Tables that cannot
// be read (no IPv6, say) are skipped: a socket then has no Detail, which is
// honest.
func (fs FS) readSockets(pid int) map[uint64]string {
	out := map[uint64]string{}
	pfs, err := procfs.NewFS(filepath.Join(fs.Proc, itoa(pid)))
	if err == nil {
		for _, t := range []struct {
			proto string
			read  func() (procfs.NetTCP, error)
		}{
			{"tcp", pfs.NetTCP}, {"tcp6", pfs.NetTCP6},
			{"udp", func() (procfs.NetTCP, error) { u, err := pfs.NetUDP(); return procfs.NetTCP(u), err }},
			{"udp6", func() (procfs.NetTCP, error) { u, err := pfs.NetUDP6(); return procfs.NetTCP(u), err }},
		} {
			lines, err := procfsCall("net/"+t.proto, t.read)
			if err != nil {
				continue
			}
			for _, l := range lines {
				if l == nil {
					continue
				}
				local := net.JoinHostPort(l.LocalAddr.String(), strconv.FormatUint(l.LocalPort, 10))
				remote := net.JoinHostPort(l.RemAddr.String(), strconv.FormatUint(l.RemPort, 10))
				state := ""
				if strings.HasPrefix(t.proto, "tcp") {
					state = " " + tcpStates[l.St]
				}
				out[l.Inode] = fmt.Sprintf("%s %s -> %s%s", t.proto, local, remote, state)
			}
		}
		if u, err := procfsCall("net/unix", pfs.NetUNIX); err == nil && u != nil {
			for _, l := range u.Rows {
				if l == nil {
					continue
				}
				path := l.Path
				if path == "" {
					path = "(unnamed)"
				}
				out[l.Inode] = "unix " + path
			}
		}
	}
	dir := filepath.Join(fs.Proc, itoa(pid), "net")
	for _, proto := range []string{"raw", "raw6"} {
		b, err := os.ReadFile(filepath.Join(dir, proto))
		if err != nil {
			continue
		}
		m, _ := parseNetIP(string(b), proto)
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
