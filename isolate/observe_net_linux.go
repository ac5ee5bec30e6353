package isolate

// What Observe reads of a process's network namespace besides its
// interfaces: the kind of each link and the bridge it is plugged into
// (ip-link(8)), the IPv4 routes (ip-route(8)), net.ipv4.ip_forward, and the
// TCP sockets (/proc/PID/net/tcp, proc(5)). See network_namespaces(7).

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
)

// observeLinks adds each interface's kind and master, and returns the IPv4
// routes of the main table. It runs on a thread inside the namespace.
func observeLinks(ifs []Interface) ([]Route, error) {
	links, err := netlink.LinkList()
	if err != nil {
		return nil, err
	}
	names := map[int]string{}
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	for _, l := range links {
		for i := range ifs {
			if ifs[i].Name == l.Attrs().Name {
				ifs[i].Kind = l.Type()
				ifs[i].Master = names[l.Attrs().MasterIndex]
			}
		}
	}
	rs, err := netlink.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		return nil, err
	}
	var out []Route
	for _, r := range rs {
		if len(out) == maxRoutes {
			break // a namespace's owner can add any number: a reading stays small
		}
		rt := Route{Dst: "default", Dev: names[r.LinkIndex]}
		if r.Dst != nil {
			if ones, _ := r.Dst.Mask.Size(); ones > 0 || !r.Dst.IP.IsUnspecified() {
				rt.Dst = r.Dst.String()
			}
		}
		if r.Gw != nil {
			rt.Via = r.Gw.String()
		}
		out = append(out, rt)
	}
	return out, nil
}

// forwarding reads net.ipv4.ip_forward. /proc/sys/net shows the network
// namespace of the thread that opens it, so on a thread that joined a
// namespace it is that namespace's value.
func forwarding() (bool, error) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(string(b)) == "1", nil
}

// tcpStates names the st column of /proc/net/tcp (include/net/tcp_states.h).
var tcpStates = map[uint64]string{
	1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
	7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV",
}

// maxConns and maxRoutes bound how many sockets and routes one reading keeps.
const (
	maxConns  = 256
	maxRoutes = 64
)

// tcpConns reads the TCP sockets of pid's network namespace (IPv4 and IPv6).
func tcpConns(pid int) ([]Conn, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/net/"
	var out []Conn
	var first error
	for _, f := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(dir + f)
		if err != nil {
			if first == nil && !os.IsNotExist(err) {
				first = err
			}
			continue
		}
		out = append(out, parseTCPTable(b)...)
	}
	if len(out) > maxConns {
		out = out[:maxConns]
	}
	return out, first
}

// parseTCPTable parses /proc/net/tcp or tcp6: "sl local rem st ...", with
// addresses as hex in the kernel's byte order and ports as hex.
func parseTCPTable(b []byte) []Conn {
	var out []Conn
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasSuffix(f[0], ":") {
			continue // the header, or not a socket line
		}
		local, ok1 := parseTCPAddr(f[1])
		remote, ok2 := parseTCPAddr(f[2])
		st, err := strconv.ParseUint(f[3], 16, 8)
		if !ok1 || !ok2 || err != nil {
			continue
		}
		state := tcpStates[st]
		if state == "" {
			state = "?" + f[3]
		}
		out = append(out, Conn{Local: local, Remote: remote, State: state})
		if len(out) >= maxConns {
			break
		}
	}
	return out
}

// parseTCPAddr turns "0101C70A:1F40" into "10.199.1.1:8000". The address is
// an array of 32-bit words each in host byte order; an IPv4-mapped IPv6
// address comes out as IPv4, as ss prints it with ::ffff:.
func parseTCPAddr(s string) (string, bool) {
	hexIP, hexPort, ok := strings.Cut(s, ":")
	if !ok {
		return "", false
	}
	raw, err := hex.DecodeString(hexIP)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return "", false
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return "", false
	}
	ip := make(net.IP, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(ip[i:], binary.NativeEndian.Uint32(raw[i:]))
	}
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return net.JoinHostPort(ip.String(), strconv.FormatUint(port, 10)), true
}
