package graph

import "slices"

// Subset returns a new model holding only what touches the named networks:
// the networks, the containers with an endpoint on them (and containers sharing
// their namespaces), those containers' namespaces and interfaces, the host-side
// bridges, parents and veth ends that wire them, their published ports and the
// names scoped to them. The host namespace and uplink are always kept. An
// unknown name is an *UnknownNetworkError.
func Subset(m *Model, networks []string) (*Model, error) {
	if len(networks) == 0 {
		return m, nil
	}
	x := NewIndex(m)
	keep := map[string]bool{string(HostNamespaceID): true}
	for _, name := range networks {
		n := x.Network(NewNetworkID(name))
		if n == nil {
			return nil, &UnknownNetworkError{Name: name, Known: m.NetworkNames()}
		}
		keep[string(n.ID)] = true
		for _, ref := range []InterfaceID{n.Bridge, n.Parent} {
			if ref != "" {
				keep[string(ref)] = true
			}
		}
	}
	for _, c := range m.Containers {
		if slices.ContainsFunc(c.Endpoints, func(ep Endpoint) bool { return keep[string(ep.Network)] }) {
			keep[string(c.ID)] = true
			if c.Namespace != "" {
				keep[string(c.Namespace)] = true
			}
		}
	}
	for _, c := range m.Containers { // --net container:X members of kept namespaces
		if c.Namespace != "" && c.Namespace != HostNamespaceID && keep[string(c.Namespace)] {
			keep[string(c.ID)] = true
		}
	}
	for _, i := range m.Interfaces {
		if i.Namespace != HostNamespaceID && keep[string(i.Namespace)] {
			keep[string(i.ID)] = true
		}
	}
	if m.Host.Uplink != "" {
		keep[string(m.Host.Uplink)] = true
	}
	// Host-side wiring: veth ends whose peer is kept, ports of kept bridges,
	// parents of kept macvlans.
	for _, e := range m.Edges {
		switch e.Kind {
		case EdgeVethPeer:
			if keep[e.From] || keep[e.To] {
				keep[e.From], keep[e.To] = true, true
			}
		case EdgeLower:
			if keep[e.From] {
				keep[e.To] = true
			}
		}
	}
	out := &Model{Schema: m.Schema, Source: m.Source, Host: m.Host, Warnings: slices.Clone(m.Warnings)}
	for _, n := range m.Namespaces {
		if keep[string(n.ID)] {
			out.Namespaces = append(out.Namespaces, n)
		}
	}
	for _, i := range m.Interfaces {
		if keep[string(i.ID)] {
			out.Interfaces = append(out.Interfaces, i)
		}
	}
	for _, n := range m.Networks {
		if keep[string(n.ID)] {
			out.Networks = append(out.Networks, n)
		}
	}
	for _, c := range m.Containers {
		if !keep[string(c.ID)] {
			continue
		}
		cc := *c
		cc.Endpoints = slices.DeleteFunc(slices.Clone(c.Endpoints), func(ep Endpoint) bool { return !keep[string(ep.Network)] })
		if cc.SharesWith != "" && !keep[string(cc.SharesWith)] {
			cc.SharesWith = ""
		}
		out.Containers = append(out.Containers, &cc)
	}
	for _, p := range m.Ports {
		if keep[string(p.Container)] {
			out.Ports = append(out.Ports, p)
			keep[p.ID] = true
		}
	}
	for _, n := range m.Names {
		if keep[string(n.Scope)] {
			out.Names = append(out.Names, n)
			keep[string(n.ID)] = true
		}
	}
	for _, e := range m.Edges {
		if keep[e.From] && keep[e.To] {
			out.Edges = append(out.Edges, e)
		}
	}
	return out, nil
}
