package discover

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

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
	}
	if docker != nil {
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
		graph.DeriveNames(b.m)
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
				State: l.OperState, Addrs: addrs,
			})
		}
	}
	if b.hostSnap != nil && b.hostSnap.DefaultRouteIndex > 0 {
		b.m.Host.Uplink = b.links[graph.HostNamespaceID][b.hostSnap.DefaultRouteIndex]
	}
	for _, p := range all {
		for _, l := range p.snap.Links {
			self := b.links[p.ns][l.Index]
			if l.MasterIndex > 0 {
				if master := b.links[p.ns][l.MasterIndex]; master != "" {
					b.m.AddEdge(graph.EdgeMaster, string(self), string(master), "")
				}
			}
			if l.ParentIndex <= 0 || l.ParentIndex == l.Index && l.LinkNetNSID < 0 {
				continue
			}
			switch {
			case l.Type == "veth":
				if peer := b.otherEnd(p.snap, p.ns, l); peer != "" {
					b.m.AddEdge(graph.EdgeVethPeer, string(self), string(peer), "")
				}
			case hasLower(l.Type):
				if parent := b.otherEnd(p.snap, p.ns, l); parent != "" {
					b.m.AddEdge(graph.EdgeLower, string(self), string(parent), "")
				}
			}
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

// otherEnd finds the interface named by l's IFLA_LINK: in the same namespace
// when there is no link-netnsid, otherwise in the namespace the netnsid names.
// A host link's netnsid is looked up in the host's id table; a container link
// whose netnsid is the one it gives the host points into the host. Anything
// else falls back to the one veth that points back at l.
func (b *builder) otherEnd(s *NamespaceSnapshot, ns graph.NamespaceID, l LinkSnapshot) graph.InterfaceID {
	if l.LinkNetNSID < 0 {
		return b.links[ns][l.ParentIndex]
	}
	if s.Host && s.PeerNSIDs != nil {
		if inode, ok := s.PeerNSIDs[l.LinkNetNSID]; ok {
			if other, ok := b.inodeNS[inode]; ok {
				return b.links[other][l.ParentIndex]
			}
		}
	}
	if !s.Host && s.HostNSID >= 0 && l.LinkNetNSID == s.HostNSID {
		return b.links[graph.HostNamespaceID][l.ParentIndex]
	}
	if l.Type != "veth" {
		return ""
	}
	// Fallback: exactly one veth elsewhere whose index and peer index mirror l's.
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
			return "" // ambiguous: say nothing rather than guess
		}
		match = cand
	}
	return match
}

func (b *builder) addNetworks(nets []DockerNetwork) {
	for _, dn := range nets {
		n := &graph.Network{
			ID: graph.NewNetworkID(dn.Name), Name: dn.Name, DockerID: dn.ID,
			Driver: dn.Driver, Scope: dn.Scope, Internal: dn.Internal,
			EnableIPv6: dn.EnableIPv6, ICC: true,
			Default: dn.Name == "bridge" && dn.Driver == "bridge",
		}
		if len(dn.Options) > 0 {
			n.Options = dn.Options
		}
		for _, s := range dn.Subnets {
			n.Subnets = append(n.Subnets, graph.Subnet{Subnet: s.Subnet, Gateway: s.Gateway, IPRange: s.IPRange})
		}
		switch dn.Driver {
		case "bridge":
			n.ICC = dn.Options["com.docker.network.bridge.enable_icc"] != "false"
			n.BridgeName = BridgeName(dn)
			n.Bridge = b.hostInterface(n.BridgeName)
		case "macvlan", "ipvlan":
			n.ParentName = dn.Options["parent"]
			if n.ParentName == "" && len(dn.ID) >= 12 {
				n.ParentName = "dm-" + dn.ID[:12] // Docker's dummy parent
			}
			n.Parent = b.hostInterface(n.ParentName)
		}
		b.m.Networks = append(b.m.Networks, n)
	}
}

// BridgeName is the Linux bridge behind a Docker bridge network: the
// com.docker.network.bridge.name option (docker0 for the default network),
// else br- and the first 12 characters of the network ID.
func BridgeName(n DockerNetwork) string {
	if name := n.Options["com.docker.network.bridge.name"]; name != "" {
		return name
	}
	if n.Name == "bridge" {
		return "docker0"
	}
	if len(n.ID) >= 12 {
		return "br-" + n.ID[:12]
	}
	return ""
}

func (b *builder) hostInterface(name string) graph.InterfaceID {
	if name == "" {
		return ""
	}
	id := graph.NewInterfaceID(graph.HostNamespaceID, name)
	if slices.ContainsFunc(b.m.Interfaces, func(i *graph.Interface) bool { return i.ID == id }) {
		return id
	}
	return ""
}

