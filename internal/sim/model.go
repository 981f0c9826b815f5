package sim

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
)

// uplinkAddr is the simulated host's address: TEST-NET-1, never routed.
var uplinkAddr = netip.MustParsePrefix("192.0.2.10/24")

// loopback is lo's address in every namespace, loopback6 the one 29 adds
// in every container namespace (rule ns.loopback-ipv6).
var (
	loopback  = netip.MustParsePrefix("127.0.0.1/8")
	loopback6 = netip.MustParsePrefix("::1/128")
)

// Model builds the graph of the engine's current state: the same shape live
// discovery produces for a host in this state.
func (e *Engine) Model() *graph.Model {
	m := graph.New(graph.SourceSim, e.opts.Hostname)
	m.Host.Engine = e.opts.EngineVersion + " (simulated)"
	m.Host.Chains = e.prof.Chains()
	if e.member() {
		m.Host.Swarm = e.swarmInfo()
	}
	host := graph.HostNamespaceID
	ifIndex := map[graph.NamespaceID]int{}
	addIf := func(ns graph.NamespaceID, name string, kind graph.InterfaceKind, typ, mac string, addrs ...netip.Prefix) graph.InterfaceID {
		ifIndex[ns]++
		id := graph.NewInterfaceID(ns, name)
		m.Interfaces = append(m.Interfaces, &graph.Interface{ID: id, Namespace: ns, Name: name, Index: ifIndex[ns],
			Kind: kind, Type: typ, MAC: mac, MTU: 1500, State: "up", Addrs: addrs})
		return id
	}
	hostIf := map[string]graph.InterfaceID{} // device name → ID
	hostIf["lo"] = addIf(host, "lo", graph.KindLoopback, "device", "", loopback)
	hostIf["eth0"] = addIf(host, "eth0", graph.KindPhysical, "device", uplinkMAC(e.uplink.Addr()), e.uplink)
	m.Host.Uplink = hostIf["eth0"]

	// Networks and their host-side devices.
	var overlays []*graph.Network
	for _, name := range e.netOrder {
		n := e.nets[name]
		if n.ovl != nil && !e.listsOverlay(n) {
			continue // a worker lists an overlay while it has an endpoint on it (rule swarm.worker-networks)
		}
		gn := &graph.Network{ID: graph.NewNetworkID(n.name), Name: n.name, DockerID: n.id, Driver: n.driver, Scope: "local",
			Internal: n.internal, EnableIPv6: n.ipv6, ICC: n.icc, Default: n.name == dockerrules.DefaultBridgeNetwork, Options: n.options}
		if len(gn.Options) == 0 {
			gn.Options = nil
		}
		gn.Subnets = e.inspectSubnets(n)
		switch n.driver {
		case "bridge":
			gn.BridgeName = bridgeName(n)
			var addrs []netip.Prefix
			if n.gateway.IsValid() {
				addrs = append(addrs, netip.PrefixFrom(n.gateway, n.subnet.Bits()))
			}
			if n.gateway6.IsValid() {
				addrs = append(addrs, netip.PrefixFrom(n.gateway6, n.subnet6.Bits()))
			}
			hostIf[gn.BridgeName] = addIf(host, gn.BridgeName, graph.KindBridge, "bridge", dockerrules.BridgeMAC(e.prof, n.gateway), addrs...)
			gn.Bridge = hostIf[gn.BridgeName]
		case "macvlan", "ipvlan":
			parent := parentName(n)
			gn.ParentName = parent
			if _, ok := hostIf[parent]; !ok {
				base, _, isVLAN := strings.Cut(parent, ".")
				hostIf[parent] = addIf(host, parent, graph.KindOther, "vlan", "")
				if isVLAN {
					if lower, ok := hostIf[base]; ok {
						m.AddEdge(graph.EdgeLower, string(hostIf[parent]), string(lower), "")
					}
				}
			}
			gn.Parent = hostIf[parent]
		case "overlay":
			overlays = append(overlays, gn)
		}
		m.Networks = append(m.Networks, gn)
	}
	// The overlays' namespaces, once every host-side bridge exists.
	ovlVeth := map[string]map[string]graph.InterfaceID{} // network → owner → veth in its namespace
	for _, gn := range overlays {
		ovlVeth[gn.Name] = e.modelOverlay(m, gn, e.nets[gn.Name], addIf, hostIf)
	}

	// Containers, their namespaces and the wiring of each endpoint.
	nsOf := map[string]graph.NamespaceID{}
	for _, name := range e.ctrOrder {
		c := e.ctrs[name]
		gc := &graph.Container{ID: graph.NewContainerID(c.name), Name: c.name, DockerID: c.id, Image: c.image,
			State: "exited", NetworkMode: c.mode, Hostname: c.hostname}
		if c.running {
			gc.State = "running"
		}
		for _, l := range c.links {
			gc.Links = append(gc.Links, graph.Link{Target: l.Target, Alias: l.Alias})
		}
		if c.running {
			switch {
			case c.mode == "host":
				gc.Namespace = host
			case strings.HasPrefix(c.mode, "container:"):
				owner := strings.TrimPrefix(c.mode, "container:")
				if e.ctrs[owner] != nil { // rm -f of the owner leaves no one to share with
					gc.SharesWith = graph.NewContainerID(owner)
				}
				gc.Namespace = nsOf[owner]
			default:
				gc.Namespace = graph.NewNamespaceID(c.name)
				m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: gc.Namespace})
				lo := []netip.Prefix{loopback}
				if e.prof.LoopbackIPv6 {
					lo = append(lo, loopback6) // rule ns.loopback-ipv6
				}
				addIf(gc.Namespace, "lo", graph.KindLoopback, "device", "", lo...)
			}
			nsOf[c.name] = gc.Namespace
		}
		for _, ep := range c.endpoints {
			n := e.nets[ep.net]
			if n == nil {
				continue
			}
			gep := graph.Endpoint{Network: graph.NewNetworkID(n.name), Aliases: ep.aliases}
			for _, l := range ep.links {
				gep.Links = append(gep.Links, graph.Link{Target: l.Target, Alias: l.Alias})
			}
			if c.running && ep.ip.IsValid() {
				gep.IPv4 = netip.PrefixFrom(ep.ip, n.subnet.Bits())
				// The endpoint's gateway is its default route: none on an
				// --internal bridge from 25, on an --internal macvlan or
				// ipvlan on every release (rule ep.internal-default-route),
				// none on a network without one (rule ipam.driver-gateway).
				bridgeRoute := n.driver == "bridge" && e.prof.InternalDefaultRoute
				if !n.internal || bridgeRoute {
					gep.Gateway = n.gateway
				}
				gep.MAC = dockerrules.EndpointMAC(e.prof, ep.ip) // rule mac.from-ipv4
				// No gateway on an overlay, and MACs from the address (rule
				// swarm.overlay-mac).
				if n.ovl != nil {
					gep.Gateway, gep.MAC = netip.Addr{}, dockerrules.OverlayMAC(ep.ip)
				}
				addrs := []netip.Prefix{gep.IPv4}
				if ep.ip6.IsValid() {
					gep.IPv6 = netip.PrefixFrom(ep.ip6, n.subnet6.Bits())
					addrs = append(addrs, gep.IPv6)
				}
				switch n.driver {
				case "bridge":
					gep.Interface = addIf(gc.Namespace, ep.ifname, graph.KindVeth, "veth", gep.MAC, addrs...)
					hostEnd := addIf(host, vethName(c.name, n.name), graph.KindVeth, "veth", "")
					m.AddEdge(graph.EdgeVethPeer, string(gep.Interface), string(hostEnd), "")
					m.AddEdge(graph.EdgeMaster, string(hostEnd), string(hostIf[bridgeName(n)]), "")
				case "overlay":
					gep.Interface = addIf(gc.Namespace, ep.ifname, graph.KindVeth, "veth", gep.MAC, addrs...)
					setMTU(m, dockerrules.OverlayMTU)
					if peer, ok := ovlVeth[n.name][c.name]; ok {
						m.AddEdge(graph.EdgeVethPeer, string(gep.Interface), string(peer), "")
					}
				case "macvlan", "ipvlan":
					kind := graph.KindMacvlan
					if n.driver == "ipvlan" {
						kind = graph.KindOther
					}
					gep.Interface = addIf(gc.Namespace, ep.ifname, kind, n.driver, gep.MAC, addrs...)
					if parent := hostIf[parentName(n)]; parent != "" {
						m.AddEdge(graph.EdgeLower, string(gep.Interface), string(parent), "")
					}
				}
			}
			gc.Endpoints = append(gc.Endpoints, gep)
		}
		if c.task != nil {
			gc.Task = &graph.Task{ID: c.task.id, Service: graph.NewServiceID(c.task.svc.name), Slot: c.task.slot, Node: e.opts.Hostname}
		}
		if c.running && c.gw != nil {
			// docker_gwbridge: an interface and its veth, no endpoint —
			// inspect lists none (rule swarm.gwbridge).
			if gwNet := e.nets[c.gw.net]; gwNet != nil && c.gw.ip.IsValid() {
				id := addIf(gc.Namespace, c.gw.ifname, graph.KindVeth, "veth", dockerrules.EndpointMAC(e.prof, c.gw.ip), netip.PrefixFrom(c.gw.ip, gwNet.subnet.Bits()))
				hostEnd := addIf(host, vethName(c.name, c.gw.net), graph.KindVeth, "veth", "")
				m.AddEdge(graph.EdgeVethPeer, string(id), string(hostEnd), "")
				m.AddEdge(graph.EdgeMaster, string(hostEnd), string(hostIf[bridgeName(gwNet)]), "")
				joinOrder(m, gc.Namespace)
			}
		}
		if c.running {
			for _, p := range c.boundPorts {
				var ips []netip.Addr
				if ip, err := netip.ParseAddr(p.HostIP); err == nil {
					ips = []netip.Addr{ip}
				} else {
					ips = dockerrules.UnspecifiedBinds() // dockerd binds both families
				}
				for _, ip := range ips {
					port := &graph.Port{ID: fmt.Sprintf("port:%s:%d/%s->%s", ip, p.HostPort, p.Proto, gc.ID), Container: gc.ID,
						Proto: p.Proto, HostIP: ip, HostPort: p.HostPort, ContainerPort: p.ContainerPort}
					m.Ports = append(m.Ports, port)
					m.AddEdge(graph.EdgePortMap, port.ID, string(gc.ID), fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto))
				}
			}
		}
		m.Containers = append(m.Containers, gc)
	}
	if e.member() {
		m.Services = e.modelServices()
	}
	dockerrules.DeriveNames(m)
	m.Warnings = append(m.Warnings, e.Notes...)
	if e.manager() && len(m.Services) > 0 {
		m.Warnings = append(m.Warnings, predictedNote)
	}
	m.Sort()
	return m
}

