package discover

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
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
	return ReadNamespacesAt(Location{}, containers, "", nil)
}

// ReadNamespacesAt is ReadNamespaces for the engine at loc: its network
// namespace is the host's, its containers' namespaces are opened through
// their processes (as the engine's PID namespace numbers them) or their
// sandbox keys (under the engine's root), and each of swarm, a namespace
// file the engine made for a swarm network in dir (its netns directory,
// as the engine sees it), is read too, with its VXLAN forwarding database
// and IPVS table. The host's and the swarm namespaces' ids for every other
// namespace read are learnt, so that veths between any two of them pair up.
// Whether the kernel has IPVS is read when swarm namespaces are (see
// readIPVSFacts for a swarm node without them).
func ReadNamespacesAt(loc Location, containers []DockerContainer, dir string, swarm []SwarmNamespace) (NamespaceRead, error) {
	var hostNS *nsrun.NS
	var err error
	if loc.Engine() {
		hostNS, err = nsrun.Open(loc.NetNS())
	} else {
		hostNS, err = nsrun.Self()
	}
	if err != nil {
		return NamespaceRead{}, fmt.Errorf("open the host's network namespace (%s): %w", loc, err)
	}
	defer hostNS.Close()
	pidNS := samePIDNamespace(loc)

	var warnings []string
	opened := map[uint64]*nsrun.NS{}
	members := map[uint64][]string{}
	var order []uint64
	var hostMembers []string
	denied := false
	for _, c := range containers {
		if !hasNamespace(&c) {
			continue
		}
		ns, err := openContainerNS(c, loc, pidNS)
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
		if ns.Inode == hostNS.Inode {
			hostMembers = append(hostMembers, c.ID)
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
	swarmAt := map[uint64]SwarmNamespace{}
	for _, sn := range swarm {
		path := loc.Path(filepath.Join(dir, sn.Name))
		ns, err := nsrun.Open(path)
		if err != nil {
			switch {
			case errors.Is(err, fs.ErrPermission) || errors.Is(err, unix.EPERM):
				denied = true
			case errors.Is(err, fs.ErrNotExist):
				// Removed since the directory was listed.
			default:
				warnings = append(warnings, fmt.Sprintf("%s namespace %s: %v", sn.Kind, sn.Name, err))
			}
			continue
		}
		if _, ok := opened[ns.Inode]; ok || ns.Inode == hostNS.Inode {
			ns.Close()
			continue
		}
		opened[ns.Inode] = ns
		order = append(order, ns.Inode)
		swarmAt[ns.Inode] = sn
	}
	defer func() {
		for _, ns := range opened {
			ns.Close()
		}
	}()
	if denied {
		warnings = append(warnings, "reading container namespaces needs root (CAP_SYS_ADMIN): showing Docker's facts only; run with sudo for interfaces, veth pairs and bridge ports")
	}

	// The hubs learn the ids they give every other namespace: the host
	// (host ends of veths), the swarm namespaces (br0's ports lead to
	// containers and the load balancer, vxlan0 to the host).
	all := map[uint64]*nsrun.NS{hostNS.Inode: hostNS}
	maps.Copy(all, opened)
	var host NamespaceSnapshot
	if loc.Engine() {
		host, err = readNamespace(hostNS, readOpts{peers: opened, route: true})
	} else {
		host, err = readNamespace(nil, readOpts{peers: opened, route: true})
	}
	if err != nil {
		return NamespaceRead{}, fmt.Errorf("read host namespace (%s): %w", loc, err)
	}
	host.Host, host.Inode, host.Path = true, hostNS.Inode, hostNS.Path
	host.HostNSID = -1
	host.Containers = hostMembers
	if len(swarm) > 0 {
		readIPVSFacts(loc, &host)
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
			o := readOpts{host: hostNS}
			sn, isSwarm := swarmAt[inode]
			if isSwarm {
				o.peers, o.ipvs = all, true
			}
			s, err := readNamespace(opened[inode], o)
			s.Containers = members[inode]
			if isSwarm {
				s.Kind, s.Name, s.Network = sn.Kind, sn.Name, sn.Network
			}
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
// back to Docker's sandbox key. The engine's PID namespace numbers the
// process: when it is not netviz's, the process is found through the
// engine's root (/proc/ENGINE/root/proc/PID); the sandbox key is a path in
// the engine's mount namespace.
func openContainerNS(c DockerContainer, loc Location, samePIDNS bool) (*nsrun.NS, error) {
	var first error
	if c.Pid > 0 {
		path := "/proc/" + strconv.Itoa(c.Pid) + "/ns/net"
		if !samePIDNS {
			path = loc.Path(path)
		}
		ns, err := nsrun.Open(path)
		if err == nil {
			return ns, nil
		}
		first = err
	}
	if c.SandboxKey != "" {
		ns, err := nsrun.Open(loc.Path(c.SandboxKey))
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

// samePIDNamespace reports whether the engine at loc numbers processes as
// netviz does (its PID namespace is netviz's); true when it cannot tell.
func samePIDNamespace(loc Location) bool {
	if !loc.Engine() {
		return true
	}
	var self, engine unix.Stat_t
	if unix.Stat("/proc/self/ns/pid", &self) != nil || unix.Stat("/proc/"+strconv.Itoa(loc.PID)+"/ns/pid", &engine) != nil {
		return true
	}
	return self.Ino == engine.Ino && self.Dev == engine.Dev
}

// readOpts says what readNamespace reads besides links and addresses.
type readOpts struct {
	// host is the host's namespace, to learn the id the namespace read
	// gives it (HostNSID).
	host *nsrun.NS
	// peers are namespaces, by inode, to learn the ids of (PeerNSIDs).
	peers map[uint64]*nsrun.NS
	// route: find the IPv4 default route; ipvs: read /proc/net/ip_vs.
	route, ipvs bool
}

// readNamespace lists links and addresses in ns with a netlink socket opened
// inside it, and each VXLAN device's forwarding database; a nil ns is
// netviz's own namespace, read without switching (which needs no privilege
// at all).
func readNamespace(ns *nsrun.NS, o readOpts) (NamespaceSnapshot, error) {
	snap := NamespaceSnapshot{HostNSID: -1}
	var h *netlink.Handle
	var err error
	if ns == nil {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
		if err == nil && o.ipvs {
			snap.IPVS, snap.HasIPVS = readIPVS("/proc/thread-self/net/ip_vs")
		}
	} else {
		snap.Inode, snap.Path = ns.Inode, ns.Path
		err = ns.Do(func() (err error) {
			h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
			if err == nil && o.ipvs {
				// /proc/thread-self/net is the namespace of this thread: ns.
				snap.IPVS, snap.HasIPVS = readIPVS("/proc/thread-self/net/ip_vs")
			}
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
		ls := LinkSnapshot{
			Index: at.Index, Name: at.Name, Type: l.Type(), MAC: at.HardwareAddr.String(),
			MTU: at.MTU, OperState: at.OperState.String(), Loopback: at.Flags&net.FlagLoopback != 0,
			MasterIndex: at.MasterIndex, ParentIndex: at.ParentIndex, LinkNetNSID: at.NetNsID,
			Addrs: byIndex[at.Index],
		}
		if vx, ok := l.(*netlink.Vxlan); ok {
			ls.VXLAN = &VXLANSnapshot{VNI: vx.VxlanId, Port: vx.Port, VtepIndex: vx.VtepDevIndex}
			if ls.VXLAN.FDB, err = readFDB(h, at.Index); err != nil {
				return snap, fmt.Errorf("%s: %w", at.Name, err)
			}
		}
		snap.Links = append(snap.Links, ls)
	}
	if o.host != nil && ns != nil {
		if id, err := h.GetNetNsIdByFd(o.host.Fd()); err == nil {
			snap.HostNSID = id
		}
	}
	if o.peers != nil {
		snap.PeerNSIDs = map[int]uint64{}
		for inode, other := range o.peers {
			if ns != nil && inode == ns.Inode {
				continue
			}
			if id, err := h.GetNetNsIdByFd(other.Fd()); err == nil && id >= 0 {
				snap.PeerNSIDs[id] = inode
			}
		}
	}
	if o.route {
		if idx, err := defaultRouteIndex(h); err == nil {
			snap.DefaultRouteIndex = idx
		}
	}
	return snap, nil
}

// readFDB lists the forwarding-database entries of VXLAN device index that
// name a remote VTEP. Equivalent to `bridge fdb show dev vxlan0` (the
// lines with a dst).
func readFDB(h *netlink.Handle, index int) ([]FDBSnapshot, error) {
	neighs, err := netlinkx.Dump("list fdb", func() ([]netlink.Neigh, error) { return h.NeighList(index, unix.AF_BRIDGE) })
	if err != nil {
		return nil, fmt.Errorf("list fdb: %w", err)
	}
	var out []FDBSnapshot
	for _, ne := range neighs {
		dst, ok := netip.AddrFromSlice(ne.IP)
		if !ok || ne.HardwareAddr == nil {
			continue
		}
		out = append(out, FDBSnapshot{MAC: ne.HardwareAddr.String(), Dst: dst.Unmap(), Permanent: ne.State&netlink.NUD_PERMANENT != 0})
	}
	slices.SortFunc(out, func(a, b FDBSnapshot) int { return cmp.Or(cmp.Compare(a.MAC, b.MAC), a.Dst.Compare(b.Dst)) })
	return out, nil
}

// defaultRouteIndex is the ifindex of the IPv4 default route in h's
// namespace. Equivalent to `ip route show default`.
func defaultRouteIndex(h *netlink.Handle) (int, error) {
	routes, err := netlinkx.Dump("list routes", func() ([]netlink.Route, error) {
		return h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
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
