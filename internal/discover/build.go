package discover

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
)

// BuildOptions changes what Build keeps.
type BuildOptions struct {
	// All keeps stopped containers (drawn greyed, with no namespace).
	All bool
}

// Build merges what Docker and netlink reported into one model. docker is nil
// when no engine answered. namespaces holds the host namespace (Host set) and
// every container namespace that could be read; containers whose namespace is
// missing are still drawn from Docker's facts alone.
func Build(hostname string, docker *DockerSnapshot, namespaces []NamespaceSnapshot, opts BuildOptions) *graph.Model {
	b := &builder{
		m:        graph.New(graph.SourceLive, hostname),
		byDocker: map[string]*DockerContainer{},
		nsOfCtr:  map[string]graph.NamespaceID{},
		links:    map[graph.NamespaceID]map[int]graph.InterfaceID{},
		inodeNS:  map[uint64]graph.NamespaceID{},
		linkOf:   map[graph.InterfaceID]LinkSnapshot{},
		nets:     map[string]*DockerNetwork{},
		swarmNS:  map[string]map[string]*NamespaceSnapshot{},
	}
	if docker != nil {
		b.swarm = docker.Swarm
		for i := range docker.Networks {
			b.nets[docker.Networks[i].ID] = &docker.Networks[i]
		}
		b.m.Host.Engine = docker.Version
		b.m.Host.APIVersion = docker.APIVersion
		b.m.Host.EngineHost = docker.Host
		for i := range docker.Containers {
			c := &docker.Containers[i]
			if !opts.All && !hasNamespace(c) {
				continue
			}
			b.ctrs = append(b.ctrs, c)
			b.byDocker[c.ID] = c
		}
		for _, name := range docker.Vanished {
			b.m.Warn(fmt.Sprintf("container %s disappeared during discovery; skipped", name))
		}
	}
	b.assignNamespaces(namespaces)
	b.addInterfaces(namespaces)
	if docker != nil {
		b.addNetworks(docker.Networks)
		b.addContainers()
		b.addSwarm(docker)
		dockerrules.DeriveNames(b.m)
	}
	b.m.Sort()
	return b.m
}

// hasNamespace reports whether a container in this state owns a live network
// namespace.
func hasNamespace(c *DockerContainer) bool {
	switch c.State {
	case "running", "paused", "restarting":
		return c.Pid > 0 || c.SandboxKey != ""
	}
	return false
}

type builder struct {
	m        *graph.Model
	ctrs     []*DockerContainer                              // kept containers
	byDocker map[string]*DockerContainer                     // by full Docker ID
	nsOfCtr  map[string]graph.NamespaceID                    // Docker ID → namespace ID
	links    map[graph.NamespaceID]map[int]graph.InterfaceID // namespace ID → ifindex → interface ID
	inodeNS  map[uint64]graph.NamespaceID                    // inode → namespace ID
	linkOf   map[graph.InterfaceID]LinkSnapshot              // interface ID → what netlink said
	hostSnap *NamespaceSnapshot
	// Swarm: the engine's place in it, its networks by Docker ID, and the
	// namespaces read for its swarm networks by network ID and kind.
	swarm   *DockerSwarm
	nets    map[string]*DockerNetwork
	swarmNS map[string]map[string]*NamespaceSnapshot
}

// resolve finds a container by full ID, ID prefix or name, as --net
// container:X accepts all three.
func (b *builder) resolve(ref string) *DockerContainer {
	if c, ok := b.byDocker[ref]; ok {
		return c
	}
	for _, c := range b.ctrs {
		if c.Name == ref || (len(ref) >= 12 && strings.HasPrefix(c.ID, ref)) {
			return c
		}
	}
	return nil
}

// ownerNamespace follows --net container:X chains to the namespace a
// container really uses.
func (b *builder) ownerNamespace(c *DockerContainer) graph.NamespaceID {
	for hops := 0; hops < 16; hops++ {
		mode := c.NetworkMode
		switch {
		case mode == "host":
			return graph.HostNamespaceID
		case strings.HasPrefix(mode, "container:"):
			next := b.resolve(strings.TrimPrefix(mode, "container:"))
			if next == nil {
				return graph.NewNamespaceID(c.Name)
			}
			c = next
		default:
			return graph.NewNamespaceID(c.Name)
		}
	}
	return graph.NewNamespaceID(c.Name)
}

