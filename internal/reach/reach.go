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
