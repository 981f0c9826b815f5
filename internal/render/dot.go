package render

import (
	"fmt"
	"html"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// palette colours networks in model order: strong for edges and borders,
// light for cluster fills. Chosen to stay distinct for colour-blind readers
// (Okabe–Ito hues) and on a projector.
var palette = []struct{ strong, light string }{
	{"#0072B2", "#E6F1F8"}, // blue
	{"#D55E00", "#FBEDE5"}, // vermillion
	{"#009E73", "#E5F5F1"}, // green
	{"#CC79A7", "#F9EFF5"}, // purple
	{"#E69F00", "#FCF3E0"}, // orange
	{"#56B4E9", "#EDF7FC"}, // sky
	{"#8C6D1F", "#F3EFE6"}, // brown
	{"#555555", "#F0F0F0"}, // grey
}

const (
	// fontName is one of the faces Graphviz has built-in metrics for, so
	// labels fit their boxes even where no fonts are installed (WASM).
	fontName   = "Helvetica"
	greyText   = "#8A8A8A"
	hostStroke = "#333333"
)

// DOT writes m as a Graphviz digraph: the host as the outer frame, the host
// namespace inside it with each bridge network as a coloured cluster (bridge,
// host-side veths, subnet and gateway), each container namespace as one table
// of its interfaces, veth pairs, bridge ports, macvlan parents, published
// ports, alias names and a legend.
func DOT(w io.Writer, m *graph.Model) error {
	d := newDotWriter(m)
	d.write()
	_, err := io.WriteString(w, d.b.String())
	return err
}

type dotWriter struct {
	m      *graph.Model
	x      *graph.Index
	b      strings.Builder
	color  map[graph.NetworkID]int               // network ID → palette index
	ifNet  map[graph.InterfaceID]graph.NetworkID // interface ID → network ID it carries
	drawn  map[graph.InterfaceID]bool            // host interfaces already placed
	rowOf  map[graph.InterfaceID]string          // container-side interface ID → "node:port"
	ctrRef map[graph.ContainerID]string          // container ID → node reference for edges
	// drawnNet marks networks drawn as a note (no bridge device known).
	drawnNet map[graph.NetworkID]bool
	// overlay is a measurement drawn over the topology, if any.
	overlay *Overlay
}

func newDotWriter(m *graph.Model) *dotWriter {
	d := &dotWriter{
		m: m, x: graph.NewIndex(m),
		color: map[graph.NetworkID]int{}, ifNet: map[graph.InterfaceID]graph.NetworkID{}, drawn: map[graph.InterfaceID]bool{},
		rowOf: map[graph.InterfaceID]string{}, ctrRef: map[graph.ContainerID]string{}, drawnNet: map[graph.NetworkID]bool{},
	}
	i := 0
	for _, n := range m.Networks {
		if !wired(n) {
			continue
		}
		d.color[n.ID] = i % len(palette)
		i++
		if n.Bridge != "" {
			d.ifNet[n.Bridge] = n.ID
		}
		if n.Parent != "" {
			d.ifNet[n.Parent] = n.ID
		}
	}
	for _, c := range m.Containers {
		for _, ep := range c.Endpoints {
			if ep.Interface == "" {
				continue
			}
			d.ifNet[ep.Interface] = ep.Network
			if peer := d.x.Peer(ep.Interface); peer != "" {
				d.ifNet[peer] = ep.Network
			}
		}
	}
	return d
}

func (d *dotWriter) p(format string, args ...any) { fmt.Fprintf(&d.b, format, args...) }

func q[T ~string](s T) string { return strconv.Quote(string(s)) }

// small renders text in a smaller, optionally coloured font; "" for no text,
// since Graphviz rejects an empty <font> element.
// bold sets a name in bold with a little slack after it: Graphviz measures
// text with regular Helvetica metrics, and bold or a wider fallback font
// would otherwise overrun the box.
func bold(text string) string { return "<b>" + esc(text) + "</b>&#160;" }

func small(text string, size int, color string) string {
	if text == "" {
		return ""
	}
	attrs := fmt.Sprintf(`point-size="%d"`, size)
	if color != "" {
		attrs += fmt.Sprintf(` color="%s"`, color)
	}
	return "<font " + attrs + ">" + esc(text) + "</font>"
}

func esc[T ~string](s T) string { return html.EscapeString(string(s)) }

func (d *dotWriter) strong(netID graph.NetworkID) string {
	if i, ok := d.color[netID]; ok {
		return palette[i].strong
	}
	return hostStroke
}

func (d *dotWriter) light(netID graph.NetworkID) string {
	if i, ok := d.color[netID]; ok {
		return palette[i].light
	}
	return "#FFFFFF"
}

func (d *dotWriter) write() {
	d.p("digraph netviz {\n")
	d.p("  graph [rankdir=LR, compound=true, newrank=true, nodesep=0.18, ranksep=0.9, pad=0.3, fontname=%q, fontsize=12, bgcolor=\"white\", labelloc=b, labeljust=l];\n", fontName)
	d.p("  node [fontname=%q, fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"white\", color=%q, penwidth=1];\n", fontName, hostStroke)
	d.p("  edge [fontname=%q, fontsize=9, arrowsize=0.6, dir=none];\n", fontName)
	d.p("  label=<%s>;\n", d.legend())

	d.p("  subgraph cluster_host {\n")
	d.p("    label=<%s>; labelloc=t; style=\"rounded\"; color=%q; penwidth=2; fontsize=13;\n", d.title(), hostStroke)
	d.hostNamespace()
	for _, ns := range d.m.Namespaces {
		if !ns.Host {
			d.namespaceNode(ns)
		}
	}
	d.stoppedContainers()
	d.p("  }\n")

	d.edges()
	d.drawOverlay()
	d.p("}\n")
}

// wired reports whether a network has anything to draw as wiring: host and
// none networks are drawn through their containers instead.
func wired(n *graph.Network) bool { return n.Driver != "host" && n.Driver != "null" }

func (d *dotWriter) title() string {
	t := bold("host "+orDash(d.m.Host.Name)) + "<br/>"
	if d.m.Source == graph.SourceSim {
		t += "<i>simulated</i>"
	} else if d.m.Host.Engine != "" {
		t += "Docker " + esc(d.m.Host.Engine)
	} else {
		t += "no Docker engine"
	}
	running := 0
	for _, c := range d.m.Containers {
		if c.Running() {
			running++
		}
	}
	n := 0
	for _, net := range d.m.Networks {
		if wired(net) {
			n++
		}
	}
	return t + "<br/>" + small(fmt.Sprintf("%d networks · %d running containers", n, running), 10, "#555555")
}

// drawnAddrs drops IPv6 link-local addresses, which every interface has and
// nobody looks for in a picture (they stay in the model and JSON).
func drawnAddrs(addrs []netip.Prefix) []string {
	var out []string
	for _, a := range addrs {
		if !a.Addr().IsLinkLocalUnicast() || a.Addr().Is4() {
			out = append(out, a.String())
		}
	}
	return out
}

// showHostInterface decides which host devices earn a box: those that carry
// an address, a bridge port, a veth peer or a macvlan child, and any other
// device that is up. Loopback and idle devices (ifb0, a down dummy) are left
// out of the picture, not out of the model.
func (d *dotWriter) showHostInterface(i *graph.Interface) bool {
	if i.Kind == graph.KindLoopback {
		return false
	}
	if d.x.Peer(i.ID) != "" || d.x.Master(i.ID) != "" || len(d.x.Uppers(i.ID)) > 0 || len(d.x.BridgePorts(i.ID)) > 0 {
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
		if !d.drawn[i.ID] && d.showHostInterface(i) {
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

// namespaceNode draws one container namespace as a table: the containers
// using it (several under --net container:X), then one row per interface.
func (d *dotWriter) namespaceNode(ns *graph.Namespace) {
	ctrs := d.x.ContainersIn(ns.ID)
	node := q(ns.ID)
	var head []string
	for _, c := range ctrs {
		d.ctrRef[c.ID] = node
		h := bold(c.Name)
		if c.SharesWith != "" {
			h += "<br/>" + small("--net container:"+c.SharesWith.Name(), 8, "#555555")
		} else if c.NetworkMode == graph.ModeNone {
			h += "<br/>" + small("--net none", 8, "#555555")
		}
		if c.State != "running" {
			h += "<br/>" + small(c.State, 8, "#B00000")
		}
		if c.Image != "" {
			h += "<br/>" + small(c.Image, 8, "#666666")
		}
		head = append(head, h)
	}
	if len(head) == 0 {
		head = append(head, "<b>"+esc(ns.ID)+"</b>")
	}
	rows := []string{fmt.Sprintf(`<tr><td colspan="3" bgcolor="#F2F2F2" cellpadding="4" align="left">%s</td></tr>`, strings.Join(head, "<br/>"))}
	ifs := d.x.InterfacesIn(ns.ID)
	onlyLoopback := !slices.ContainsFunc(ifs, func(i *graph.Interface) bool { return i.Kind != graph.KindLoopback })
	for n, i := range ifs {
		if i.Kind == graph.KindLoopback && !onlyLoopback {
			continue // every namespace has lo; show it only when it is all there is
		}
		port := fmt.Sprintf("i%d", n)
		d.rowOf[i.ID] = node + ":" + port
		color := "#444444"
		if netID := d.ifNet[i.ID]; netID != "" {
			color = d.strong(netID)
		}
		addrs := "—"
		if a := drawnAddrs(i.Addrs); len(a) > 0 {
			addrs = esc(strings.Join(a, " "))
		}
		extra := i.MAC
		if i.Kind == graph.KindMacvlan {
			extra = "macvlan " + extra
		}
		if i.Kind == graph.KindLoopback {
			extra = "loopback only"
		}
		rows = append(rows, fmt.Sprintf(`<tr><td port="%s" align="left"><font color="%s">%s</font></td><td align="left">%s </td><td align="left">%s</td></tr>`,
			port, color, bold(i.Name), addrs, small(extra, 7, "#777777")))
	}
	if len(ifs) == 0 {
		// No netlink view (not root): show the endpoints Docker reported.
		for _, c := range ctrs {
			for _, ep := range c.Endpoints {
				rows = append(rows, fmt.Sprintf(`<tr><td align="left"><font color="%s"><b>%s</b></font></td><td align="left">%s</td><td></td></tr>`,
					d.strong(ep.Network), esc(ep.Network.Name()), esc(orDash(graph.PrefixText(ep.IPv4)))))
			}
		}
	}
	d.p("    %s [shape=plain, style=\"\", label=<<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"2\" style=\"rounded\" color=\"#333333\">%s</table>>];\n",
		node, strings.Join(rows, ""))
}

// stoppedContainers draws containers without a namespace, greyed.
func (d *dotWriter) stoppedContainers() {
	for _, c := range d.m.Containers {
		if c.Namespace != "" {
			continue
		}
		node := q(c.ID)
		d.ctrRef[c.ID] = node
		d.p("    %s [label=<%s<br/>%s<br/>%s>, fillcolor=\"#F2F2F2\", fontcolor=%q, color=%q, style=\"rounded,filled,dashed\"];\n",
			node, bold(c.Name), small(c.State, 8, ""), small("--net "+c.NetworkMode, 8, ""), greyText, greyText)
	}
}

func (d *dotWriter) ref(ifID graph.InterfaceID) string {
	if r, ok := d.rowOf[ifID]; ok {
		return r
	}
	if d.drawn[ifID] {
		return q(ifID)
	}
	return ""
}

func (d *dotWriter) edges() {
	for _, e := range d.m.Edges {
		switch e.Kind {
		case graph.EdgeVethPeer:
			from, to := graph.InterfaceID(e.From), graph.InterfaceID(e.To)
			a, b := d.ref(from), d.ref(to)
			if a == "" || b == "" {
				continue
			}
			// Host end first so the layout flows host → container.
			if d.x.Interface(to).Namespace == graph.HostNamespaceID {
				a, b = b, a
			}
			c := d.strong(d.ifNet[from])
			d.p("  %s -> %s [color=%q, penwidth=2, tooltip=\"veth pair\"];\n", a, b, c)
		case graph.EdgeMaster:
			from, to := graph.InterfaceID(e.From), graph.InterfaceID(e.To)
			a, b := d.ref(from), d.ref(to)
			if a == "" || b == "" {
				continue
			}
			d.p("  %s -> %s [color=%q, penwidth=1.2, tooltip=\"bridge port\"];\n", b, a, d.strong(d.ifNet[to]))
		case graph.EdgeLower:
			from, to := graph.InterfaceID(e.From), graph.InterfaceID(e.To)
			a, b := d.ref(from), d.ref(to)
			if a == "" || b == "" {
				continue
			}
			c := d.strong(d.ifNet[from])
			d.p("  %s -> %s [color=%q, penwidth=1.5, style=dashed, label=\"macvlan\", fontcolor=%q];\n", b, a, c, c)
		case graph.EdgePortMap:
			target := d.portTarget(graph.ContainerID(e.To))
			if target == "" {
				continue
			}
			d.p("  %s -> %s [color=\"#B8860B\", dir=forward, style=bold, label=%q, fontcolor=\"#8B6508\"];\n", q(e.From), target, "DNAT → "+e.Label)
		case graph.EdgeResolvesTo:
			n := d.x.Name(e.From)
			if n == nil || d.isContainerName(n) {
				continue
			}
			netID, onNet := n.Scope.Network()
			if !onNet {
				continue
			}
			target := d.ctrRef[graph.ContainerID(e.To)]
			if target == "" {
				continue
			}
			d.p("  %s -> %s [color=%q, style=dotted, dir=forward, label=%q, fontcolor=%q];\n", q(e.From), target, d.strong(netID), e.Label, d.strong(netID))
		}
	}
	// Docker NATs every non-internal bridge out through the uplink.
	if up := d.ref(d.m.Host.Uplink); up != "" {
		for _, n := range d.m.Networks {
			if n.Internal || n.Bridge == "" || !d.drawn[n.Bridge] {
				continue
			}
			d.p("  %s -> %s [color=\"#999999\", style=dashed, label=\"NAT\", fontcolor=\"#777777\", constraint=false];\n", up, q(n.Bridge))
		}
	}
	for _, c := range d.m.Containers {
		if c.SharesWith == "" || c.Namespace != "" {
			continue
		}
		// A stopped container:X member still points at the namespace it joins.
		if from, to := d.ctrRef[c.ID], d.ctrRef[c.SharesWith]; from != "" && to != "" {
			d.p("  %s -> %s [style=dashed, color=%q, label=\"container:\", fontcolor=%q];\n", from, to, greyText, greyText)
		}
	}
	// Endpoints without a known interface (stopped containers, or no root to
	// read namespaces) hang off their network by Docker's word alone.
	for _, c := range d.m.Containers {
		if c.Namespace == graph.HostNamespaceID || d.ctrRef[c.ID] == "" {
			continue
		}
		for _, ep := range c.Endpoints {
			n := d.x.Network(ep.Network)
			if ep.Interface != "" || n == nil {
				continue
			}
			anchor := ""
			if d.drawn[n.Bridge] {
				anchor = q(n.Bridge)
			} else if d.drawnNet[n.ID] {
				anchor = q(n.ID)
			}
			if anchor == "" {
				continue
			}
			style, color := "solid", d.strong(n.ID)
			if !c.Running() {
				style, color = "dashed", greyText
			}
			d.p("  %s -> %s [style=%s, color=%q, tooltip=\"endpoint (Docker API)\"];\n", anchor, d.ctrRef[c.ID], style, color)
		}
	}
}

// portTarget is where a published port's DNAT edge lands: the container's
// first interface row, else its box.
func (d *dotWriter) portTarget(ctrID graph.ContainerID) string {
	c := d.x.Container(ctrID)
	if c == nil {
		return ""
	}
	for _, ep := range c.Endpoints {
		if r := d.ref(ep.Interface); r != "" {
			return r
		}
	}
	return d.ctrRef[ctrID]
}

// legend is the key under the drawing: line styles and network colours.
func (d *dotWriter) legend() string {
	rows := []string{
		`<tr><td align="left" colspan="2"><b>legend</b></td></tr>`,
		`<tr><td align="left"><b>━━</b></td><td align="left">veth pair: host end ⇄ container interface</td></tr>`,
		`<tr><td align="left">──</td><td align="left">bridge port (veth enslaved to the bridge)</td></tr>`,
		`<tr><td align="left">- - -</td><td align="left">macvlan parent · NAT to the uplink</td></tr>`,
		`<tr><td align="left"><font color="#B8860B"><b>→</b></font></td><td align="left">published port (-p, DNAT to the container)</td></tr>`,
		`<tr><td align="left">···→</td><td align="left">embedded DNS answer for an alias</td></tr>`,
	}
	for _, n := range d.m.Networks {
		if wired(n) {
			rows = append(rows, fmt.Sprintf(`<tr><td align="left" bgcolor="%s">    </td><td align="left">network %s</td></tr>`, d.strong(n.ID), esc(n.Name)))
		}
	}
	return `<table border="0" cellspacing="1" cellpadding="1">` + strings.Join(rows, "") + `</table>`
}
