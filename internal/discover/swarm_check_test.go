package discover

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// swarmExpect is what issue 13's scenario (swarmtest.Deploy) is on the
// test bed, and so what every node's model must show: the nodes, the
// attachable overlay (its VNI and gateway as the manager's engine says),
// the VIP and dnsrr services and every endpoint with its node. The live
// test fills it from the deployment; with -update it is recorded beside
// the nodes' answers (testdata/swarm/deployment.json) for the unit test.
type swarmExpect struct {
	Nodes     []expNode
	Network   string
	NetworkID string
	VNI       int
	Gateway   netip.Prefix
	VIP       expService
	DNSRR     expService
	// PublishedPort is the dnsrr service's mode=host port.
	PublishedPort int
	Endpoints     []expEndpoint
	// IPVS: the kernel has IPVS.
	IPVS bool
}

type expNode struct {
	Name    string
	Addr    netip.Addr
	Manager bool
}

type expService struct {
	Name     string
	VIP      netip.Addr // invalid for dnsrr
	Replicas int
}

type expEndpoint struct {
	Name    string
	Node    int
	Addr    netip.Addr
	Service string // "" for the attached container
	Slot    int
}

// checkSwarmNode lists what node i's model gets wrong; models are every
// node's (nil where not discovered), for the MACs behind the FDB entries.
func checkSwarmNode(exp *swarmExpect, i int, models []*graph.Model) []string {
	m := models[i]
	node := exp.Nodes[i]
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if err := graph.Validate(m); err != nil {
		fail("model does not validate: %v", err)
	}
	x := graph.NewIndex(m)
	if m.Host.Name != node.Name {
		fail("host name %q, want %q", m.Host.Name, node.Name)
	}
	sw := m.Host.Swarm
	role := map[bool]string{true: "manager", false: "worker"}[node.Manager]
	switch {
	case sw == nil:
		fail("no Host.Swarm")
	default:
		if sw.NodeName != node.Name || sw.Addr != node.Addr || sw.Role != role || sw.NodeID == "" {
			fail("Host.Swarm %s %s %s (id %q), want %s %s %s", sw.NodeName, sw.Addr, sw.Role, sw.NodeID, node.Name, node.Addr, role)
		}
		if node.Manager {
			var got, want []string
			for _, n := range sw.Nodes {
				got = append(got, n.Name+"="+n.Addr.String()+"/"+n.State)
			}
			for _, n := range exp.Nodes {
				want = append(want, n.Name+"="+n.Addr.String()+"/ready")
			}
			if slices.Sort(got); !slices.Equal(got, want) {
				fail("swarm nodes %v, want %v", got, want)
			}
		} else if len(sw.Nodes) != 0 {
			fail("a worker lists nodes: %v", sw.Nodes)
		}
	}
	switch {
	case exp.IPVS && m.Host.IPVS != "ok":
		fail("Host.IPVS %q on a kernel with IPVS", m.Host.IPVS)
	case !exp.IPVS && (m.Host.IPVS == "" || m.Host.IPVS == "ok" || !strings.Contains(m.Host.IPVS, "IPVS")):
		fail("Host.IPVS %q, want why there is no IPVS", m.Host.IPVS)
	}
	if gw := x.Network(graph.NewNetworkID("docker_gwbridge")); gw == nil || gw.Bridge != graph.NewInterfaceID(graph.HostNamespaceID, "docker_gwbridge") {
		fail("docker_gwbridge network or its bridge missing: %+v", gw)
	}
	checkIngress(x, fail)

	var local []expEndpoint
	for _, e := range exp.Endpoints {
		if e.Node == i {
			local = append(local, e)
		}
	}
	n := x.Network(graph.NewNetworkID(exp.Network))
	if n == nil || n.Overlay == nil {
		fail("overlay %s missing (or not an overlay): %+v", exp.Network, n)
		return bad
	}
	o := n.Overlay
	if n.DockerID != exp.NetworkID || o.VNI != exp.VNI || !o.Attachable || o.Ingress || o.Encrypted {
		fail("overlay %s: id %s VNI %d attachable %v ingress %v encrypted %v, want id %s VNI %d attachable", n.Name, n.DockerID, o.VNI, o.Attachable, o.Ingress, o.Encrypted, exp.NetworkID, exp.VNI)
	}
	if len(local) == 0 {
		return bad
	}
	ovl := graph.NewOverlayNamespaceID(exp.Network)
	if ns := x.Namespace(ovl); o.Namespace != ovl || ns == nil || ns.Kind != graph.NamespaceOverlay || ns.Network != n.ID || ns.Inode == 0 {
		fail("overlay namespace %q (%+v), want %s of kind overlay", o.Namespace, ns, ovl)
	}
	br0 := graph.NewInterfaceID(ovl, "br0")
	if bi := x.Interface(br0); n.Bridge != br0 || bi == nil || bi.Kind != graph.KindBridge || !slices.Contains(bi.Addrs, exp.Gateway) {
		fail("network bridge %q (%+v), want %s holding the gateway %s", n.Bridge, bi, br0, exp.Gateway)
	}
	vx := x.Interface(o.VXLAN)
	switch {
	case vx == nil || vx.VXLAN == nil || vx.Namespace != ovl:
		fail("overlay VXLAN device %q: %+v", o.VXLAN, vx)
	default:
		if vx.VXLAN.VNI != exp.VNI || vx.VXLAN.Port != 4789 || vx.Kind != graph.KindVxlan {
			fail("%s: VNI %d port %d kind %s, want VNI %d port 4789", vx.ID, vx.VXLAN.VNI, vx.VXLAN.Port, vx.Kind, exp.VNI)
		}
		if x.Master(vx.ID) != br0 {
			fail("%s is in %q, want br0", vx.ID, x.Master(vx.ID))
		}
		if low := x.Lower(vx.ID); low != "" {
			fail("%s has a lower device %s; Docker gives it none", vx.ID, low)
		}
		checkFDB(exp, i, models, vx.VXLAN.FDB, fail)
	}

	lbNS := graph.NewLBNamespaceID(exp.Network)
	lb := o.LoadBalancer
	if ns := x.Namespace(lbNS); lb == nil || lb.Namespace != lbNS || ns == nil || ns.Kind != graph.NamespaceLB {
		fail("load balancer %+v, namespace %+v; want %s", lb, ns, lbNS)
	} else {
		eth0 := x.Interface(graph.NewInterfaceID(lbNS, "eth0"))
		if eth0 == nil || !lb.IPv4.IsValid() || !slices.Contains(eth0.Addrs, lb.IPv4) || !n.Subnets[0].Subnet.Contains(lb.IPv4.Addr()) {
			fail("load balancer address %s, %s eth0 %+v", lb.IPv4, lbNS, eth0)
		} else {
			checkPort(x, eth0.ID, ovl, br0, "load balancer eth0", fail)
		}
		if lb.IPVS == "" || exp.IPVS != (lb.IPVS == "ok") {
			fail("load balancer IPVS %q", lb.IPVS)
		}
	}

	for _, e := range local {
		c := x.Container(graph.NewContainerID(e.Name))
		if c == nil || !c.Running() || c.Namespace == "" {
			fail("container %s (%s) missing or not running: %+v", e.Name, e.Addr, c)
			continue
		}
		i := slices.IndexFunc(c.Endpoints, func(ep graph.Endpoint) bool { return ep.Network == n.ID })
		eth0 := graph.NewInterfaceID(c.Namespace, "eth0")
		if i < 0 || c.Endpoints[i].IPv4.Addr() != e.Addr || c.Endpoints[i].Interface != eth0 {
			fail("%s: endpoint on %s %+v, want %s on %s", e.Name, n.Name, c.Endpoints, e.Addr, eth0)
		} else {
			checkPort(x, eth0, ovl, br0, e.Name+" eth0", fail)
		}
		eth1 := x.Interface(graph.NewInterfaceID(c.Namespace, "eth1"))
		if eth1 == nil || len(eth1.Addrs) == 0 {
			fail("%s: no eth1 with an address (docker_gwbridge)", e.Name)
		} else {
			checkPort(x, eth1.ID, graph.HostNamespaceID, graph.NewInterfaceID(graph.HostNamespaceID, "docker_gwbridge"), e.Name+" eth1", fail)
		}
		switch t := c.Task; {
		case e.Service == "" && t != nil:
			fail("%s runs no task, yet Task %+v", e.Name, t)
		case e.Service != "" && (t == nil || t.Service != graph.NewServiceID(e.Service) || t.Slot != e.Slot || t.Node != node.Name || t.ID == ""):
			fail("%s: Task %+v, want service %s slot %d on %s", e.Name, t, e.Service, e.Slot, node.Name)
		}
	}
	checkServices(exp, x, node, n, local, fail)
	return bad
}