func (b *builder) addContainers() {
	known := map[string]bool{}
	for _, n := range b.m.Networks {
		known[n.Name] = true
	}
	for _, dc := range b.ctrs {
		c := &graph.Container{
			ID: graph.NewContainerID(dc.Name), Name: dc.Name, DockerID: dc.ID,
			Image: dc.Image, State: dc.State, NetworkMode: networkMode(dc.NetworkMode),
			Namespace: b.nsOfCtr[dc.ID], Pid: dc.Pid, SandboxKey: dc.SandboxKey,
			Hostname: dc.Hostname,
		}
		if ref, ok := strings.CutPrefix(dc.NetworkMode, "container:"); ok {
			if target := b.resolve(ref); target != nil {
				c.SharesWith = graph.NewContainerID(target.Name)
				c.NetworkMode = "container:" + target.Name
			} else {
				b.m.Warn(fmt.Sprintf("container %s uses the namespace of container %s, which is not running", dc.Name, shortID(ref)))
			}
		}
		for _, raw := range dc.Links {
			if l, ok := parseHostConfigLink(raw); ok {
				c.Links = append(c.Links, l)
			}
		}
		for _, de := range dc.Endpoints {
			if !known[de.Network] {
				b.m.Warn(fmt.Sprintf("container %s is attached to network %s, which was not listed; endpoint skipped", dc.Name, de.Network))
				continue
			}
			ep := graph.Endpoint{
				Network: graph.NewNetworkID(de.Network), Gateway: de.Gateway, MAC: de.MAC, IPv4: de.IPv4, IPv6: de.IPv6,
				Aliases: userAliases(dc, de.Aliases),
			}
			for _, raw := range de.Links {
				if target, alias, ok := strings.Cut(raw, ":"); ok {
					ep.Links = append(ep.Links, graph.Link{Target: strings.TrimPrefix(target, "/"), Alias: alias})
				}
			}
			ep.Interface = b.endpointInterface(c.Namespace, de)
			c.Endpoints = append(c.Endpoints, ep)
		}
		for _, p := range dc.Ports {
			hostIP := p.HostIP
			if !hostIP.IsValid() {
				hostIP = netip.IPv4Unspecified()
			}
			port := &graph.Port{
				ID:        fmt.Sprintf("port:%s:%d/%s->%s", hostIP, p.HostPort, p.Proto, c.ID),
				Container: c.ID, Proto: p.Proto, HostIP: hostIP,
				HostPort: p.HostPort, ContainerPort: p.ContainerPort,
			}
			if !slices.ContainsFunc(b.m.Ports, func(q *graph.Port) bool { return q.ID == port.ID }) {
				b.m.Ports = append(b.m.Ports, port)
				b.m.AddEdge(graph.EdgePortMap, port.ID, string(c.ID), fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto))
			}
		}
		b.m.Containers = append(b.m.Containers, c)
	}
}

// networkMode normalises HostConfig.NetworkMode: engines before API 1.44
// report "default" for the default bridge.
func networkMode(mode string) string {
	if mode == "" || mode == "default" {
		return graph.ModeBridge
	}
	return mode
}

// userAliases drops the aliases Docker adds by itself (the container's name
// and short ID), keeping the ones a person gave with --net-alias.
func userAliases(c *DockerContainer, aliases []string) []string {
	var out []string
	for _, a := range aliases {
		if a == c.Name || isShortID(c.ID, a) || slices.Contains(out, a) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func isShortID(id, s string) bool { return len(s) >= 12 && strings.HasPrefix(id, s) }

func shortID(ref string) string {
	if len(ref) > 12 {
		return ref[:12]
	}
	return ref
}

// parseHostConfigLink reads HostConfig.Links' "/target:/container/alias".
func parseHostConfigLink(raw string) (graph.Link, bool) {
	target, path, ok := strings.Cut(raw, ":")
	if !ok {
		return graph.Link{}, false
	}
	alias := path[strings.LastIndex(path, "/")+1:]
	target = strings.TrimPrefix(target, "/")
	if target == "" || alias == "" {
		return graph.Link{}, false
	}
	return graph.Link{Target: target, Alias: alias}, true
}

// endpointInterface finds the container-side interface of an endpoint: the
// one with the endpoint's MAC, else the one holding its address.
func (b *builder) endpointInterface(ns graph.NamespaceID, de DockerEndpoint) graph.InterfaceID {
	if ns == "" || ns == graph.HostNamespaceID {
		return ""
	}
	for _, i := range b.m.Interfaces {
		if i.Namespace == ns && de.MAC != "" && strings.EqualFold(i.MAC, de.MAC) {
			return i.ID
		}
	}
	if !de.IPv4.IsValid() {
		return ""
	}
	for _, i := range b.m.Interfaces {
		if i.Namespace != ns {
			continue
		}
		for _, a := range i.Addrs {
			if a.Addr() == de.IPv4.Addr() {
				return i.ID
			}
		}
	}
	return ""
}

func toStrings[T ~string](ids []T) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
