package dockerrules

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// Reason codes of an Expectation, stable for JSON consumers.
const (
	SameNamespace   = "shared-namespace"  // the target is in the client's own namespace (rule reach.modes)
	SameNetwork     = "same-network"      // both on one bridge or macvlan network (rule reach.same-network)
	ICCDisabled     = "icc-disabled"      // one bridge, but com.docker.network.bridge.enable_icc=false (rule reach.same-network)
	IsolatedBridges = "isolated-bridges"  // different bridges: Docker's isolation rules drop it (rule reach.isolated-bridges)
	NoneMode        = "none-mode"         // the client has only loopback (rule reach.modes)
	HostMode        = "host-mode"         // the client is the host: it routes to every bridge (rule reach.modes)
	MacvlanHost     = "macvlan-host"      // the host cannot reach its own macvlan children (rule reach.macvlan)
	MacvlanOther    = "macvlan-elsewhere" // macvlan and bridge traffic meets only outside the host (rule reach.macvlan)
	NotRunning      = "not-running"       // one side has no namespace
	NoDefaultRoute  = "no-default-route"  // the client's networks give it no route off them (rule reach.no-default-route)
	Overlay         = "overlay"           // one overlay, on different nodes: VXLAN between their VTEPs (rule reach.overlay)
	NoTunnelEntry   = "no-fdb-entry"      // one overlay, but the client's node has no FDB entry for the target (rule reach.overlay)
	OtherNode       = "other-node"        // the address is on another node's local network (rule reach.overlay)
	NoIPVS          = "no-ipvs"           // a service VIP on a node whose kernel has no IPVS (rule reach.vip-ipvs)
	NoIPVSService   = "no-ipvs-service"   // IPVS, but no IPVS service for the VIP in the node's load balancer (rule reach.vip-ipvs)
	VIPBalanced     = "vip"               // a service VIP, balanced over its tasks by IPVS (rule reach.vip-ipvs)
)

// Expectation is what the rules predict for one client and one address of
// a target container.
type Expectation struct {
	Reachable bool   `json:"reachable"`
	Reason    string `json:"reason"`
	// Detail says it in words, naming the networks involved.
	Detail string `json:"detail"`
	// Local is false when a probe's packet would be routed out of this host
	// (through the uplink or a macvlan parent): such pairs are not measured.
	Local bool `json:"local"`
}

// Expect predicts whether client reaches target's address on network on
// (nil when the address's network is unknown), by Docker's rules for
// bridge, macvlan, host, none and container: networking (rules
// reach.modes, reach.same-network, reach.isolated-bridges, reach.macvlan).
// A --net container:X client is judged as X.
func Expect(x *graph.Index, client, target *graph.Container, on *graph.Network) Expectation {
	netName := func(n *graph.Network) string {
		if n == nil {
			return "?"
		}
		return n.Name
	}
	client = x.NetworkOwner(client)
	if cn, tn := x.NodeOf(client.Namespace), x.NodeOf(target.Namespace); cn != tn && client.Running() && target.Running() {
		return expectAcross(x, client, target, on, cn, tn)
	}
	switch {
	case !client.Running() || !target.Running():
		return Expectation{false, NotRunning, "a container that is not running has no network", false}
	case client.Namespace == target.Namespace:
		return Expectation{true, SameNamespace, "the address is in the client's own namespace", true}
	case client.NetworkMode == graph.ModeNone:
		return Expectation{false, NoneMode, "--net none: the client has only loopback", true}
	}
	if client.Namespace == graph.HostNamespaceID {
		if on != nil && isMacvlan(on) {
			// Unmeasured: the host has no route to the macvlan subnet, so the
			// probe would go out of the default route.
			return Expectation{false, MacvlanHost, fmt.Sprintf("the host cannot reach its own %s children through %s", on.Driver, orParent(on.ParentName)), false}
		}
		return Expectation{true, HostMode, fmt.Sprintf("the host routes to bridge %s directly", netName(on)), true}
	}
	if on != nil && slices.ContainsFunc(client.Endpoints, func(ep graph.Endpoint) bool { return ep.Network == on.ID }) {
		if on.Driver == "bridge" && !on.ICC {
			return Expectation{false, ICCDisabled, fmt.Sprintf("inter-container traffic is disabled on %s (enable_icc=false)", on.Name), true}
		}
		return Expectation{true, SameNetwork, fmt.Sprintf("both on %s", on.Name), true}
	}
	// Different networks: where would the client's packet go?
	if on != nil && isMacvlan(on) {
		return Expectation{false, MacvlanOther, fmt.Sprintf("%s is a macvlan on %s: from here the packet would leave the host", on.Name, orParent(on.ParentName)), false}
	}
	if onlyMacvlan(x, client) {
		return Expectation{false, MacvlanOther, "the client is only on macvlan: its packet would leave through the parent", false}
	}
	if onlyInternal(x, client) && !hasDefaultRoute(client) {
		return Expectation{false, NoDefaultRoute, fmt.Sprintf("%s gives the client no default route (--internal from Docker 25): the kernel refuses to send to %s",
			strings.Join(networkNames(x, client), "+"), netName(on)), true}
	}
	return Expectation{false, IsolatedBridges, fmt.Sprintf("%s and %s are different bridges: %s",
		strings.Join(networkNames(x, client), "+"), netName(on), isolation(x.Model.Host.Chains, on)), true}
}

