package render

// The container namespaces of a DOT drawing: one table per namespace, and
// stopped containers greyed.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

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
