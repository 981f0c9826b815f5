package sim

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/natural"
)

// predictedNote says, on a manager's model, where a real swarm may differ
// from the simulated one.
const predictedNote = "predicted: a real swarm allocates task and load-balancer addresses as its allocator and scheduler get to them, " +
	"and breaks placement ties at random; the simulator takes each service's VIP first, then its tasks' addresses in slot order, " +
	"then a load-balancer endpoint for each node that gets its first endpoint on the network, nodes in join order, and spreads tasks " +
	"over the nodes in join order (fewest tasks of the service, then fewest tasks) — addresses may swap among tasks and replicas sit on other nodes"

// uplinkMAC is the simulated eth0's MAC: 02:00 and its IPv4 address
// (192.0.2.10 gives 02:00:c0:00:02:0a).
func uplinkMAC(a netip.Addr) string {
	if !a.Is4() {
		return ""
	}
	b := a.As4()
	return fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3])
}

// joinOrder numbers the interfaces of a container's namespace in the
// order they joined — lo, eth0, eth1, … — as the kernel's indexes run:
// the docker_gwbridge interface, added after the endpoints, joined second
// (rule swarm.gwbridge).
func joinOrder(m *graph.Model, ns graph.NamespaceID) {
	var ifs []*graph.Interface
	for _, i := range m.Interfaces {
		if i.Namespace == ns {
			ifs = append(ifs, i)
		}
	}
	slices.SortStableFunc(ifs, func(a, b *graph.Interface) int {
		if (a.Kind == graph.KindLoopback) != (b.Kind == graph.KindLoopback) {
			if a.Kind == graph.KindLoopback {
				return -1
			}
			return 1
		}
		return natural.Compare(a.Name, b.Name)
	})
	for k, i := range ifs {
		i.Index = k + 1
	}
}

// setMTU sets the MTU of the interface added last.
func setMTU(m *graph.Model, mtu int) { m.Interfaces[len(m.Interfaces)-1].MTU = mtu }

// listsOverlay reports whether this node lists overlay n (rule
// swarm.worker-networks): a manager every one, a worker those it has an
// endpoint on.
func (e *Engine) listsOverlay(n *network) bool { return e.manager() || e.ovl[n.name] != nil }

// swarmInfo is the node's Host.Swarm: a manager also lists the nodes.
func (e *Engine) swarmInfo() *graph.Swarm {
	sw := e.cl.swarm
	s := &graph.Swarm{NodeID: e.node.id, NodeName: e.opts.Hostname, Role: e.node.role, Addr: e.node.addr}
	if !e.manager() {
		return s
	}
	s.ClusterID = sw.id
	for _, m := range sw.members {
		s.Nodes = append(s.Nodes, graph.SwarmNode{ID: m.node.id, Name: m.opts.Hostname, Role: m.node.role, State: "ready", Addr: m.node.addr})
	}
	for _, g := range sw.gone {
		s.Nodes = append(s.Nodes, graph.SwarmNode{ID: swarmID("node", g), Name: g, Role: "worker", State: "down"})
	}
	return s
}

