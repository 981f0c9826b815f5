package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netviz/netviz/internal/netlinkx"
	"github.com/netviz/netviz/internal/nsrun"
)

// namespaceConcurrency bounds how many namespaces are read at once.
const namespaceConcurrency = 8

// ReadNamespaces snapshots the host namespace (the one netviz runs in) and the
// namespace of every container that has one, each namespace once however many
// containers share it. Equivalent to `ip -d addr show` on the host and, for
// each container, `nsenter -t PID -n ip -d addr show` — without running
// anything. A container whose namespace is gone is simply not found in any
// snapshot (Settle decides what that means); other problems with single
// containers come back as warnings; an error means not even the host could
// be read.
func ReadNamespaces(containers []DockerContainer) (NamespaceRead, error) {
	self, err := nsrun.Self()
	if err != nil {
		return NamespaceRead{}, fmt.Errorf("open own network namespace: %w", err)
	}
	defer self.Close()
	host, err := readNamespace(nil)
	if err != nil {
		return NamespaceRead{}, fmt.Errorf("read host namespace: %w", err)
	}
	host.Host, host.Inode, host.Path = true, self.Inode, self.Path
	if idx, err := defaultRouteIndex(); err == nil {
		host.DefaultRouteIndex = idx
	}

	var warnings []string
	opened := map[uint64]*nsrun.NS{}
	members := map[uint64][]string{}
	var order []uint64
	denied := false
	for _, c := range containers {
		if !hasNamespace(&c) {
			continue
		}
		ns, err := openContainerNS(c)
		if err != nil {
			switch {
			case errors.Is(err, fs.ErrPermission) || errors.Is(err, unix.EPERM):
				denied = true
			case errors.Is(err, fs.ErrNotExist):
				// Gone since Docker listed it: Settle asks Docker again.
			default:
				warnings = append(warnings, fmt.Sprintf("container %s: %v", c.Name, err))
			}
			continue
		}
		if ns.Inode == self.Inode {
			host.Containers = append(host.Containers, c.ID)
			ns.Close()
			continue
		}
		if _, ok := opened[ns.Inode]; ok {
			ns.Close()
		} else {
			opened[ns.Inode] = ns
			order = append(order, ns.Inode)
		}
		members[ns.Inode] = append(members[ns.Inode], c.ID)
	}
	defer func() {
		for _, ns := range opened {
			ns.Close()
		}
	}()
	if denied {
		warnings = append(warnings, "reading container namespaces needs root (CAP_SYS_ADMIN): showing Docker's facts only; run with sudo for interfaces, veth pairs and bridge ports")
	}

	host.PeerNSIDs = map[int]uint64{}
	hostHandle, err := netlink.NewHandle()
	if err == nil {
		for inode, ns := range opened {
			if id, err := hostHandle.GetNetNsIdByFd(ns.Fd()); err == nil && id >= 0 {
				host.PeerNSIDs[id] = inode
			}
		}
		hostHandle.Close()
	}

	snaps := make([]NamespaceSnapshot, len(order))
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	sem := make(chan struct{}, namespaceConcurrency)
	for i, inode := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			s, err := readNamespace(opened[inode], self)
			s.Containers = members[inode]
			snaps[i], errs[i] = s, err
		}()
	}
	wg.Wait()
	out := []NamespaceSnapshot{host}
	for i, s := range snaps {
		if errs[i] != nil {
			warnings = append(warnings, fmt.Sprintf("namespace %s: %v", opened[order[i]].Path, errs[i]))
			continue
		}
		out = append(out, s)
	}
	return NamespaceRead{Snapshots: out, Warnings: warnings, Denied: denied}, nil
}

// openContainerNS opens a container's namespace through its process, falling
// back to Docker's sandbox key.
func openContainerNS(c DockerContainer) (*nsrun.NS, error) {
	var first error
	if c.Pid > 0 {
		ns, err := nsrun.Open("/proc/" + strconv.Itoa(c.Pid) + "/ns/net")
		if err == nil {
			return ns, nil
		}
		first = err
	}
	if c.SandboxKey != "" {
		ns, err := nsrun.Open(c.SandboxKey)
		if err == nil {
			return ns, nil
		}
		if first == nil || errors.Is(first, fs.ErrNotExist) {
			first = err
		}
	}
	if first == nil {
		first = fmt.Errorf("no pid or sandbox key: %w", fs.ErrNotExist)
	}
	return nil, first
}

// readNamespace lists links and addresses in ns with a netlink socket opened
// inside it; a nil ns is netviz's own namespace, read without switching
// (which needs no privilege at all). With host given, it also asks which id
// ns gives the host.
func readNamespace(ns *nsrun.NS, host ...*nsrun.NS) (NamespaceSnapshot, error) {
	snap := NamespaceSnapshot{HostNSID: -1}
	var h *netlink.Handle
	var err error
	if ns == nil {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	} else {
		snap.Inode, snap.Path = ns.Inode, ns.Path
		err = ns.Do(func() (err error) {
			h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
			return err
		})
	}
	if err != nil {
		return snap, err
	}
	defer h.Close()
	links, err := netlinkx.Dump("list links", h.LinkList)
	if err != nil {
		return snap, fmt.Errorf("list links: %w", err)
	}
	addrs, err := netlinkx.Dump("list addresses", func() ([]netlink.Addr, error) { return h.AddrList(nil, netlink.FAMILY_ALL) })
	if err != nil {
		return snap, fmt.Errorf("list addresses: %w", err)
	}
	byIndex := map[int][]netip.Prefix{}
	for _, a := range addrs {
		if a.IPNet == nil {
			continue
		}
		if ip, ok := netip.AddrFromSlice(a.IPNet.IP); ok {
			ones, _ := a.IPNet.Mask.Size()
			byIndex[a.LinkIndex] = append(byIndex[a.LinkIndex], netip.PrefixFrom(ip.Unmap(), ones))
		}
	}
	for _, l := range links {
		at := l.Attrs()
		snap.Links = append(snap.Links, LinkSnapshot{
			Index: at.Index, Name: at.Name, Type: l.Type(), MAC: at.HardwareAddr.String(),
			MTU: at.MTU, OperState: at.OperState.String(), Loopback: at.Flags&net.FlagLoopback != 0,
			MasterIndex: at.MasterIndex, ParentIndex: at.ParentIndex, LinkNetNSID: at.NetNsID,
			Addrs: byIndex[at.Index],
		})
	}
	if len(host) > 0 {
		if id, err := h.GetNetNsIdByFd(host[0].Fd()); err == nil {
			snap.HostNSID = id
		}
	}
	return snap, nil
}

// defaultRouteIndex is the ifindex of the IPv4 default route in netviz's own
// namespace. Equivalent to `ip route show default`.
func defaultRouteIndex() (int, error) {
	routes, err := netlinkx.Dump("list routes", func() ([]netlink.Route, error) {
		return netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	})
	if err != nil {
		return 0, err
	}
	for _, r := range routes {
		if r.Dst == nil || r.Dst.IP.IsUnspecified() && isZeroMask(r.Dst.Mask) {
			return r.LinkIndex, nil
		}
	}
	return 0, nil
}

func isZeroMask(m []byte) bool {
	for _, b := range m {
		if b != 0 {
			return false
		}
	}
	return true
}

// Root reports whether netviz runs with the privileges namespace discovery
// needs.
func Root() bool { return os.Geteuid() == 0 }
