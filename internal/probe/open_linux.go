package probe

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strconv"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/nsrun"
)

// OpenContainer opens a raw ICMP socket in c's network namespace, entered
// through its process (or Docker's sandbox key); host-mode containers use
// netviz's own namespace.
func OpenContainer(c *graph.Container) (net.PacketConn, error) {
	if c.Namespace == graph.HostNamespaceID {
		return ListenICMP(nil)
	}
	path := c.SandboxKey
	if c.Pid > 0 {
		path = "/proc/" + strconv.Itoa(c.Pid) + "/ns/net"
	}
	ns, err := nsrun.Open(path)
	if err != nil && c.SandboxKey != "" && path != c.SandboxKey {
		ns, err = nsrun.Open(c.SandboxKey)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("container %s exited: its namespace is gone", c.Name)
	}
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	return ListenICMP(ns)
}
