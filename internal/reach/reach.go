// Package reach computes who should reach whom in a model: the targets
// (every container address), the clients, and the predicted matrix by
// equivalence classes, each cell judged by Docker's reachability rules in
// internal/dockerrules. The simulator uses it to predict; probe and reach
// use it to explain a measurement and to refuse probes that would leave the
// machine.
package reach

import (
	"net/netip"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
)

// Reason codes, stable for JSON consumers (see dockerrules).
const (
	SameNamespace   = dockerrules.SameNamespace
	SameNetwork     = dockerrules.SameNetwork
	ICCDisabled     = dockerrules.ICCDisabled
	IsolatedBridges = dockerrules.IsolatedBridges
	NoneMode        = dockerrules.NoneMode
	HostMode        = dockerrules.HostMode
	MacvlanHost     = dockerrules.MacvlanHost
	MacvlanOther    = dockerrules.MacvlanOther
	NotRunning      = dockerrules.NotRunning
	NoDefaultRoute  = dockerrules.NoDefaultRoute
	Overlay         = dockerrules.Overlay
	NoTunnelEntry   = dockerrules.NoTunnelEntry
	OtherNode       = dockerrules.OtherNode
	NoIPVS          = dockerrules.NoIPVS
	NoIPVSService   = dockerrules.NoIPVSService
	VIPBalanced     = dockerrules.VIPBalanced
)

// Expectation is what the model predicts for one client and target address.
type Expectation = dockerrules.Expectation

// Target is one address of one container.
type Target struct {
	Container *graph.Container
	Network   *graph.Network
	Addr      netip.Addr
}

// Targets lists every IPv4 endpoint address of the running containers, in
// model order: the addresses `netviz reach` measures.
func Targets(x *graph.Index) []Target {
	var out []Target
	for _, c := range x.Model.Containers {
		if !c.Running() {
			continue
		}
		for _, ep := range c.Endpoints {
			if !ep.IPv4.IsValid() {
				continue
			}
			out = append(out, Target{Container: c, Network: x.Network(ep.Network), Addr: ep.IPv4.Addr()})
		}
	}
	return out
}

// Expect predicts whether client reaches target, following Docker's rules for
// bridge, macvlan, host, none and container: networking (dockerrules.Expect).
func Expect(x *graph.Index, client *graph.Container, t Target) Expectation {
	return dockerrules.Expect(x, client, t.Container, t.Network)
}

// Clients lists the containers a probe can run from: running ones with a
// namespace, in model order. container:X members are listed too; they share
// X's namespace, so one measurement serves both.
func Clients(x *graph.Index) []*graph.Container {
	var out []*graph.Container
	for _, c := range x.Model.Containers {
		if c.Running() && c.Namespace != "" {
			out = append(out, c)
		}
	}
	return out
}

// VIPTarget is a swarm service's virtual IP on one network: what the
// service's name resolves to (endpoint mode vip).
type VIPTarget struct {
	Service *graph.Service
	Network *graph.Network
	Addr    netip.Addr
}

// VIPTargets lists the VIPs of the model's services, in model order.
func VIPTargets(x *graph.Index) []VIPTarget {
	var out []VIPTarget
	for _, sv := range x.Model.Services {
		for _, v := range sv.VIPs {
			if n := x.Network(v.Network); n != nil && v.Addr.IsValid() {
				out = append(out, VIPTarget{Service: sv, Network: n, Addr: v.Addr.Addr()})
			}
		}
	}
	return out
}

// ExpectVIP predicts whether client reaches a VIP: its node's kernel must
// have IPVS (rule reach.vip-ipvs). In a flattened cluster the node is the
// client namespace's; ipvs maps node names to their Host.IPVS ("" for a
// single host's model, whose own Host.IPVS is used).
func ExpectVIP(x *graph.Index, client *graph.Container, t VIPTarget, ipvs map[string]string) Expectation {
	state := x.Model.Host.IPVS
	var lb *graph.LoadBalancer
	if o := t.Network.Overlay; o != nil {
		lb = o.LoadBalancer
	}
	if node := x.NodeOf(x.NetworkOwner(client).Namespace); node != "" {
		if s, ok := ipvs[node]; ok {
			state = s
		}
		if o := t.Network.Overlay; o != nil && o.NodeLoadBalancers != nil {
			lb = o.NodeLoadBalancers[node]
		}
	}
	return dockerrules.ExpectVIP(x, client, t.Service, t.Network, state, lb)
}