// bridgeName is n's Linux bridge (rule dev.bridge-name). The simulator
// passes no options but docker_gwbridge's: it does not model
// com.docker.network.bridge.name on user networks (the rule's Gap).
func bridgeName(n *network) string {
	if n.name == dockerrules.GatewayBridgeNetwork { // the swarm names its bridge (rule swarm.gwbridge)
		return dockerrules.BridgeName(n.name, n.id, n.options)
	}
	return dockerrules.BridgeName(n.name, n.id, nil)
}

// parentName is a macvlan or ipvlan network's parent: -o parent, else
// Docker's dummy (rule dev.dummy-parent).
func parentName(n *network) string {
	if p := n.options["parent"]; p != "" {
		return p
	}
	return dockerrules.DummyParent(n.id)
}

// vethName is a stable host-side veth name (rule dev.veth-name: Docker's
// digits are random, these come from the names).
func vethName(ctr, net string) string { return dockerrules.VethName(fakeID("veth", ctr+"/"+net)) }

// inspectSubnets lists n's pools as the release's `docker network inspect`
// does, which is what a live model holds: its gateway only when --gateway
// gave it or the pool came from the defaults, up to 28 (rule
// ipam.inspect-gateway); IPv4 first up to 28, else the pools given with
// --subnet before those from the defaults (rule ipam.inspect-order).
func (e *Engine) inspectSubnets(n *network) []graph.Subnet {
	gw, gw6 := n.gateway, n.gateway6
	if e.prof.InspectGivenGatewayOnly {
		if n.userSubnet && !n.gwGiven {
			gw = netip.Addr{}
		}
		if !n.gw6Given { // an IPv6 pool comes from --subnet only
			gw6 = netip.Addr{}
		}
	}
	v4, v6 := subnetOf(n.subnet, n.ipRange, gw), subnetOf(n.subnet6, n.ipRange6, gw6)
	order := []graph.Subnet{v4, v6}
	if !e.prof.InspectIPv4First && !n.userSubnet {
		order = []graph.Subnet{v6, v4} // the IPv6 pool is the configured one
	}
	var out []graph.Subnet
	for _, s := range order {
		if s.Subnet.IsValid() {
			out = append(out, s)
		}
	}
	return out
}

// subnetOf is one pool of a network as the model lists it (empty when the
// network has no pool of that family).
func subnetOf(subnet, ipRange netip.Prefix, gateway netip.Addr) graph.Subnet {
	if !subnet.IsValid() {
		return graph.Subnet{}
	}
	s := graph.Subnet{Subnet: subnet, Gateway: gateway}
	if ipRange.IsValid() && ipRange != subnet {
		s.IPRange = ipRange
	}
	return s
}
