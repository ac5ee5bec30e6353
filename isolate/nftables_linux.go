package isolate

// The nat table iptables makes on a host with the nf_tables backend (Debian
// 12's iptables): the nf_tables table "ip nat". iptables makes it, with its
// four base chains, for the first rule and never removes it; base chains in
// the nat hooks turn connection tracking on for the whole namespace. When the
// lesson's first rule made the table, the cleanup deletes it again once no
// rule is left in it, with the message `nft delete table ip nat` sends. This
// is the one nf_tables netlink procbox speaks: two messages, table by name.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// nftTable is the nf_tables table iptables' nat table lives in.
const nftTable = "nat"

// natTableExists reports whether the nf_tables table "ip nat" exists.
func natTableExists() (bool, error) {
	err := nftExchange(false, nftMsg(unix.NFT_MSG_GETTABLE, unix.NLM_F_REQUEST|unix.NLM_F_ACK, 1, unix.NFPROTO_IPV4, 0, nftNameAttr()))
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	return err == nil, err
}

// deleteNATTable deletes the nf_tables table "ip nat" with its chains, in
// one batch (nf_tables changes only in batches).
func deleteNATTable() error {
	var b []byte
	b = append(b, nftMsg(unix.NFNL_MSG_BATCH_BEGIN, unix.NLM_F_REQUEST, 1, unix.AF_UNSPEC, unix.NFNL_SUBSYS_NFTABLES, nil)...)
	b = append(b, nftMsg(unix.NFT_MSG_DELTABLE, unix.NLM_F_REQUEST|unix.NLM_F_ACK, 2, unix.NFPROTO_IPV4, 0, nftNameAttr())...)
	b = append(b, nftMsg(unix.NFNL_MSG_BATCH_END, unix.NLM_F_REQUEST, 3, unix.AF_UNSPEC, unix.NFNL_SUBSYS_NFTABLES, nil)...)
	return nftExchange(true, b)
}

// nftNameAttr is the NFTA_TABLE_NAME attribute: "nat" and its NUL, padded.
func nftNameAttr() []byte {
	name := append([]byte(nftTable), 0)
	a := make([]byte, 4, 4+len(name)+3)
	binary.NativeEndian.PutUint16(a[0:], uint16(4+len(name)))
	binary.NativeEndian.PutUint16(a[2:], unix.NFTA_TABLE_NAME)
	a = append(a, name...)
	for len(a)%4 != 0 {
		a = append(a, 0)
	}
	return a
}

// nftMsg builds one netlink message: the header, the nfgenmsg (family,
// version, resource id in network order) and the attributes. The batch
// markers are nfnetlink's own types; the rest are nf_tables' subsystem.
func nftMsg(typ, flags int, seq uint32, family uint8, resID uint16, attrs []byte) []byte {
	t := uint16(typ)
	if typ != unix.NFNL_MSG_BATCH_BEGIN && typ != unix.NFNL_MSG_BATCH_END {
		t = uint16(unix.NFNL_SUBSYS_NFTABLES<<8 | typ)
	}
	m := make([]byte, unix.NLMSG_HDRLEN+4, unix.NLMSG_HDRLEN+4+len(attrs))
	binary.NativeEndian.PutUint32(m[0:], uint32(unix.NLMSG_HDRLEN+4+len(attrs)))
	binary.NativeEndian.PutUint16(m[4:], t)
	binary.NativeEndian.PutUint16(m[6:], uint16(flags))
	binary.NativeEndian.PutUint32(m[8:], seq)
	m[unix.NLMSG_HDRLEN] = family
	m[unix.NLMSG_HDRLEN+1] = unix.NFNETLINK_V0
	binary.BigEndian.PutUint16(m[unix.NLMSG_HDRLEN+2:], resID)
	return append(m, attrs...)
}

// nftExchange sends msgs on a netfilter netlink socket (in the calling
// thread's network namespace) and waits for the acknowledgement of the one
// request that asked for it; its error (ENOENT, EBUSY, ...) comes back.
func nftExchange(batch bool, msgs []byte) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return fmt.Errorf("netfilter netlink socket: %w", err)
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 5}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	if err := unix.Sendto(fd, msgs, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netfilter netlink send: %w", err)
	}
	want := uint32(1) // the GETTABLE's sequence number; the DELTABLE's in a batch
	if batch {
		want = 2
	}
	buf := make([]byte, os.Getpagesize()*2)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return fmt.Errorf("netfilter netlink receive: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Header.Type != unix.NLMSG_ERROR || len(m.Data) < 4 {
				continue // the table itself, for a GETTABLE
			}
			code := int32(binary.NativeEndian.Uint32(m.Data))
			if code != 0 {
				return unix.Errno(-code)
			}
			if m.Header.Seq == want {
				return nil
			}
		}
	}
}
