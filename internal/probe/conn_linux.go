package probe

import (
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/icmp"
	"golang.org/x/sys/unix"

	"github.com/netviz/netviz/internal/nsrun"
)

// ListenICMP opens raw ICMP sockets inside ns (nil: netviz's own namespace).
// The sockets stay in that namespace after the thread returns. Needs
// CAP_NET_RAW in the namespace's owner (root).
//
// It is two sockets behind one net.PacketConn. Requests go out through one
// with IP_RECVERR set, because only then does the kernel report a request it
// dropped for want of a neighbour entry (ENOBUFS when the host's shared ARP
// table, net.ipv4.neigh.default.gc_thresh3, is full) instead of pretending
// it was sent — silence that would read as Docker's isolation. That socket
// filters out every ICMP type it could receive. Replies are read from a
// second socket without IP_RECVERR, which gets ICMP errors as packets rather
// than as socket errors.
func ListenICMP(ns *nsrun.NS) (net.PacketConn, error) {
	var recv, send *icmp.PacketConn
	open := func() (err error) {
		if recv, err = icmp.ListenPacket("ip4:icmp", "0.0.0.0"); err != nil {
			return err
		}
		if send, err = icmp.ListenPacket("ip4:icmp", "0.0.0.0"); err != nil {
			recv.Close()
			return err
		}
		if err = configureSender(send); err == nil {
			err = setsockopt(recv, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		}
		if err != nil {
			recv.Close()
			send.Close()
		}
		return err
	}
	var err error
	if ns == nil {
		err = open()
	} else {
		err = ns.Do(open)
	}
	if err != nil {
		return nil, fmt.Errorf("open ICMP socket: %w", err)
	}
	return &echoConn{PacketConn: recv, recv: recv, send: send}, nil
}

// configureSender sets IP_RECVERR and an ICMP filter that drops every type,
// so the sending socket's receive queue stays empty.
func configureSender(c *icmp.PacketConn) error {
	if err := setsockopt(c, unix.IPPROTO_IP, unix.IP_RECVERR, 1); err != nil {
		return err
	}
	const icmpFilter = 1 // ICMP_FILTER in linux/icmp.h, at level SOL_RAW
	return setsockopt(c, unix.SOL_RAW, icmpFilter, -1)
}

func rawConn(c *icmp.PacketConn) (syscall.RawConn, error) {
	ipc, ok := c.IPv4PacketConn().PacketConn.(syscall.Conn)
	if !ok {
		return nil, errors.New("raw socket has no file descriptor")
	}
	return ipc.SyscallConn()
}

func setsockopt(c *icmp.PacketConn, level, opt, value int) error {
	raw, err := rawConn(c)
	if err != nil {
		return err
	}
	var serr error
	if err := raw.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), level, opt, value) }); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("setsockopt %d/%d: %w", level, opt, serr)
	}
	return nil
}

// echoConn reads from one raw socket and writes through another.
type echoConn struct {
	net.PacketConn // the receiving socket
	recv           *icmp.PacketConn
	send           *icmp.PacketConn
}

// ReadFromStamped reads a packet like ReadFrom and says when the kernel
// received it (SO_TIMESTAMPNS): a round trip measured that way leaves out
// how long netviz took to get round to reading it.
func (c *echoConn) ReadFromStamped(b []byte) (int, net.Addr, time.Time, error) {
	raw, err := rawConn(c.recv)
	if err != nil {
		return 0, nil, time.Time{}, err
	}
	oob := make([]byte, 64)
	var n, oobn int
	var from unix.Sockaddr
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		n, oobn, _, from, rerr = unix.Recvmsg(int(fd), b, oob, unix.MSG_DONTWAIT)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, nil, time.Time{}, &net.OpError{Op: "read", Net: "ip4:icmp", Err: err}
	}
	// A raw IPv4 socket returns the IP header too; ReadFrom (net.IPConn)
	// strips it, and so does this.
	if n >= 20 && b[0]>>4 == 4 {
		if hl := int(b[0]&0x0f) * 4; hl >= 20 && hl <= n {
			n = copy(b, b[hl:n])
		}
	}
	var addr net.Addr
	if sa, ok := from.(*unix.SockaddrInet4); ok {
		addr = &net.IPAddr{IP: net.IP(sa.Addr[:]).To16()}
	}
	at := time.Now()
	if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range msgs {
			if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16 {
				ts := *(*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
				if t := time.Unix(ts.Unix()); t.Before(at) {
					at = t
				}
			}
		}
	}
	return n, addr, at, nil
}

// WriteTo sends through the IP_RECVERR socket. With IP_RECVERR an ICMP error
// about an earlier request is also left pending on the socket and fails the
// next send, whatever its destination; such a send is tried once more, so
// only errors about this request (ENOBUFS, no route) come back.
func (c *echoConn) WriteTo(b []byte, to net.Addr) (int, error) {
	n, err := c.send.WriteTo(b, to)
	if err != nil && !errors.Is(err, syscall.ENOBUFS) {
		n, err = c.send.WriteTo(b, to)
	}
	return n, err
}

func (c *echoConn) SetWriteDeadline(t time.Time) error { return c.send.SetWriteDeadline(t) }

func (c *echoConn) Close() error {
	return errors.Join(c.PacketConn.Close(), c.send.Close())
}

// DialDNS opens a UDP socket inside ns connected to Docker's embedded
// resolver at 127.0.0.11:53, which exists only inside container namespaces.
func DialDNS(ns *nsrun.NS) (net.Conn, error) {
	var conn net.Conn
	err := ns.Do(func() (err error) {
		conn, err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(EmbeddedDNS))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open DNS socket: %w", err)
	}
	return conn, nil
}
