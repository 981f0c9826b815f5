package discover

// The swarm half of Build: the namespaces the engine made for its swarm
// networks, what an overlay adds to its network (VNI, namespace, br0,
// vxlan0, peers, load balancer), the host's place in the swarm, services,
// and tasks.

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/netviz/netviz/internal/graph"
)

// addSwarmNamespace names a namespace the engine made for a swarm network
// after its network: "ovl:NET", "lb:NET", or the ingress sandbox. One the
// Docker facts do not explain (a network removed meanwhile) is left out.
func (b *builder) addSwarmNamespace(s *NamespaceSnapshot) {
	n := b.nets[s.Network]
	if n == nil {
		return
	}
	var id graph.NamespaceID
	switch s.Kind {
	case graph.NamespaceOverlay:
		id = graph.NewOverlayNamespaceID(n.Name)
	case graph.NamespaceLB:
		id = graph.NewLBNamespaceID(n.Name)
	case graph.NamespaceIngress:
		id = graph.IngressNamespaceID
	default:
		return
	}
	if slices.ContainsFunc(b.m.Namespaces, func(ns *graph.Namespace) bool { return ns.ID == id }) {
		return
	}
	b.m.Namespaces = append(b.m.Namespaces, &graph.Namespace{
		ID: id, Inode: s.Inode, Path: s.Path, Kind: s.Kind, Network: graph.NewNetworkID(n.Name),
	})
	b.inodeNS[s.Inode] = id
	if b.swarmNS[n.ID] == nil {
		b.swarmNS[n.ID] = map[string]*NamespaceSnapshot{}
	}
	b.swarmNS[n.ID][s.Kind] = s
}

// vxlanInfo is the model's view of a VXLAN device.
func vxlanInfo(v *VXLANSnapshot) *graph.VXLANInfo {
	if v == nil {
		return nil
	}
	out := &graph.VXLANInfo{VNI: v.VNI, Port: v.Port}
	for _, e := range v.FDB {
		out.FDB = append(out.FDB, graph.FDBEntry{MAC: e.MAC, Dst: e.Dst, Permanent: e.Permanent})
	}
	return out
}

// overlay is what a swarm overlay adds to network n: its VNI, whether it is
// attachable, the ingress or encrypted, its namespace on this host with
// br0 (the network's bridge) and vxlan0, its peers, and its load balancer:
// the lb_ namespace's endpoint, or the ingress sandbox's for the ingress.
func (b *builder) overlay(dn DockerNetwork, n *graph.Network) *graph.Overlay {
	o := &graph.Overlay{VNI: VNI(dn.Options), Attachable: dn.Attachable, Ingress: dn.Ingress}
	_, o.Encrypted = dn.Options[OptionEncrypted]
	for _, p := range dn.Peers {
		o.Peers = append(o.Peers, graph.OverlayPeer{Name: p.Name, Addr: p.IP})
	}
	n.BridgeName = "br0"
	if s := b.swarmNS[dn.ID][graph.NamespaceOverlay]; s != nil {
		o.Namespace = b.inodeNS[s.Inode]
		for _, l := range s.Links {
			id := graph.NewInterfaceID(o.Namespace, l.Name)
			switch {
			case l.Type == "bridge" && (n.Bridge == "" || l.Name == n.BridgeName):
				n.Bridge, n.BridgeName = id, l.Name
			case l.Type == "vxlan" && o.VXLAN == "":
				o.VXLAN = id
			}
		}
	}
	key, lbKind := "lb-"+dn.Name, graph.NamespaceLB
	if dn.Ingress {
		key, lbKind = "ingress-sbox", graph.NamespaceIngress
	}
	lb := &graph.LoadBalancer{}
	if i := slices.IndexFunc(dn.Members, func(m DockerMember) bool { return m.Key == key }); i >= 0 {
		lb.IPv4 = dn.Members[i].IPv4
	}
	if s := b.swarmNS[dn.ID][lbKind]; s != nil {
		lb.Namespace = b.inodeNS[s.Inode]
		if b.hostSnap != nil {
			lb.IPVS = ipvsStatus(s.HasIPVS || b.hostSnap.HasIPVS, b.hostSnap.IPVSConfig)
		}
		lb.Services = ipvsServices(ParseIPVS(s.IPVS), dn.Records)
	}
	if lb.IPv4.IsValid() || lb.Namespace != "" {
		o.LoadBalancer = lb
	}
	return o
}

// ipvsServices are the virtual services of a load-balancer namespace's
// IPVS table, each firewall mark turned into the VIP of the service whose
// record carries it (LocalLBIndex), sorted by VIP then mark.
func ipvsServices(entries []IPVSEntry, records []DockerServiceRecord) []graph.IPVSService {
	var out []graph.IPVSService
	for _, e := range entries {
		s := graph.IPVSService{VIP: e.Addr.Addr(), FWMark: e.FWMark}
		if e.Proto == "FWM" {
			if i := slices.IndexFunc(records, func(r DockerServiceRecord) bool { return r.LBIndex == int(e.FWMark) && r.VIP.IsValid() }); i >= 0 {
				s.VIP = records[i].VIP
			}
		}
		for _, be := range e.Backends {
			if !slices.Contains(s.Backends, be.Addr()) {
				s.Backends = append(s.Backends, be.Addr())
			}
		}
		slices.SortFunc(s.Backends, netip.Addr.Compare)
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b graph.IPVSService) int { return cmp.Or(a.VIP.Compare(b.VIP), cmp.Compare(a.FWMark, b.FWMark)) })
	return out
}