// onlyInternal reports whether every network of the client is --internal:
// the only case where Docker leaves a bridge container without a default
// route (rule reach.no-default-route). Models that do not record gateways
// (hand-written ones) are not judged by the rule otherwise.
func onlyInternal(x *graph.Index, c *graph.Container) bool {
	if len(c.Endpoints) == 0 {
		return false
	}
	for _, ep := range c.Endpoints {
		n := x.Network(ep.Network)
		if n == nil || !n.Internal {
			return false
		}
	}
	return true
}

// hasDefaultRoute reports whether one of the client's endpoints has a
// gateway: inspect's word (and the simulator's) for a default route
// through it (rules ep.internal-default-route, ipam.driver-gateway).
func hasDefaultRoute(c *graph.Container) bool {
	return slices.ContainsFunc(c.Endpoints, func(ep graph.Endpoint) bool { return ep.Gateway.IsValid() })
}

// NFTablesTable is the table Docker's nftables firewall backend (28+,
// daemon.json "firewall-backend": "nftables") keeps all its rules in.
const NFTablesTable = "docker-bridges"

// NFTablesChains stands, in graph.Host.Chains, for that backend's ruleset.
const NFTablesChains = "nftables:" + NFTablesTable

// isolation says how the engine drops traffic between bridges, from the
// chains it made (rules fw.isolation-chains, fw.forward-chains): read from
// the host's ruleset when discovered, the release's when simulated.
func isolation(chains []string, on *graph.Network) string {
	bridge := "the target's bridge"
	if on != nil && on.BridgeName != "" {
		bridge = on.BridgeName
	}
	switch {
	case slices.Contains(chains, "DOCKER-ISOLATION-STAGE-1"):
		return "Docker isolates them (DOCKER-ISOLATION-STAGE-1/2 drop it)"
	case slices.Contains(chains, NFTablesChains):
		return "Docker isolates them (nftables: the docker-bridges chain filter-forward-in__" + bridge + " drops what is not a published port)"
	case slices.Contains(chains, "DOCKER-FORWARD"):
		return "Docker isolates them (the DOCKER chain drops what enters " + bridge + " from another interface)"
	}
	return "Docker isolates them"
}

// isMacvlan reports whether n's containers hang off a parent interface
// (macvlan, ipvlan) rather than a bridge.
func isMacvlan(n *graph.Network) bool { return n.Driver == "macvlan" || n.Driver == "ipvlan" }

func orParent(s string) string {
	if s == "" {
		return "its parent"
	}
	return s
}

func networkNames(x *graph.Index, c *graph.Container) []string {
	var out []string
	for _, ep := range c.Endpoints {
		if n := x.Network(ep.Network); n != nil {
			out = append(out, n.Name)
		}
	}
	if len(out) == 0 {
		return []string{"no network"}
	}
	return out
}

func onlyMacvlan(x *graph.Index, c *graph.Container) bool {
	if len(c.Endpoints) == 0 {
		return false
	}
	for _, ep := range c.Endpoints {
		if n := x.Network(ep.Network); n == nil || !isMacvlan(n) {
			return false
		}
	}
	return true
}

