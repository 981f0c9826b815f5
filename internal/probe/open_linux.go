package probe

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"

	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/input"
	"github.com/netviz/netviz/internal/nsrun"
	"github.com/netviz/netviz/internal/textsafe"
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
		Hosts:   readHosts,
	}
}

// maxHostsSize is the most of a container's /etc/hosts netviz reads; Docker
// writes a few hundred bytes.
const maxHostsSize = 1 << 20

// readHosts reads c's /etc/hosts through /proc/PID/root. The container owns
// that tree and netviz reads it as root, so the path is resolved by the
// kernel inside the container's root (RESOLVE_IN_ROOT: a symlink to
// /etc/shadow means the container's own /etc/shadow, and .. stops at its
// root), magic links such as /proc/self/root are refused, the open does not
// wait (O_NONBLOCK: a FIFO planted there), and only a regular file of at most
// maxHostsSize bytes is read (not /dev/zero).
func readHosts(c *graph.Container) (string, error) {
	name := textsafe.Clean(c.Name)
	if c.Pid <= 0 {
		return "", fmt.Errorf("container %s has no process", name)
	}
	root, err := unix.Open("/proc/"+strconv.Itoa(c.Pid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
		return "", fmt.Errorf("container %s exited", name)
	}
	if err != nil {
		return "", fmt.Errorf("container %s: open its root: %w", name, err)
	}
	defer unix.Close(root)
	fd, err := unix.Openat2(root, "etc/hosts", &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		if errors.Is(err, unix.ENOSYS) {
			return "", fmt.Errorf("container %s: reading its /etc/hosts safely needs openat2 (Linux 5.6 or later)", name)
		}
		return "", fmt.Errorf("container %s: open /etc/hosts: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), "/etc/hosts")
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("container %s: /etc/hosts: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("container %s: its /etc/hosts is %s, not a regular file", name, input.KindOf(fi.Mode()))
	}
	data, err := input.ReadAll(context.Background(), f, "container "+name+": /etc/hosts", "hosts file", maxHostsSize)
	if err != nil {
		return "", err
	}
	return string(data), nil
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
func openCapture(x *graph.Index, ifID graph.InterfaceID) (PacketSource, error) {
	i := x.Interface(ifID)
	if i == nil {
		return nil, fmt.Errorf("unknown interface %s", ifID)
	}
	if i.Namespace == graph.HostNamespaceID {
		return pcapgo.NewEthernetHandle(i.Name)
	}
	var ns *nsrun.NS
	var err error
	if cs := x.ContainersIn(i.Namespace); len(cs) > 0 {
		ns, err = openNS(cs[0])
	} else if n := x.Namespace(i.Namespace); n != nil && n.Path != "" && (n.Kind != "" || n.Host) {
		// An overlay's or a node's own namespace: the path discovery
		// opened it by (through the engine's process).
		ns, err = nsrun.Open(n.Path)
	} else {
		return nil, fmt.Errorf("no container holds %s", ifID)
	}
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
