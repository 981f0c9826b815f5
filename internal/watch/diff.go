package watch

import (
	"maps"
	"reflect"
	"slices"

	"github.com/netviz/netviz/internal/graph"
)

// Changed lists, sorted, the IDs of the namespaces, interfaces, networks,
// containers and published ports that differ between old and cur: added,
// removed, or with any field changed — and the ends of every stored edge
// (veth peer, bridge port, macvlan parent, port mapping) added or removed,
// as an interface moved to another bridge changes no field of its own.
// DNS names are not listed (they follow from containers, which are). Nil
// when the models draw the same host.
func Changed(old, cur *graph.Model) []string {
	out := map[string]bool{}
	diffNodes(old.Namespaces, cur.Namespaces, func(n *graph.Namespace) string { return string(n.ID) }, out)
	diffNodes(old.Interfaces, cur.Interfaces, func(i *graph.Interface) string { return string(i.ID) }, out)
	diffNodes(old.Networks, cur.Networks, func(n *graph.Network) string { return string(n.ID) }, out)
	diffNodes(old.Containers, cur.Containers, func(c *graph.Container) string { return string(c.ID) }, out)
	diffNodes(old.Ports, cur.Ports, func(p *graph.Port) string { return p.ID }, out)

	known := map[string]bool{}
	for _, m := range []*graph.Model{old, cur} {
		for _, i := range m.Interfaces {
			known[string(i.ID)] = true
		}
		for _, c := range m.Containers {
			known[string(c.ID)] = true
		}
		for _, p := range m.Ports {
			known[p.ID] = true
		}
	}
	was := map[graph.Edge]bool{}
	for _, e := range old.Edges {
		was[e] = true
	}
	is := map[graph.Edge]bool{}
	for _, e := range cur.Edges {
		is[e] = true
	}
	for _, pair := range [][2]map[graph.Edge]bool{{was, is}, {is, was}} {
		for e := range pair[0] {
			if pair[1][e] || e.Kind == graph.EdgeResolvesTo {
				continue
			}
			for _, id := range []string{e.From, e.To} {
				if known[id] {
					out[id] = true
				}
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(out))
}

// diffNodes marks in out the IDs of nodes in only one of a and b, or in
// both but different.
func diffNodes[T any](a, b []*T, id func(*T) string, out map[string]bool) {
	before := make(map[string]*T, len(a))
	for _, n := range a {
		before[id(n)] = n
	}
	for _, n := range b {
		k := id(n)
		if o, ok := before[k]; !ok || !reflect.DeepEqual(o, n) {
			out[k] = true
		}
		delete(before, k)
	}
	for k := range before {
		out[k] = true
	}
}
