package render

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/netviz/netviz/internal/graph"
)

// Mermaid writes m as a Mermaid flowchart (paste into Markdown on GitHub or
// GitLab): the host namespace with one subgraph per network, one node per
// container namespace, veth pairs, bridge ports, macvlan parents, published
// ports and alias names.
func Mermaid(w io.Writer, m *graph.Model) error {
	x := graph.NewIndex(m)
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	ids := map[string]string{}
	id := func(key any) string {
		s := fmt.Sprint(key)
		if v, ok := ids[s]; ok {
			return v
		}
		v := fmt.Sprintf("n%d_%s", len(ids), mermaidSafe.ReplaceAllString(s, "_"))
		ids[s] = v
		return v
	}
	drawn := map[string]bool{}
	iface := func(indent string, i *graph.Interface, role string) {
		drawn[string(i.ID)] = true
		label := i.Name
		if role != "" {
			label += " · " + role
		}
		for _, a := range i.Addrs {
			label += "<br/>" + a.String()
		}
		p("%s%s[\"%s\"]\n", indent, id(i.ID), mermaidText(label))
	}

	p("flowchart LR\n")
	p("  subgraph %s[\"host %s\"]\n", id("hostns"), mermaidText(m.Host.Name))
	if up := x.Interface(m.Host.Uplink); up != nil {
		iface("    ", up, "uplink")
	}
	for _, n := range m.Networks {
		br, par := x.Interface(n.Bridge), x.Interface(n.Parent)
		if br == nil && par == nil {
			continue
		}
		label := n.Name + " · " + n.Driver
		for _, s := range n.Subnets {
			label += "<br/>" + subnetText(s)
		}
		p("    subgraph %s[\"%s\"]\n", id(n.ID), mermaidText(label))
		if br != nil {
			iface("      ", br, "bridge")
			for _, port := range x.BridgePorts(br.ID) {
				if i := x.Interface(port); i != nil {
					iface("      ", i, "")
				}
			}
		}
		if par != nil && !drawn[string(par.ID)] {
			iface("      ", par, n.Driver+" parent")
		}
		p("    end\n")
	}
	var hostCtrs []string
	for _, c := range m.Containers {
		if c.Namespace == graph.HostNamespaceID {
			hostCtrs = append(hostCtrs, c.Name)
		}
	}
	if len(hostCtrs) > 0 {
		p("    %s[[\"%s<br/>--net host\"]]\n", id("hostmode"), mermaidText(strings.Join(hostCtrs, ", ")))
	}
	for _, port := range m.Ports {
		p("    %s>\"%s:%d/%s\"]\n", id(port.ID), graph.AddrText(port.HostIP), port.HostPort, port.Proto)
	}
	p("  end\n")

	ctrNode := map[string]string{}
	for _, ns := range m.Namespaces {
		if ns.Host {
			continue
		}
		var names []string
		for _, c := range x.ContainersIn(ns.ID) {
			names = append(names, c.Name)
			ctrNode[string(c.ID)] = id(ns.ID)
		}
		p("  subgraph %s[\"%s\"]\n", id(ns.ID), mermaidText(strings.Join(names, " + ")))
		for _, i := range x.InterfacesIn(ns.ID) {
			iface("    ", i, "")
		}
		p("  end\n")
	}
	for _, c := range m.Containers {
		if c.Namespace == graph.HostNamespaceID {
			ctrNode[string(c.ID)] = id("hostmode")
		} else if c.Namespace == "" {
			ctrNode[string(c.ID)] = id(c.ID)
			p("  %s([\"%s (%s)\"])\n", id(c.ID), mermaidText(c.Name), c.State)
		}
	}
	for _, n := range m.Names {
		edges := x.EdgesFrom(n.ID)
		if _, onNet := n.Scope.Network(); !onNet || (len(edges) == 1 && edges[0].To == string(graph.NewContainerID(n.Name))) {
			continue
		}
		p("  %s{{\"%s\"}}\n", id(n.ID), mermaidText(n.Name+" (DNS)"))
	}
	for _, e := range m.Edges {
		switch e.Kind {
		case graph.EdgeVethPeer:
			if drawn[e.From] && drawn[e.To] {
				p("  %s <==> %s\n", id(e.From), id(e.To))
			}
		case graph.EdgeMaster:
			if drawn[e.From] && drawn[e.To] {
				p("  %s --- %s\n", id(e.To), id(e.From))
			}
		case graph.EdgeLower:
			if drawn[e.From] && drawn[e.To] {
				p("  %s -. macvlan .- %s\n", id(e.To), id(e.From))
			}
		case graph.EdgePortMap:
			if node := ctrNode[e.To]; node != "" {
				p("  %s -- \"DNAT → %s\" --> %s\n", id(e.From), mermaidText(e.Label), node)
			}
		case graph.EdgeResolvesTo:
			if _, ok := ids[e.From]; ok && ctrNode[e.To] != "" {
				p("  %s -. \"%s\" .-> %s\n", id(e.From), mermaidText(e.Label), ctrNode[e.To])
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var mermaidSafe = regexp.MustCompile(`[^A-Za-z0-9_]`)

// mermaidText escapes text inside a quoted Mermaid label.
func mermaidText(s string) string {
	s = strings.NewReplacer(`"`, "#quot;", "<br/>", "\x00", "<", "#lt;", ">", "#gt;").Replace(s)
	return strings.ReplaceAll(s, "\x00", "<br/>")
}