func (b *builder) assignNamespaces(snaps []NamespaceSnapshot) {
	host := b.m.Namespaces[0]
	for i := range snaps {
		if snaps[i].Host {
			b.hostSnap = &snaps[i]
			host.Inode, host.Path = snaps[i].Inode, snaps[i].Path
			b.inodeNS[snaps[i].Inode] = graph.HostNamespaceID
		}
	}
	nsByID := map[graph.NamespaceID]*graph.Namespace{graph.HostNamespaceID: host}
	for _, c := range b.ctrs {
		if !hasNamespace(c) {
			continue
		}
		id := b.ownerNamespace(c)
		b.nsOfCtr[c.ID] = id
		if nsByID[id] == nil {
			ns := &graph.Namespace{ID: id, Path: c.SandboxKey}
			nsByID[id] = ns
			b.m.Namespaces = append(b.m.Namespaces, ns)
		}
	}
	for i := range snaps {
		s := &snaps[i]
		if s.Host {
			continue
		}
		if s.Kind != "" {
			b.addSwarmNamespace(s)
			continue
		}
		id := b.snapshotNamespace(s)
		if id == "" {
			continue
		}
		b.inodeNS[s.Inode] = id
		if ns := nsByID[id]; ns != nil {
			ns.Inode, ns.Path = s.Inode, s.Path
		}
	}
}