// checkPort: ifID is one end of a veth whose other end is in namespace ns,
// a port of bridge br.
func checkPort(x *graph.Index, ifID graph.InterfaceID, ns graph.NamespaceID, br graph.InterfaceID, what string, fail func(string, ...any)) {
	peer := x.Peer(ifID)
	pi := x.Interface(peer)
	if pi == nil || pi.Namespace != ns || x.Master(peer) != br {
		fail("%s (%s): veth peer %q in %v, master %q; want a port of %s in %s", what, ifID, peer, pi, x.Master(peer), br, ns)
	}
}

// checkFDB: node i's vxlan0 holds one permanent entry per endpoint on the
// overlay on another node — the containers' and the load balancers', with
// the MACs those nodes' models give them — pointing at that node's VTEP,
// and nothing else.
func checkFDB(exp *swarmExpect, i int, models []*graph.Model, fdb []graph.FDBEntry, fail func(string, ...any)) {
	want := map[string]netip.Addr{}
	netID := graph.NewNetworkID(exp.Network)
	remote := 0
	for j, mj := range models {
		if j == i || mj == nil {
			continue
		}
		xj := graph.NewIndex(mj)
		for _, c := range mj.Containers {
			for _, ep := range c.Endpoints {
				if ep.Network != netID || !c.Running() {
					continue
				}
				mac := ep.MAC
				if ifc := xj.Interface(ep.Interface); ifc != nil && ifc.MAC != "" {
					mac = ifc.MAC
				}
				want[strings.ToLower(mac)] = exp.Nodes[j].Addr
			}
		}
		if eth0 := xj.Interface(graph.NewInterfaceID(graph.NewLBNamespaceID(exp.Network), "eth0")); eth0 != nil {
			want[strings.ToLower(eth0.MAC)] = exp.Nodes[j].Addr
		}
	}
	for _, e := range exp.Endpoints {
		if e.Node != i && models[e.Node] != nil {
			remote++
		}
	}
	if len(want) < remote {
		fail("the other nodes' models show %d endpoints on %s, the deployment %d", len(want), exp.Network, remote)
	}
	got := map[string]netip.Addr{}
	for _, e := range fdb {
		if !e.Permanent {
			continue
		}
		if _, dup := got[strings.ToLower(e.MAC)]; dup {
			fail("FDB entry for %s twice", e.MAC)
		}
		got[strings.ToLower(e.MAC)] = e.Dst
	}
	for mac, dst := range want {
		if got[mac] != dst {
			fail("FDB: %s -> %v, want -> %s", mac, got[mac], dst)
		}
	}
	for mac, dst := range got {
		if _, ok := want[mac]; !ok {
			fail("FDB: %s -> %s is no endpoint of another node", mac, dst)
		}
	}
}

