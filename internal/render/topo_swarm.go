package render

// Swarm on one host's picture. An overlay network is a frame like a
// bridge network's, its bridge the br0 in the overlay's own namespace
// (which is drawn as that frame, not as a box), with the VXLAN device
// beside it; the load-balancer sandbox (lb-NET) and the ingress sandbox
// are boxes of their own, joined to the networks their interfaces are
// on. A task container's docker_gwbridge interface, which Docker does
// not list among its endpoints, is joined to docker_gwbridge by its
// address.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// sandboxTitle is the title of a namespace no container owns.
func sandboxTitle(m *graph.Model, ns *graph.Namespace) (name, what string) {
	switch ns.Kind {
	case graph.NamespaceLB:
		return "lb-" + ns.Network.Name(), "load balancer"
	case graph.NamespaceIngress:
		return "ingress_sbox", "ingress sandbox"
	}
	return string(ns.ID), ""
}

// impliedEndpoints are the attachments of a namespace's interfaces that
// no container endpoint lists: an interface whose address is in a drawn
// network's subnet is on that network (the load balancer's on the network
// it serves first). Interfaces an endpoint names are left out.
func impliedEndpoints(m *graph.Model, x *graph.Index, nsID graph.NamespaceID) []graph.Endpoint {
	listed := map[graph.InterfaceID]bool{}
	onNet := map[graph.NetworkID]bool{}
	for _, c := range x.ContainersIn(nsID) {
		for _, ep := range c.Endpoints {
			onNet[ep.Network] = true
			if ep.Interface != "" {
				listed[ep.Interface] = true
			}
		}
	}
	ns := x.Namespace(nsID)
	var out []graph.Endpoint
	for _, i := range x.InterfacesIn(nsID) {
		if listed[i.ID] || i.Kind == graph.KindLoopback {
			continue
		}
		for _, a := range i.Addrs {
			if !a.Addr().Is4() {
				continue
			}
			var found *graph.Network
			for _, n := range m.Networks {
				if !wired(n) || onNet[n.ID] {
					continue
				}
				if slices.ContainsFunc(n.Subnets, func(s graph.Subnet) bool { return s.Subnet.Contains(a.Addr()) }) {
					if found == nil || (ns != nil && n.ID == ns.Network) {
						found = n
					}
				}
			}
			if found != nil {
				onNet[found.ID] = true
				out = append(out, graph.Endpoint{Network: found.ID, Interface: i.ID, IPv4: a, MAC: i.MAC})
				break
			}
		}
	}
	return out
}

// vxlanLine is the line under an overlay frame's title: its VXLAN
// segment and tunnel.
func vxlanLine(t *topoText, n *graph.Network) (tline, bool) {
	o := n.Overlay
	if o == nil {
		return nil, false
	}
	var parts []string
	if o.VNI != 0 {
		parts = append(parts, fmt.Sprintf("VXLAN VNI %d", o.VNI))
	}
	if i := t.x.Interface(o.VXLAN); i != nil {
		dev := i.Name
		if i.VXLAN != nil && i.VXLAN.Port != 0 {
			dev += fmt.Sprintf(" UDP %d", i.VXLAN.Port)
		}
		if i.VXLAN != nil && len(i.VXLAN.FDB) > 0 {
			dev += fmt.Sprintf(" · %d remote endpoint(s) in its FDB", len(i.VXLAN.FDB))
		}
		parts = append(parts, dev)
	}
	var flags []string
	if o.Ingress {
		flags = append(flags, "ingress")
	}
	if o.Attachable {
		flags = append(flags, "attachable")
	}
	if o.Encrypted {
		flags = append(flags, "encrypted")
	}
	if len(flags) > 0 {
		parts = append(parts, strings.Join(flags, ", "))
	}
	if len(parts) == 0 {
		return nil, false
	}
	return tline{txt(strings.Join(parts, " · "), sizeSmall, t.strong(n.ID))}, true
}