// modelOverlay fills in overlay gn as this node has it (rule
// swarm.overlay-namespace): scope swarm, its VNI among the options as
// inspect lists it; where it has a namespace here, the namespace with lo,
// br0 (the gateway), vxlan0 (VNI, UDP port, a permanent FDB entry for
// every endpoint of another node: MAC to that node's VTEP) and a veth per
// local endpoint, the peers, and the load-balancer sandbox — lb_ for a
// user overlay, ingress_sbox (eth0 on the ingress, eth1 on
// docker_gwbridge) for the ingress. It returns each local owner's veth in
// the namespace, for the containers' side.
func (e *Engine) modelOverlay(m *graph.Model, gn *graph.Network, n *network, addIf func(graph.NamespaceID, string, graph.InterfaceKind, string, string, ...netip.Prefix) graph.InterfaceID, hostIf map[string]graph.InterfaceID) map[string]graph.InterfaceID {
	sw := e.cl.swarm
	gn.Scope, gn.ICC = "swarm", true
	gn.Options = maps.Clone(n.options)
	if gn.Options == nil {
		gn.Options = map[string]string{}
	}
	gn.Options[dockerrules.VNIOption] = strconv.Itoa(n.ovl.vni)
	o := &graph.Overlay{VNI: n.ovl.vni, Attachable: n.ovl.attachable, Ingress: n.ovl.ingress, Encrypted: n.ovl.encrypted}
	gn.Overlay, gn.BridgeName = o, "br0"
	sb := e.ovl[n.name]
	if sb == nil {
		return nil
	}
	lo := []netip.Prefix{loopback}
	if e.prof.LoopbackIPv6 {
		lo = append(lo, loopback6) // rule ns.loopback-ipv6
	}
	bits := n.subnet.Bits()
	ns := graph.NewOverlayNamespaceID(n.name)
	m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: ns, Kind: graph.NamespaceOverlay, Network: gn.ID})
	addIf(ns, "lo", graph.KindLoopback, "device", "", lo...)
	br0 := addIf(ns, "br0", graph.KindBridge, "bridge", "", netip.PrefixFrom(n.gateway, bits))
	setMTU(m, dockerrules.OverlayMTU)
	vx := addIf(ns, "vxlan0", graph.KindVxlan, "vxlan", "")
	setMTU(m, dockerrules.OverlayMTU)
	info := &graph.VXLANInfo{VNI: n.ovl.vni, Port: sw.port}
	m.Interfaces[len(m.Interfaces)-1].VXLAN = info
	m.AddEdge(graph.EdgeMaster, string(vx), string(br0), "")
	m.AddEdge(graph.EdgeLower, string(vx), string(hostIf["eth0"]), "")
	gn.Bridge = br0
	o.Namespace, o.VXLAN = ns, vx
	veths := map[string]graph.InterfaceID{}
	for _, owner := range sb.order {
		id := addIf(ns, sb.veths[owner], graph.KindVeth, "veth", "")
		setMTU(m, dockerrules.OverlayMTU)
		m.AddEdge(graph.EdgeMaster, string(id), string(br0), "")
		veths[owner] = id
	}
	// The load-balancer sandbox.
	lbNS, lbIf := graph.NewLBNamespaceID(n.name), "eth0"
	if n.ovl.ingress {
		lbNS = graph.IngressNamespaceID
	}
	kind := graph.NamespaceLB
	if n.ovl.ingress {
		kind = graph.NamespaceIngress
	}
	m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: lbNS, Kind: kind, Network: gn.ID})
	addIf(lbNS, "lo", graph.KindLoopback, "device", "", lo...)
	lbAddr := netip.PrefixFrom(sb.lb, bits)
	eth0 := addIf(lbNS, lbIf, graph.KindVeth, "veth", dockerrules.OverlayMAC(sb.lb), lbAddr)
	setMTU(m, dockerrules.OverlayMTU)
	owner := lbOwner
	if n.ovl.ingress {
		owner = ingressOwner
	}
	if peer, ok := veths[owner]; ok {
		m.AddEdge(graph.EdgeVethPeer, string(eth0), string(peer), "")
	}
	if gwNet := e.nets[dockerrules.GatewayBridgeNetwork]; n.ovl.ingress && gwNet != nil && sb.gw.IsValid() {
		eth1 := addIf(lbNS, "eth1", graph.KindVeth, "veth", dockerrules.EndpointMAC(e.prof, sb.gw), netip.PrefixFrom(sb.gw, gwNet.subnet.Bits()))
		hostEnd := addIf(graph.HostNamespaceID, vethName("ingress-sbox", gwNet.name), graph.KindVeth, "veth", "")
		m.AddEdge(graph.EdgeVethPeer, string(eth1), string(hostEnd), "")
		m.AddEdge(graph.EdgeMaster, string(hostEnd), string(hostIf[bridgeName(gwNet)]), "")
	}
	o.LoadBalancer = &graph.LoadBalancer{Namespace: lbNS, IPv4: lbAddr}
	// The nodes on the network, and the tunnel's entries for the others'
	// endpoints.
	for _, mem := range sw.members {
		rsb := mem.ovl[n.name]
		if rsb == nil {
			continue
		}
		o.Peers = append(o.Peers, graph.OverlayPeer{Name: mem.opts.Hostname, Addr: mem.node.addr})
		if mem == e {
			continue
		}
		for _, a := range mem.endpointsOn(n, rsb) {
			info.FDB = append(info.FDB, graph.FDBEntry{MAC: dockerrules.OverlayMAC(a), Dst: mem.node.addr, Permanent: true})
		}
	}
	return veths
}

