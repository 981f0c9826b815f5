package dockerrules

import (
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// EmbeddedDNS reports whether Docker's embedded DNS (127.0.0.11) answers
// names on n (rule dns.embedded): every user-defined network has it; the
// default bridge, host and none do not.
func EmbeddedDNS(n *graph.Network) bool {
	return !n.Default && n.Driver != "host" && n.Driver != "null"
}

// JoinKey is what libnetwork's endpoint order looks at: the network's name
// and whether it is internal.
type JoinKey struct {
	Network  string
	Internal bool
}

// CompareJoinOrder orders two endpoints of one sandbox the way libnetwork
// joins them (rule ep.join-order, epHeap.Less): non-internal networks
// first, then by network name. The order numbers the interfaces eth0, eth1,
// … of a starting container and is the order names resolve in (rule
// dns.first-network).
func CompareJoinOrder(a, b JoinKey) int {
	if a.Internal != b.Internal {
		if a.Internal {
			return 1
		}
		return -1
	}
	return strings.Compare(a.Network, b.Network)
}

// DeriveNames fills m.Names and the resolves-to edges from the containers:
// on every network with embedded DNS each running member answers to its name
// and its --net-alias aliases, several members under one alias all answering
// (rules dns.embedded, dns.names), and a --link on a user network adds an
// alias only the linking container sees (rule dns.link-alias); on the
// default bridge a --link writes the alias and the target's name into the
// linking container's /etc/hosts (rule dns.link-hosts). Live discovery and
// the simulator share it, so both models name things the same way.
func DeriveNames(m *graph.Model) {
	m.Names = nil
	m.Edges = slices.DeleteFunc(m.Edges, func(e graph.Edge) bool { return e.Kind == graph.EdgeResolvesTo })
	x := graph.NewIndex(m)
	ipOn := func(ctrName string, netID graph.NetworkID) string {
		c := x.Container(graph.NewContainerID(ctrName))
		if c == nil || !c.Running() {
			return ""
		}
		for _, ep := range c.Endpoints {
			if ep.Network == netID && ep.IPv4.IsValid() {
				return ep.IPv4.Addr().String()
			}
		}
		return ""
	}
	seen := map[string]bool{}
	seenEdge := map[graph.Edge]bool{}
	add := func(scope graph.Scope, name, source, target, ip string) {
		id := graph.NewDNSNameID(scope, name)
		if !seen[id] {
			seen[id] = true
			m.Names = append(m.Names, &graph.DNSName{ID: id, Name: name, Scope: scope, Source: source})
		}
		// A set, not AddEdge's scan: simulations hold tens of thousands.
		e := graph.Edge{Kind: graph.EdgeResolvesTo, From: id, To: string(graph.NewContainerID(target)), Label: ip}
		if !seenEdge[e] {
			seenEdge[e] = true
			m.Edges = append(m.Edges, e)
		}
	}
	for _, c := range m.Containers {
		if !c.Running() {
			continue
		}
		for _, ep := range c.Endpoints {
			n := x.Network(ep.Network)
			if n == nil || !EmbeddedDNS(n) {
				continue
			}
			ip := ipOn(c.Name, n.ID)
			if ip == "" {
				continue
			}
			for _, name := range append([]string{c.Name}, ep.Aliases...) {
				add(graph.Scope(n.ID), name, graph.NameEmbeddedDNS, c.Name, ip)
			}
			for _, l := range ep.Links {
				if tip := ipOn(l.Target, n.ID); tip != "" {
					add(graph.Scope(c.ID), l.Alias, graph.NameEmbeddedDNS, l.Target, tip)
				}
			}
		}
		var defaultNet graph.NetworkID
		for _, ep := range c.Endpoints {
			if n := x.Network(ep.Network); n != nil && n.Default {
				defaultNet = n.ID
			}
		}
		if defaultNet == "" {
			continue
		}
		for _, l := range c.Links {
			if tip := ipOn(l.Target, defaultNet); tip != "" {
				add(graph.Scope(c.ID), l.Alias, graph.NameHosts, l.Target, tip)
				add(graph.Scope(c.ID), l.Target, graph.NameHosts, l.Target, tip)
			}
		}
	}
	deriveServiceNames(m)
}

// Resolve returns what client gets for name, and how (graph.NameHosts or
// graph.NameEmbeddedDNS), over a model DeriveNames filled: /etc/hosts
// entries from --link first (rule dns.link-hosts), then per-container
// --link aliases (rule dns.link-alias), then the first of the client's
// networks in join order on which the name exists (rule dns.first-network).
// Only that network's answers come back, not a union (measured on docker.io
// 20.10.24: a client on networks zeta and alpha, an alias on both, got only
// alpha's address). A --net container:X client resolves as X.
func Resolve(x *graph.Index, client *graph.Container, name string) ([]graph.Edge, string) {
	owner := x.NetworkOwner(client)
	answersOf := func(id string) []graph.Edge {
		var out []graph.Edge
		for _, e := range x.EdgesFrom(id) {
			if e.Kind == graph.EdgeResolvesTo {
				out = append(out, e)
			}
		}
		return out
	}
	for _, src := range []string{graph.NameHosts, graph.NameEmbeddedDNS} {
		if n := x.Name(graph.NewDNSNameID(graph.Scope(owner.ID), name)); n != nil && n.Source == src {
			return answersOf(n.ID), n.Source
		}
	}
	nets := make([]*graph.Network, 0, len(owner.Endpoints))
	for _, ep := range owner.Endpoints {
		if n := x.Network(ep.Network); n != nil {
			nets = append(nets, n)
		}
	}
	slices.SortStableFunc(nets, func(a, b *graph.Network) int {
		return CompareJoinOrder(JoinKey{a.Name, a.Internal}, JoinKey{b.Name, b.Internal})
	})
	for _, n := range nets {
		if dn := x.Name(graph.NewDNSNameID(graph.Scope(n.ID), name)); dn != nil {
			return answersOf(dn.ID), dn.Source
		}
	}
	return nil, ""
}
