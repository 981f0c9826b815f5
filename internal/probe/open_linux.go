package probe

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
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
	ns, err := openNS(c)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	return ListenICMP(ns)
}

// LiveEnv is the probe environment of this host: sockets opened inside each
// container's namespace, /etc/hosts read through /proc/PID/root.
func LiveEnv() Env {
	return Env{
		ICMP: OpenContainer,
		DNS: func(c *graph.Container) (net.Conn, error) {
			ns, err := openNS(c)
			if err != nil {
				return nil, err
			}
			defer ns.Close()
			return DialDNS(ns)
		},
		Hosts: func(c *graph.Container) (string, error) {
			if c.Pid <= 0 {
				return "", fmt.Errorf("container %s has no process", c.Name)
			}
			data, err := os.ReadFile("/proc/" + strconv.Itoa(c.Pid) + "/root/etc/hosts")
			if errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("container %s exited", c.Name)
			}
			return string(data), err
		},
	}
}

func openNS(c *graph.Container) (*nsrun.NS, error) {
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
	return ns, err
}