// endpointsOn lists the addresses this node's endpoints hold on overlay
// n: the load-balancer's (or ingress sandbox's), then its running
// containers'.
func (e *Engine) endpointsOn(n *network, sb *sandbox) []netip.Addr {
	out := []netip.Addr{sb.lb}
	for _, cn := range e.ctrOrder {
		c := e.ctrs[cn]
		if !c.running {
			continue
		}
		for _, ep := range c.endpoints {
			if ep.net == n.name && ep.ip.IsValid() {
				out = append(out, ep.ip)
			}
		}
	}
	return out
}

// modelServices lists the swarm's services as this node's model has them,
// as discovery reads them: a manager every one (mode, replicas, ports); a
// worker, which cannot list them, those its overlays' service records
// name — each service on a user overlay it has, with its VIPs there and
// its endpoint mode only. VIPs and networks are in ID order.
func (e *Engine) modelServices() []*graph.Service {
	sw := e.cl.swarm
	var out []*graph.Service
	for _, name := range sw.svcOrder {
		svc := sw.services[name]
		gs := &graph.Service{ID: graph.NewServiceID(svc.name), Name: svc.name, DockerID: svc.id, EndpointMode: svc.endpointMode}
		if e.manager() {
			gs.Mode = svc.mode
			if svc.mode == "replicated" {
				gs.Replicas = svc.replicas
			}
			for _, p := range svc.ports {
				gs.Ports = append(gs.Ports, graph.ServicePort{Proto: p.Proto, TargetPort: p.Target, PublishedPort: p.Published, Mode: p.Mode})
			}
		}
		for i, n := range svc.nets {
			if !e.manager() && (n.ovl.ingress || e.ovl[n.name] == nil) {
				continue // no records of it here
			}
			if !n.ovl.ingress {
				gs.Networks = append(gs.Networks, graph.NewNetworkID(n.name))
			}
			if i < len(svc.vips) {
				gs.VIPs = append(gs.VIPs, graph.ServiceVIP{Network: graph.NewNetworkID(n.name), Addr: netip.PrefixFrom(svc.vips[i], n.subnet.Bits())})
			}
		}
		if !e.manager() && len(gs.Networks) == 0 {
			continue
		}
		slices.SortFunc(gs.VIPs, func(a, b graph.ServiceVIP) int { return cmp.Compare(a.Network, b.Network) })
		slices.Sort(gs.Networks)
		out = append(out, gs)
	}
	return out
}

// MultiHost reports whether the scenario built more than one host, or a
// swarm: what Cluster describes and Model alone does not.
func (e *Engine) MultiHost() bool { return e.cl.swarm != nil || len(e.hosts()) > 1 }

// hosts are the engines a command ran on or that are in the swarm, in the
// order the scenario named them; the default host when there is none.
func (e *Engine) hosts() []*Engine {
	var out []*Engine
	for _, name := range e.cl.order {
		h := e.cl.hosts[name]
		if h.used || h.member() {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		out = append(out, e.cl.def)
	}
	return out
}

// Cluster is every host of the scenario, each its own model (Model of its
// engine), sorted by node name: the swarm's nodes and any other host a
// command ran on.
func (e *Engine) Cluster() *graph.Cluster {
	c := &graph.Cluster{Schema: graph.ClusterSchema}
	for _, h := range e.hosts() {
		c.Hosts = append(c.Hosts, h.Model())
	}
	slices.SortFunc(c.Hosts, func(a, b *graph.Model) int { return cmp.Compare(graph.NodeName(a), graph.NodeName(b)) })
	return c
}
