package graph

import (
	"slices"
	"strings"
)

// DeriveNames fills m.Names and the resolves-to edges from the containers:
// on every network with embedded DNS each running member answers to its name
// and its --net-alias aliases (several members under one alias: every
// answer), and a --link on a user network adds an alias only the linking
// container sees; on the default bridge a --link writes the alias and the
// target's name into the linking container's /etc/hosts. Live discovery and
// the simulator share it, so both models name things the same way.
func DeriveNames(m *Model) {
	m.Names = nil
	m.Edges = slices.DeleteFunc(m.Edges, func(e Edge) bool { return e.Kind == EdgeResolvesTo })
	x := NewIndex(m)
	ipOn := func(ctrName string, netID NetworkID) string {
		c := x.Container(NewContainerID(ctrName))
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
	seenEdge := map[Edge]bool{}
	add := func(scope Scope, name, source, target, ip string) {
		id := NewDNSNameID(scope, name)
		if !seen[id] {
			seen[id] = true
			m.Names = append(m.Names, &DNSName{ID: id, Name: name, Scope: scope, Source: source})
		}
		// A set, not AddEdge's scan: simulations hold tens of thousands.
		e := Edge{Kind: EdgeResolvesTo, From: id, To: string(NewContainerID(target)), Label: ip}
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
			if n == nil || !n.HasEmbeddedDNS() {
				continue
			}
			ip := ipOn(c.Name, n.ID)
			if ip == "" {
				continue
			}
			for _, name := range append([]string{c.Name}, ep.Aliases...) {
				add(Scope(n.ID), name, NameEmbeddedDNS, c.Name, ip)
			}
			for _, l := range ep.Links {
				if tip := ipOn(l.Target, n.ID); tip != "" {
					add(Scope(c.ID), l.Alias, NameEmbeddedDNS, l.Target, tip)
				}
			}
		}
		var defaultNet NetworkID
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
				add(Scope(c.ID), l.Alias, NameHosts, l.Target, tip)
				add(Scope(c.ID), l.Target, NameHosts, l.Target, tip)
			}
		}
	}
}

// Resolve returns what client gets for name, and how ("hosts" or
// "embedded-dns"): /etc/hosts entries from --link first, then per-container
// --link aliases, then the first of the client's networks — in libnetwork's
// endpoint order, non-internal before internal, then by name — on which the
// name exists. Only that network's answers come back, not a union (measured
// on docker.io 20.10.24: a client on networks zeta and alpha, an alias on
// both, got only alpha's address).
func (x *Index) Resolve(client *Container, name string) ([]Edge, string) {
	owner := x.NetworkOwner(client)
	answersOf := func(id string) []Edge {
		var out []Edge
		for _, e := range x.EdgesFrom(id) {
			if e.Kind == EdgeResolvesTo {
				out = append(out, e)
			}
		}
		return out
	}
	for _, src := range []string{NameHosts, NameEmbeddedDNS} {
		if n := x.Name(NewDNSNameID(Scope(owner.ID), name)); n != nil && n.Source == src {
			return answersOf(n.ID), n.Source
		}
	}
	nets := make([]*Network, 0, len(owner.Endpoints))
	for _, ep := range owner.Endpoints {
		if n := x.Network(ep.Network); n != nil {
			nets = append(nets, n)
		}
	}
	slices.SortStableFunc(nets, func(a, b *Network) int {
		if a.Internal != b.Internal {
			if a.Internal {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, n := range nets {
		if dn := x.Name(NewDNSNameID(Scope(n.ID), name)); dn != nil {
			return answersOf(dn.ID), dn.Source
		}
	}
	return nil, ""
}