// checkIngress: the ingress overlay with its sandbox as load balancer,
// eth0 on the ingress's br0 and eth1 on docker_gwbridge.
func checkIngress(x *graph.Index, fail func(string, ...any)) {
	in := x.Network(graph.NewNetworkID("ingress"))
	sb := x.Namespace(graph.IngressNamespaceID)
	if in == nil || in.Overlay == nil || !in.Overlay.Ingress || sb == nil || sb.Kind != graph.NamespaceIngress {
		fail("ingress network %+v or its sandbox %+v missing", in, sb)
		return
	}
	if lb := in.Overlay.LoadBalancer; lb == nil || lb.Namespace != graph.IngressNamespaceID || !lb.IPv4.IsValid() {
		fail("ingress load balancer %+v, want the ingress sandbox", lb)
	}
	ovl := graph.NewOverlayNamespaceID("ingress")
	checkPort(x, graph.NewInterfaceID(graph.IngressNamespaceID, "eth0"), ovl, graph.NewInterfaceID(ovl, "br0"), "ingress_sbox eth0", fail)
	checkPort(x, graph.NewInterfaceID(graph.IngressNamespaceID, "eth1"), graph.HostNamespaceID, graph.NewInterfaceID(graph.HostNamespaceID, "docker_gwbridge"), "ingress_sbox eth1", fail)
}

