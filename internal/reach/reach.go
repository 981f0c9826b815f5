// Package reach holds netviz's reachability rules: pure functions over a
// graph.Model that say whether a container should reach an address, why, and
// whether a probe's packet would stay on this host. The simulator uses them to
// predict; probe and reach use them to explain a measurement and to refuse
// probes that would leave the machine.
package reach

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// Reason codes, stable for JSON consumers.
const (
	SameNamespace   = "shared-namespace"  // the target is in the client's own namespace
	SameNetwork     = "same-network"      // both on one bridge or macvlan network
	ICCDisabled     = "icc-disabled"      // one bridge, but com.docker.network.bridge.enable_icc=false
	IsolatedBridges = "isolated-bridges"  // different bridges: Docker's isolation rules drop it
	NoneMode        = "none-mode"         // the client has only loopback
	HostMode        = "host-mode"         // the client is the host: it routes to every bridge
	MacvlanHost     = "macvlan-host"      // the host cannot reach its own macvlan children
	MacvlanOther    = "macvlan-elsewhere" // macvlan and bridge traffic meets only outside the host
	NotRunning      = "not-running"       // one side has no namespace
)

// Expectation is what the model predicts for one client and target address.
type Expectation struct {
	Reachable bool   `json:"reachable"`
	Reason    string `json:"reason"`
	// Detail says it in words, naming the networks involved.
	Detail string `json:"detail"`
	// Local is false when a probe's packet would be routed out of this host
	// (through the uplink or a macvlan parent): such pairs are not measured.
	Local bool `json:"local"`
}

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
// bridge, macvlan, host, none and container: networking.
func Expect(x *graph.Index, client *graph.Container, t Target) Expectation {
	netName := func(n *graph.Network) string {
		if n == nil {
			return "?"
		}
		return n.Name
	}
	client = x.NetworkOwner(client)
	switch {
	case !client.Running() || !t.Container.Running():
		return Expectation{false, NotRunning, "a container that is not running has no network", false}
	case client.Namespace == t.Container.Namespace:
		return Expectation{true, SameNamespace, "the address is in the client's own namespace", true}
	case client.NetworkMode == graph.ModeNone:
		return Expectation{false, NoneMode, "--net none: the client has only loopback", true}
	}
	if client.Namespace == graph.HostNamespaceID {
		if t.Network != nil && isMacvlan(t.Network) {
			// Unmeasured: the host has no route to the macvlan subnet, so the
			// probe would go out of the default route.
			return Expectation{false, MacvlanHost, fmt.Sprintf("the host cannot reach its own %s children through %s", t.Network.Driver, orName(t.Network.ParentName)), false}
		}
		return Expectation{true, HostMode, fmt.Sprintf("the host routes to bridge %s directly", netName(t.Network)), true}
	}
	onTargetNet := t.Network != nil && slices.ContainsFunc(client.Endpoints, func(ep graph.Endpoint) bool { return ep.Network == t.Network.ID })
	if onTargetNet {
		if t.Network.Driver == "bridge" && !t.Network.ICC {
			return Expectation{false, ICCDisabled, fmt.Sprintf("inter-container traffic is disabled on %s (enable_icc=false)", t.Network.Name), true}
		}
		return Expectation{true, SameNetwork, fmt.Sprintf("both on %s", t.Network.Name), true}
	}
	// Different networks: where would the client's packet go?
	if t.Network != nil && isMacvlan(t.Network) {
		return Expectation{false, MacvlanOther, fmt.Sprintf("%s is a macvlan on %s: from here the packet would leave the host", t.Network.Name, orName(t.Network.ParentName)), false}
	}
	if clientOnlyMacvlan(x, client) {
		return Expectation{false, MacvlanOther, "the client is only on macvlan: its packet would leave through the parent", false}
	}
	return Expectation{false, IsolatedBridges, fmt.Sprintf("%s and %s are different bridges: Docker isolates them",
		strings.Join(clientNetworks(x, client), "+"), netName(t.Network)), true}
}

func isMacvlan(n *graph.Network) bool { return n.Driver == "macvlan" || n.Driver == "ipvlan" }

func orName(s string) string {
	if s == "" {
		return "its parent"
	}
	return s
}

func clientNetworks(x *graph.Index, c *graph.Container) []string {
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

func clientOnlyMacvlan(x *graph.Index, c *graph.Container) bool {
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
