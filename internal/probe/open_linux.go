package probe

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"

	"github.com/gopacket/gopacket/pcapgo"

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
		Capture: openCapture,
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

// openCapture opens an AF_PACKET capture on a model interface, inside the
// namespace that holds it.
func openCapture(x *graph.Index, ifID string) (PacketSource, error) {
	i := x.Interface(ifID)
	if i == nil {
		return nil, fmt.Errorf("unknown interface %s", ifID)
	}
	if i.Namespace == graph.HostNamespaceID {
		return pcapgo.NewEthernetHandle(i.Name)
	}
	cs := x.ContainersIn(i.Namespace)
	if len(cs) == 0 {
		return nil, fmt.Errorf("no container holds %s", ifID)
	}
	ns, err := openNS(cs[0])
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	var h *pcapgo.EthernetHandle
	err = ns.Do(func() (err error) {
		h, err = pcapgo.NewEthernetHandle(i.Name)
		return err
	})
	return h, err
}