// checkServices: the VIP service with its VIP, the dnsrr one without; on
// the manager their replicas and the dnsrr one's mode=host port; their
// names, tasks.NAME and the published port on this node.
func checkServices(exp *swarmExpect, x *graph.Index, node expNode, n *graph.Network, local []expEndpoint, fail func(string, ...any)) {
	m := x.Model
	vip, rr := x.Service(graph.NewServiceID(exp.VIP.Name)), x.Service(graph.NewServiceID(exp.DNSRR.Name))
	if vip == nil || rr == nil {
		fail("services %s and %s: %v, %v (all: %+v)", exp.VIP.Name, exp.DNSRR.Name, vip, rr, m.Services)
		return
	}
	wantVIP := []graph.ServiceVIP{{Network: n.ID, Addr: netip.PrefixFrom(exp.VIP.VIP, exp.Gateway.Bits())}}
	if vip.EndpointMode != graph.EndpointVIP || !slices.Equal(vip.VIPs, wantVIP) || !slices.Contains(vip.Networks, n.ID) {
		fail("service %s: mode %s VIPs %v networks %v, want vip %v", vip.Name, vip.EndpointMode, vip.VIPs, vip.Networks, wantVIP)
	}
	if rr.EndpointMode != graph.EndpointDNSRR || len(rr.VIPs) != 0 || !slices.Contains(rr.Networks, n.ID) {
		fail("service %s: mode %s VIPs %v networks %v, want dnsrr without VIPs", rr.Name, rr.EndpointMode, rr.VIPs, rr.Networks)
	}
	if node.Manager {
		wantPorts := []graph.ServicePort{{Proto: "tcp", TargetPort: 80, PublishedPort: exp.PublishedPort, Mode: "host"}}
		if vip.Mode != "replicated" || vip.Replicas != exp.VIP.Replicas || rr.Mode != "replicated" || rr.Replicas != exp.DNSRR.Replicas || !slices.Equal(rr.Ports, wantPorts) || len(vip.Ports) != 0 {
			fail("services on the manager: %s %s×%d ports %v, %s %s×%d ports %v; want replicated ×%d, ×%d with %v",
				vip.Name, vip.Mode, vip.Replicas, vip.Ports, rr.Name, rr.Mode, rr.Replicas, rr.Ports, exp.VIP.Replicas, exp.DNSRR.Replicas, wantPorts)
		}
	} else if !slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, "worker") }) {
		fail("a worker's model does not say it could not list the services: %v", m.Warnings)
	}
	answers := func(name string) map[string]string {
		out := map[string]string{}
		for _, e := range x.EdgesFrom(graph.NewDNSNameID(graph.Scope(n.ID), name)) {
			if e.Kind == graph.EdgeResolvesTo {
				out[e.To] = e.Label
			}
		}
		return out
	}
	tasksOf := func(svc string) map[string]string {
		out := map[string]string{}
		for _, e := range local {
			if e.Service == svc {
				out[string(graph.NewContainerID(e.Name))] = e.Addr.String()
			}
		}
		return out
	}
	check := func(name, source string, want map[string]string) {
		dn := x.Name(graph.NewDNSNameID(graph.Scope(n.ID), name))
		if got := answers(name); dn == nil || dn.Source != source || !mapsEqual(got, want) {
			fail("name %s on %s: %+v answers %v, want %s answers %v", name, n.Name, dn, got, source, want)
		}
	}
	check(exp.VIP.Name, graph.NameServiceVIP, map[string]string{string(vip.ID): exp.VIP.VIP.String()})
	check("tasks."+exp.VIP.Name, graph.NameTasks, tasksOf(exp.VIP.Name))
	check(exp.DNSRR.Name, graph.NameTasks, tasksOf(exp.DNSRR.Name))
	check("tasks."+exp.DNSRR.Name, graph.NameTasks, tasksOf(exp.DNSRR.Name))
	for _, e := range local {
		if e.Service != exp.DNSRR.Name {
			continue
		}
		cid := graph.NewContainerID(e.Name)
		if !slices.ContainsFunc(m.Ports, func(p *graph.Port) bool {
			return p.Container == cid && p.HostPort == exp.PublishedPort && p.ContainerPort == 80 && p.Proto == "tcp"
		}) {
			fail("%s: no published port %d → 80/tcp", e.Name, exp.PublishedPort)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
