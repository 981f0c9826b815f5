package render

// The wiring of a DOT drawing: veth pairs, bridge ports, macvlan parents,
// DNAT, DNS answers, NAT to the uplink, and the legend.

import (
	"fmt"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

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