// snapshotNamespace names a container namespace snapshot after the Docker
// facts of the containers found in it; "" if none of them is kept.
func (b *builder) snapshotNamespace(s *NamespaceSnapshot) graph.NamespaceID {
	var ids []graph.NamespaceID
	for _, dockerID := range s.Containers {
		if id, ok := b.nsOfCtr[dockerID]; ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	slices.Sort(ids)
	if len(ids) > 1 {
		b.m.Warn(fmt.Sprintf("namespace inode %d is shared by containers Docker reports in different namespaces (%s); drawn as %s",
			s.Inode, strings.Join(toStrings(ids), ", "), ids[0]))
	}
	return ids[0]
}

// interfaceKind maps netlink's link type to the kinds a person draws.
func interfaceKind(l LinkSnapshot) graph.InterfaceKind {
	switch {
	case l.Loopback || l.Type == "loopback":
		return graph.KindLoopback
	case l.Type == "device":
		return graph.KindPhysical
	case l.Type == "bridge":
		return graph.KindBridge
	case l.Type == "veth":
		return graph.KindVeth
	case l.Type == "macvlan" || l.Type == "macvtap":
		return graph.KindMacvlan
	case l.Type == "vxlan":
		return graph.KindVxlan
	}
	return graph.KindOther
}

// hasLower reports whether IFLA_LINK of this link type names a parent.
func hasLower(typ string) bool {
	switch typ {
	case "macvlan", "macvtap", "ipvlan", "ipvtap", "vlan", "vxlan":
		return true
	}
	return false
}

func (b *builder) addInterfaces(snaps []NamespaceSnapshot) {
	type placed struct {
		snap *NamespaceSnapshot
		ns   graph.NamespaceID
	}
	var all []placed
	for i := range snaps {
		s := &snaps[i]
		ns, ok := b.inodeNS[s.Inode]
		if !ok {
			continue
		}
		all = append(all, placed{s, ns})
		idx := b.links[ns]
		if idx == nil {
			idx = map[int]graph.InterfaceID{}
			b.links[ns] = idx
		}
		for _, l := range s.Links {
			id := graph.NewInterfaceID(ns, l.Name)
			idx[l.Index] = id
			b.linkOf[id] = l
			addrs := slices.Clone(l.Addrs)
			slices.SortStableFunc(addrs, func(a, c netip.Prefix) int { return cmpFamily(a) - cmpFamily(c) })
			b.m.Interfaces = append(b.m.Interfaces, &graph.Interface{
				ID: id, Namespace: ns, Name: l.Name, Index: l.Index,
				Kind: interfaceKind(l), Type: l.Type, MAC: l.MAC, MTU: l.MTU,
				State: l.OperState, Addrs: addrs, VXLAN: vxlanInfo(l.VXLAN),
			})
		}
	}
	if b.hostSnap != nil && b.hostSnap.DefaultRouteIndex > 0 {
		b.m.Host.Uplink = b.links[graph.HostNamespaceID][b.hostSnap.DefaultRouteIndex]
	}
	// Exact pairs first (same namespace, or an id the snapshot knows);
	// then, for veths left over, the one veth elsewhere mirroring them.
	type leftover struct {
		ns   graph.NamespaceID
		self graph.InterfaceID
		link LinkSnapshot
	}
	var left []leftover
	peered := map[graph.InterfaceID]bool{}
	for _, p := range all {
		for _, l := range p.snap.Links {
			self := b.links[p.ns][l.Index]
			if l.MasterIndex > 0 {
				if master := b.links[p.ns][l.MasterIndex]; master != "" {
					b.m.AddEdge(graph.EdgeMaster, string(self), string(master), "")
				}
			}
			if l.VXLAN != nil {
				// A VXLAN device's IFLA_LINK is itself (moved into
				// another namespace, the kernel says so); the device its
				// packets leave by is IFLA_VXLAN_LINK, in the namespace
				// it was made in.
				if l.VXLAN.VtepIndex > 0 {
					if parent := b.linkAt(p.snap, p.ns, l.LinkNetNSID, l.VXLAN.VtepIndex); parent != "" {
						b.m.AddEdge(graph.EdgeLower, string(self), string(parent), "")
					}
				}
				continue
			}
			if l.ParentIndex <= 0 || l.ParentIndex == l.Index && l.LinkNetNSID < 0 {
				continue
			}
			switch {
			case l.Type == "veth":
				if peer := b.linkAt(p.snap, p.ns, l.LinkNetNSID, l.ParentIndex); peer != "" {
					b.m.AddEdge(graph.EdgeVethPeer, string(self), string(peer), "")
					peered[self], peered[peer] = true, true
				} else {
					left = append(left, leftover{p.ns, self, l})
				}
			case hasLower(l.Type):
				if parent := b.linkAt(p.snap, p.ns, l.LinkNetNSID, l.ParentIndex); parent != "" {
					b.m.AddEdge(graph.EdgeLower, string(self), string(parent), "")
				}
			}
		}
	}
	for _, o := range left {
		if peered[o.self] {
			continue
		}
		if peer := b.mirrorVeth(o.ns, o.link); peer != "" && !peered[peer] {
			b.m.AddEdge(graph.EdgeVethPeer, string(o.self), string(peer), "")
			peered[o.self], peered[peer] = true, true
		}
	}
}

// cmpFamily orders IPv4 addresses before IPv6 ones.
func cmpFamily(p netip.Prefix) int {
	if p.Addr().Is6() {
		return 1
	}
	return 0
}

// linkAt finds the interface with ifindex index in the namespace a link's
// netnsid names, as snapshot s numbers namespaces: s's own when there is
// no netnsid; else the one s's id table maps it to (the host's and the
// swarm namespaces' tables); else, from a container, the host when the id
// is the one it gives the host. "" when it cannot tell.
func (b *builder) linkAt(s *NamespaceSnapshot, ns graph.NamespaceID, netnsid, index int) graph.InterfaceID {
	if netnsid < 0 {
		return b.links[ns][index]
	}
	if s.PeerNSIDs != nil {
		if inode, ok := s.PeerNSIDs[netnsid]; ok {
			if other, ok := b.inodeNS[inode]; ok {
				return b.links[other][index]
			}
		}
	}
	if !s.Host && s.HostNSID >= 0 && netnsid == s.HostNSID {
		return b.links[graph.HostNamespaceID][index]
	}
	return ""
}

// mirrorVeth is the one veth outside ns whose index and peer index mirror
// l's; "" when there is none or more than one (say nothing rather than
// guess).
func (b *builder) mirrorVeth(ns graph.NamespaceID, l LinkSnapshot) graph.InterfaceID {
	var match graph.InterfaceID
	for other, idx := range b.links {
		if other == ns {
			continue
		}
		cand, ok := idx[l.ParentIndex]
		if !ok {
			continue
		}
		if c := b.linkOf[cand]; c.Type != "veth" || c.ParentIndex != l.Index {
			continue
		}
		if match != "" {
			return ""
		}
		match = cand
	}
	return match
}