// task is the model's view of a task container's labels: its service, its
// slot (from the task's name) and its node, by name when the node is known.
func (b *builder) task(t *DockerTask) *graph.Task {
	if t == nil {
		return nil
	}
	out := &graph.Task{ID: t.ID, Service: graph.NewServiceID(t.ServiceName), Slot: taskSlot(t), Node: t.NodeID}
	if sw := b.swarm; sw != nil {
		if t.NodeID == sw.NodeID && sw.NodeName != "" {
			out.Node = sw.NodeName
		} else if i := slices.IndexFunc(sw.Nodes, func(n DockerNode) bool { return n.ID == t.NodeID }); i >= 0 && sw.Nodes[i].Name != "" {
			out.Node = sw.Nodes[i].Name
		}
	}
	return out
}

// addSwarm puts the host's place in the swarm, the kernel's IPVS and the
// services into the model. A manager lists the services; a worker cannot,
// and its services are what its overlays' service records say (name, VIPs,
// endpoint mode), with a warning.
func (b *builder) addSwarm(docker *DockerSnapshot) {
	sw := docker.Swarm
	if sw == nil {
		return
	}
	role := "worker"
	if sw.Manager {
		role = "manager"
	}
	hs := &graph.Swarm{NodeID: sw.NodeID, NodeName: sw.NodeName, Role: role, ClusterID: sw.ClusterID, Addr: sw.NodeAddr}
	for _, n := range sw.Nodes {
		hs.Nodes = append(hs.Nodes, graph.SwarmNode{ID: n.ID, Name: n.Name, Role: n.Role, State: n.State, Addr: n.Addr})
	}
	b.m.Host.Swarm = hs
	if b.hostSnap != nil {
		b.m.Host.IPVS = ipvsStatus(b.hostSnap.HasIPVS, b.hostSnap.IPVSConfig)
	}
	byDockerID := map[string]graph.NetworkID{}
	for _, n := range docker.Networks {
		byDockerID[n.ID] = graph.NewNetworkID(n.Name)
	}
	serviceIDs := map[string]string{} // service name → Docker ID, from the task labels
	for _, c := range b.ctrs {
		if c.Task != nil && c.Task.ServiceID != "" {
			serviceIDs[c.Task.ServiceName] = c.Task.ServiceID
		}
	}
	services := docker.Services
	switch {
	case sw.Manager && sw.ListError != "":
		b.m.Warn(fmt.Sprintf("swarm manager %s could not list the swarm (%s): services are what its overlays' service records say", sw.NodeName, sw.ListError))
		services = servicesFromRecords(docker.Networks, serviceIDs)
	case !sw.Manager:
		b.m.Warn(fmt.Sprintf("%s is a swarm worker, which cannot list the swarm's nodes and services: services are what its overlays' service records say (names, VIPs, endpoint modes; no replicas or ports); ask a manager for the rest", sw.NodeName))
		services = servicesFromRecords(docker.Networks, serviceIDs)
	}
	for _, ds := range services {
		s := &graph.Service{
			ID: graph.NewServiceID(ds.Name), Name: ds.Name, DockerID: ds.ID, Mode: ds.Mode, Replicas: ds.Replicas,
			EndpointMode: ds.EndpointMode,
		}
		for _, v := range ds.VIPs {
			if id, ok := byDockerID[v.NetworkID]; ok {
				s.VIPs = append(s.VIPs, graph.ServiceVIP{Network: id, Addr: v.Addr})
			}
		}
		for _, p := range ds.Ports {
			s.Ports = append(s.Ports, graph.ServicePort{Proto: p.Proto, TargetPort: p.TargetPort, PublishedPort: p.PublishedPort, Mode: p.Mode})
		}
		for _, nid := range ds.Networks {
			if id, ok := byDockerID[nid]; ok && !slices.Contains(s.Networks, id) {
				s.Networks = append(s.Networks, id)
			}
		}
		slices.SortFunc(s.VIPs, func(a, b graph.ServiceVIP) int { return cmp.Compare(a.Network, b.Network) })
		slices.Sort(s.Networks)
		b.m.Services = append(b.m.Services, s)
	}
}

// servicesFromRecords are the services a node's overlays know from their
// service records: each named record is a service on that network, with
// its VIP there (the network's prefix length) or, without one, dnsrr.
// Docker IDs come from ids (service name → ID) when a local task says.
func servicesFromRecords(nets []DockerNetwork, ids map[string]string) []DockerService {
	byName := map[string]*DockerService{}
	var names []string
	for _, n := range nets {
		for _, r := range n.Records {
			if r.Name == "" {
				continue // containers attached without a service
			}
			s := byName[r.Name]
			if s == nil {
				s = &DockerService{ID: ids[r.Name], Name: r.Name, EndpointMode: "dnsrr"}
				byName[r.Name] = s
				names = append(names, r.Name)
			}
			if !slices.Contains(s.Networks, n.ID) {
				s.Networks = append(s.Networks, n.ID)
			}
			if r.VIP.IsValid() {
				s.EndpointMode = "vip"
				s.VIPs = append(s.VIPs, DockerVIP{NetworkID: n.ID, Addr: netip.PrefixFrom(r.VIP, prefixLenOn(n, r.VIP))})
			}
		}
	}
	slices.Sort(names)
	out := make([]DockerService, 0, len(names))
	for _, name := range names {
		out = append(out, *byName[name])
	}
	return out
}

// prefixLenOn is the prefix length of the subnet of n holding a; the
// address's full length when none does.
func prefixLenOn(n DockerNetwork, a netip.Addr) int {
	for _, s := range n.Subnets {
		if s.Subnet.Contains(a) {
			return s.Subnet.Bits()
		}
	}
	return a.BitLen()
}
