package probe

import (
	"fmt"
	"net"

	"golang.org/x/net/icmp"

	"github.com/netviz/netviz/internal/nsrun"
)

// ListenICMP opens a raw ICMP socket inside ns (nil: netviz's own namespace).
// The socket stays in that namespace after the thread returns. Needs
// CAP_NET_RAW in the namespace's owner (root).
func ListenICMP(ns *nsrun.NS) (net.PacketConn, error) {
	var conn *icmp.PacketConn
	open := func() (err error) {
		conn, err = icmp.ListenPacket("ip4:icmp", "0.0.0.0")
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
	return conn, nil
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
