//go:build !linux

package probe

import (
	"net"

	"github.com/netviz/netviz/internal/nsrun"
)

// ListenICMP needs Linux network namespaces.
func ListenICMP(ns *nsrun.NS) (net.PacketConn, error) { return nil, nsrun.ErrUnsupported }

// DialDNS needs Linux network namespaces.
func DialDNS(ns *nsrun.NS) (net.Conn, error) { return nil, nsrun.ErrUnsupported }
