//go:build !linux

package probe

import (
	"net"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/nsrun"
)

// OpenContainer needs Linux network namespaces.
func OpenContainer(c *graph.Container) (net.PacketConn, error) { return nil, nsrun.ErrUnsupported }
