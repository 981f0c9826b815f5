//go:build !linux

package probe

import (
	"net"

	"github.com/netviz/netviz/internal/nsrun"
)

// ListenICMP needs Linux network namespaces.
func ListenICMP(ns *nsrun.NS) (net.PacketConn, error) { return nil, nsrun.ErrUnsupported }
