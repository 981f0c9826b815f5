package testkit

import (
	"fmt"
	"net/netip"

	"github.com/netviz/netviz/internal/graph"
)

// SwarmNode is node i of a swarm of nodes of a small swarm as discovery models it: eth0
// (its VTEP), docker_gwbridge, the overlay appnet with its namespace (br0,
// vxlan0 and a veth per local endpoint), the load balancer, and tasks
// with eth0 on the overlay and eth1 on docker_gwbridge: tasks of service
// web per node, an attachable overlay appnet (VNI 4097).
func SwarmNode(i, nodes, tasks int) *graph.Model {
	name := fmt.Sprintf("node%d", i)
	vtep := netip.AddrFrom4([4]byte{10, 252, 0, byte(i)})
	m := graph.New(graph.SourceSim, name)
	m.Host.Engine = "29.0 (simulated)"
	m.Host.Swarm = &graph.Swarm{NodeID: "id" + name, NodeName: name, Role: map[bool]string{true: "manager", false: "worker"}[i == 1], Addr: vtep}
	host := graph.HostNamespaceID
	eth0 := graph.NewInterfaceID(host, "eth0")
	gw := graph.NewInterfaceID(host, "docker_gwbridge")
	m.Host.Uplink = eth0
	m.Interfaces = append(m.Interfaces,
		&graph.Interface{ID: eth0, Namespace: host, Name: "eth0", Index: 2, Kind: graph.KindPhysical, State: "up", Addrs: []netip.Prefix{netip.PrefixFrom(vtep, 24)}},
		&graph.Interface{ID: gw, Namespace: host, Name: "docker_gwbridge", Index: 3, Kind: graph.KindBridge, State: "up", Addrs: []netip.Prefix{netip.MustParsePrefix("172.18.0.1/16")}})
	ovl := graph.NewOverlayNamespaceID("appnet")
	br0, vx := graph.NewInterfaceID(ovl, "br0"), graph.NewInterfaceID(ovl, "vxlan0")
	m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: ovl, Kind: graph.NamespaceOverlay, Network: graph.NewNetworkID("appnet")})
	var fdb []graph.FDBEntry
	for j := 1; j <= nodes; j++ {
		if j != i {
			for k := range tasks {
				fdb = append(fdb, graph.FDBEntry{MAC: fmt.Sprintf("02:42:0a:00:01:%02x", 10*j+k), Dst: netip.AddrFrom4([4]byte{10, 252, 0, byte(j)}), Permanent: true})
			}
		}
	}
	m.Interfaces = append(m.Interfaces,
		&graph.Interface{ID: br0, Namespace: ovl, Name: "br0", Index: 2, Kind: graph.KindBridge, State: "up", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/24")}},
		&graph.Interface{ID: vx, Namespace: ovl, Name: "vxlan0", Index: 3, Kind: graph.KindVxlan, State: "up", VXLAN: &graph.VXLANInfo{VNI: 4097, Port: 4789, FDB: fdb}})
	m.AddEdge(graph.EdgeMaster, string(vx), string(br0), "")
	m.Networks = append(m.Networks,
		&graph.Network{ID: graph.NewNetworkID("appnet"), Name: "appnet", DockerID: "ovl4j0s", Driver: "overlay", Scope: "swarm", ICC: true,
			Subnets: []graph.Subnet{{Subnet: netip.MustParsePrefix("10.0.1.0/24"), Gateway: netip.MustParseAddr("10.0.1.1")}},
			Bridge:  br0, BridgeName: "br0",
			Overlay: &graph.Overlay{VNI: 4097, Attachable: true, Namespace: ovl, VXLAN: vx}},
		&graph.Network{ID: graph.NewNetworkID("docker_gwbridge"), Name: "docker_gwbridge", DockerID: "gw" + name, Driver: "bridge", Scope: "local",
			Subnets: []graph.Subnet{{Subnet: netip.MustParsePrefix("172.18.0.0/16"), Gateway: netip.MustParseAddr("172.18.0.1")}},
			Bridge:  gw, BridgeName: "docker_gwbridge"})
	veth := 0
	pair := func(nsID graph.NamespaceID, ifName string, addr netip.Prefix, bridge graph.InterfaceID, peerNS graph.NamespaceID, peerName string) graph.InterfaceID {
		id, pid := graph.NewInterfaceID(nsID, ifName), graph.NewInterfaceID(peerNS, peerName)
		m.Interfaces = append(m.Interfaces,
			&graph.Interface{ID: id, Namespace: nsID, Name: ifName, Index: 10 + veth, Kind: graph.KindVeth, State: "up", Addrs: []netip.Prefix{addr}, MAC: macOf(addr.Addr())},
			&graph.Interface{ID: pid, Namespace: peerNS, Name: peerName, Index: 20 + veth, Kind: graph.KindVeth, State: "up"})
		m.AddEdge(graph.EdgeVethPeer, string(id), string(pid), "")
		m.AddEdge(graph.EdgeMaster, string(pid), string(bridge), "")
		veth++
		return id
	}
	lb := graph.NewLBNamespaceID("appnet")
	m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: lb, Kind: graph.NamespaceLB, Network: graph.NewNetworkID("appnet")})
	pair(lb, "eth0", netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(200 + i)}), 24), br0, ovl, "veth0")
	m.Networks[0].Overlay.LoadBalancer = &graph.LoadBalancer{Namespace: lb, IPv4: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(200 + i)}), 24), IPVS: "no IPVS in this kernel"}
	for k := range tasks {
		cname := fmt.Sprintf("web.%d.task%d%d", (i-1)*tasks+k+1, i, k)
		ns := graph.NewNamespaceID(cname)
		m.Namespaces = append(m.Namespaces, &graph.Namespace{ID: ns})
		ip := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(10*i + k)}), 24)
		e0 := pair(ns, "eth0", ip, br0, ovl, fmt.Sprintf("veth%d", k+1))
		pair(ns, "eth1", netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 18, 0, byte(2 + k)}), 16), gw, host, fmt.Sprintf("veth%d%da", i, k))
		m.Containers = append(m.Containers, &graph.Container{ID: graph.NewContainerID(cname), Name: cname, State: "running", NetworkMode: "bridge", Namespace: ns,
			Image: "netviz-test/busybox", Endpoints: []graph.Endpoint{{Network: graph.NewNetworkID("appnet"), Interface: e0, IPv4: ip, MAC: macOf(ip.Addr())}},
			Task: &graph.Task{ID: fmt.Sprintf("task%d%d", i, k), Service: graph.NewServiceID("web"), Slot: (i-1)*tasks + k + 1, Node: name}})
	}
	return m
}

// macOf is Docker's overlay MAC for an address: 02:42 and the address.
func macOf(a netip.Addr) string {
	b := a.As4()
	return fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3])
}