// expectAcross judges a client and a target on different nodes of a
// flattened cluster (rule reach.overlay): only an overlay both are on
// crosses, through the VXLAN tunnel the client's node keeps for the
// target's MAC.
func expectAcross(x *graph.Index, client, target *graph.Container, on *graph.Network, cn, tn string) Expectation {
	if on == nil || on.Overlay == nil || !slices.ContainsFunc(client.Endpoints, func(ep graph.Endpoint) bool { return ep.Network == on.ID }) {
		where := "a local network"
		if on != nil {
			where = on.Name
		}
		return Expectation{false, OtherNode, fmt.Sprintf("the address is on %s of node %s: from %s it is an address of the client's own node (or of none), and only an overlay both are on crosses nodes", where, tn, cn), false}
	}
	var mac string
	for _, ep := range target.Endpoints {
		if ep.Network == on.ID {
			mac = ep.MAC
			if i := x.Interface(ep.Interface); mac == "" && i != nil {
				mac = i.MAC
			}
		}
	}
	vtep := func(node string) string {
		if sw := x.Model.Host.Swarm; sw != nil {
			for _, n := range sw.Nodes {
				if n.Name == node && n.Addr.IsValid() {
					return node + " (VTEP " + n.Addr.String() + ")"
				}
			}
		}
		return node
	}
	// The client node's vxlan0 for this overlay: does its forwarding
	// database send the target's MAC to the target's node?
	if fdb, known := overlayFDB(x, on, cn); known && mac != "" {
		if !slices.ContainsFunc(fdb, func(e graph.FDBEntry) bool { return strings.EqualFold(e.MAC, mac) }) {
			return Expectation{false, NoTunnelEntry, fmt.Sprintf("both on overlay %s, but %s's vxlan0 has no FDB entry for %s's MAC %s: the tunnel does not know where it is", on.Name, cn, target.Name, mac), true}
		}
	}
	seg := "VXLAN"
	if on.Overlay.VNI != 0 {
		seg = fmt.Sprintf("VXLAN VNI %d", on.Overlay.VNI)
	}
	if on.Overlay.Encrypted {
		seg += " in IPsec ESP (-o encrypted: both kernels need ESP and xfrm)"
	}
	return Expectation{true, Overlay, fmt.Sprintf("both on overlay %s: %s from %s to %s", on.Name, seg, vtep(cn), vtep(tn)), true}
}

// overlayFDB is the forwarding database of the overlay's VXLAN device on
// a node, and whether it is known (read, with at least one entry).
func overlayFDB(x *graph.Index, on *graph.Network, node string) ([]graph.FDBEntry, bool) {
	for _, ns := range x.Model.Namespaces {
		if ns.Kind != graph.NamespaceOverlay || ns.Network != on.ID || ns.Node != node {
			continue
		}
		for _, i := range x.InterfacesIn(ns.ID) {
			if i.VXLAN != nil {
				return i.VXLAN.FDB, len(i.VXLAN.FDB) > 0
			}
		}
	}
	return nil, false
}

// ExpectVIP predicts whether client reaches a service's virtual IP on
// network on (rule reach.vip-ipvs): the client must be on the network,
// and its node's kernel must have IPVS (ipvs: the node's Host.IPVS, ""
// unknown, "ok", or why not).
//
// Where the kernel has IPVS and the client node's load balancer on the
// network was read (lb.IPVS "ok"), its IPVS services must hold the VIP.
func ExpectVIP(x *graph.Index, client *graph.Container, svc *graph.Service, on *graph.Network, ipvs string, lb *graph.LoadBalancer) Expectation {
	client = x.NetworkOwner(client)
	if !client.Running() {
		return Expectation{false, NotRunning, "a container that is not running has no network", false}
	}
	if on == nil || !slices.ContainsFunc(client.Endpoints, func(ep graph.Endpoint) bool { return ep.Network == on.ID }) {
		name := "?"
		if on != nil {
			name = on.Name
		}
		return Expectation{false, OtherNode, fmt.Sprintf("%s's VIP is on %s, which the client is not on", svc.Name, name), false}
	}
	if ipvs != "" && ipvs != "ok" {
		return Expectation{false, NoIPVS, fmt.Sprintf("%s: the engine never added %s's VIP, so nothing answers it (%s resolves to it all the same)", ipvs, svc.Name, svc.Name), true}
	}
	if lb != nil && lb.IPVS == "ok" {
		vip := netip.Addr{}
		for _, v := range svc.VIPs {
			if v.Network == on.ID {
				vip = v.Addr.Addr()
			}
		}
		if vip.IsValid() && !slices.ContainsFunc(lb.Services, func(s graph.IPVSService) bool { return s.VIP == vip }) {
			return Expectation{false, NoIPVSService, fmt.Sprintf("the kernel has IPVS, but the load balancer of %s on the client's node has no IPVS service for %s's VIP %s: nothing balances it", on.Name, svc.Name, vip), true}
		}
	}
	return Expectation{true, VIPBalanced, fmt.Sprintf("IPVS balances %s's VIP over its tasks", svc.Name), true}
}

// MeshNotes says, for each service port published through the ingress
// routing mesh, which nodes cannot serve it for want of IPVS (rule
// reach.vip-ipvs: the mesh balances through IPVS in ingress_sbox as a VIP
// does). ipvs is each node's Host.IPVS by name.
func MeshNotes(services []*graph.Service, ipvs map[string]string) []string {
	var nodes []string
	for n, st := range ipvs {
		if st != "" && st != "ok" {
			nodes = append(nodes, n+": "+st)
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	slices.Sort(nodes)
	var out []string
	for _, sv := range services {
		for _, p := range sv.Ports {
			if p.Mode == "ingress" {
				out = append(out, fmt.Sprintf("service %s publishes %d/%s through the ingress routing mesh, which needs IPVS: no node answers it there (%s)", sv.Name, p.PublishedPort, p.Proto, strings.Join(nodes, "; ")))
			}
		}
	}
	return out
}
