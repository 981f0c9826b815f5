//go:build !linux

package probe

import (
	"net"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/nsrun"
)

// OpenContainer needs Linux network namespaces.
func OpenContainer(c *graph.Container) (net.PacketConn, error) { return nil, nsrun.ErrUnsupported }

// LiveEnv needs Linux network namespaces.
func LiveEnv() Env {
	fail := func(c *graph.Container) (net.PacketConn, error) { return nil, nsrun.ErrUnsupported }
	return Env{ICMP: fail,
		DNS:   func(c *graph.Container) (net.Conn, error) { return nil, nsrun.ErrUnsupported },
		Hosts: func(c *graph.Container) (string, error) { return "", nsrun.ErrUnsupported }}
}
