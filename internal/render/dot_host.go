package render

// The host namespace of a DOT drawing: uplink and devices, one cluster per
// network with its bridge or parent and host-side veths, alias names.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// showHostInterface decides which host devices earn a box: those that carry
// an address, a bridge port, a veth peer or a macvlan child, and any other
// device that is up. Loopback and idle devices (ifb0, a down dummy) are left
// out of the picture, not out of the model.
func showHostInterface(x *graph.Index, i *graph.Interface) bool {
	if i.Kind == graph.KindLoopback {
		return false
	}
	if x.Peer(i.ID) != "" || x.Master(i.ID) != "" || len(x.Uppers(i.ID)) > 0 || len(x.BridgePorts(i.ID)) > 0 {
		return true
	}
	if i.Kind == graph.KindVeth {
		return false // a dangling veth end carries nothing
	}
	return len(drawnAddrs(i.Addrs)) > 0 || i.State == "up"
}

// hostNamespace draws the host's namespace: uplink and other devices, one
// cluster per network that has host-side parts, published ports and
// host-mode containers.
func (d *dotWriter) hostNamespace() {
	d.p("    subgraph cluster_hostns {\n")
	d.p("      label=<host network namespace>; style=\"rounded,dashed\"; color=\"#999999\"; fontcolor=\"#555555\"; fontsize=10;\n")
	if up := d.x.Interface(d.m.Host.Uplink); up != nil {
		d.interfaceNode("      ", up, "#EDEDED", "uplink")
	}
	for _, n := range d.m.Networks {
		if wired(n) {
			d.networkCluster(n)
		}
	}
	for _, i := range d.x.InterfacesIn(graph.HostNamespaceID) {
		if !d.drawn[i.ID] && showHostInterface(d.x, i) {
			d.interfaceNode("      ", i, "white", "")
		}
	}
	var hostCtrs []string
	for _, c := range d.m.Containers {
		if c.Namespace == graph.HostNamespaceID {
			hostCtrs = append(hostCtrs, c.Name)
			d.ctrRef[c.ID] = "hostmode"
		}
	}
	if len(hostCtrs) > 0 {
		d.p("      hostmode [label=<%s<br/>%s>, style=\"rounded,filled,bold\", fillcolor=\"#FFF8DC\"];\n",
			bold(strings.Join(hostCtrs, ", ")), small("--net host: uses the host's own interfaces", 8, "#555555"))
	}
	for _, p := range d.m.Ports {
		d.p("      %s [label=<%s>, shape=cds, fillcolor=\"#FFF3C4\", color=\"#B8860B\"];\n", q(p.ID), esc(portText(p)))
	}
	d.p("    }\n")
}

// portText is a published port as -p would read: 0.0.0.0:15530/tcp, [::]:80/tcp.
func portText(p *graph.Port) string {
	host := graph.AddrText(p.HostIP)
	if p.HostIP.Is6() {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s:%d/%s", host, p.HostPort, p.Proto)
}

// networkCluster draws a network's host-side parts: its bridge (or macvlan
// parent) and the veth ends enslaved to it, under the network's name, driver,
// subnet and gateway.
func (d *dotWriter) networkCluster(n *graph.Network) {
	var members []*graph.Interface
	if br := d.x.Interface(n.Bridge); br != nil {
		members = append(members, br)
		for _, id := range d.x.BridgePorts(br.ID) {
			if i := d.x.Interface(id); i != nil {
				members = append(members, i)
			}
		}
	}
	if par := d.x.Interface(n.Parent); par != nil && !d.drawn[par.ID] {
		members = append(members, par)
	}
	label := bold(n.Name) + "<br/>" + small(n.Driver, 9, "#555555")
	for _, f := range networkFlags(n) {
		label += "<br/>" + small(f, 9, d.strong(n.ID))
	}
	for _, s := range n.Subnets {
		label += "<br/>" + esc(subnetText(s))
	}
	if len(members) == 0 {
		if !d.hasMembers(n) {
			return
		}
		// Known only from Docker's facts (no root, or the device is gone).
		d.p("      %s [label=<%s>, shape=note, fillcolor=%q, color=%q];\n", q(n.ID), label, d.light(n.ID), d.strong(n.ID))
		d.drawnNet[n.ID] = true
		d.names(n.ID, "      ")
		return
	}
	d.p("      subgraph %s {\n", q("cluster_"+n.ID))
	d.p("        label=<%s>; style=\"rounded,filled\"; fillcolor=%q; color=%q; penwidth=1.5; fontsize=10;\n", label, d.light(n.ID), d.strong(n.ID))
	for _, i := range members {
		role := ""
		switch i.ID {
		case n.Bridge:
			role = "bridge"
		case n.Parent:
			role = n.Driver + " parent"
		}
		fill := "white"
		if role != "" {
			fill = d.strong(n.ID)
		}
		d.interfaceNode("        ", i, fill, role)
	}
	d.names(n.ID, "        ")
	d.p("      }\n")
}

func (d *dotWriter) hasMembers(n *graph.Network) bool {
	for _, c := range d.m.Containers {
		if slices.ContainsFunc(c.Endpoints, func(ep graph.Endpoint) bool { return ep.Network == n.ID }) {
			return true
		}
	}
	return false
}

// names draws the alias names of a network: names that are not simply a
// container's own name (those are in the container's box already).
func (d *dotWriter) names(netID graph.NetworkID, indent string) {
	for _, n := range d.m.Names {
		if n.Scope != graph.Scope(netID) || d.isContainerName(n) {
			continue
		}
		d.p("%s%s [label=<%s<br/>%s>, shape=note, fillcolor=\"#FFFFE0\", color=%q];\n",
			indent, q(n.ID), bold(n.Name), small("DNS 127.0.0.11", 8, "#555555"), d.strong(netID))
	}
}

func (d *dotWriter) isContainerName(n *graph.DNSName) bool { return isOwnName(d.x, n) }

func (d *dotWriter) interfaceNode(indent string, i *graph.Interface, fill, role string) {
	d.drawn[i.ID] = true
	font, sub := "black", "#555555"
	if fill != "white" && fill != "#EDEDED" {
		font, sub = "white", "white"
	}
	label := bold(i.Name)
	switch {
	case role != "":
		label += "<br/>" + small(role, 8, sub)
	case i.Kind != graph.KindVeth:
		label += "<br/>" + small(string(i.Kind), 8, sub)
	}
	for _, a := range drawnAddrs(i.Addrs) {
		label += "<br/>" + esc(a)
	}
	style := "rounded,filled"
	if i.State == "down" || i.State == "lowerlayerdown" {
		style += ",dashed"
	}
	color := d.strong(d.ifNet[i.ID])
	size := ""
	if i.Kind == graph.KindVeth {
		size = ", fontsize=8, height=0.2, margin=\"0.06,0.02\""
	}
	d.p("%s%s [label=<%s>, fillcolor=%q, fontcolor=%q, color=%q, style=%q%s];\n", indent, q(i.ID), label, fill, font, color, style, size)
}
