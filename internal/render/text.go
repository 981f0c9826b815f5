package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/textsafe"
)

// Text writes a compact tree a person reads in a terminal: the host, each
// network with its bridge and the containers wired to it (container interface
// ⇄ host-side veth), the containers by network mode, published ports, names
// and warnings.
func Text(w io.Writer, m *graph.Model) error {
	tw := &textWriter{w: w}
	x := graph.NewIndex(m)

	head := "host " + orDash(m.Host.Name)
	switch {
	case m.Host.Engine != "" && m.Host.APIVersion != "":
		head += fmt.Sprintf(" · docker %s (API %s)", m.Host.Engine, m.Host.APIVersion)
	case m.Host.Engine != "":
		head += " · docker " + m.Host.Engine
	default:
		head += " · no Docker engine"
	}
	if up := x.Interface(m.Host.Uplink); up != nil {
		head += fmt.Sprintf(" · uplink %s %s", up.Name, strings.Join(drawnAddrs(up.Addrs), " "))
	}
	tw.line(0, head)

	for _, n := range m.Networks {
		tw.line(1, networkLine(x, n))
		for _, c := range m.Containers {
			for _, ep := range c.Endpoints {
				if ep.Network == n.ID {
					tw.line(2, endpointLine(x, n, c, ep))
				}
			}
		}
	}

	if len(m.Containers) > 0 {
		tw.line(1, "containers")
		for _, c := range m.Containers {
			tw.line(2, containerLine(x, c))
		}
	}
	if len(m.Ports) > 0 {
		tw.line(1, "published ports")
		for _, p := range m.Ports {
			tw.line(2, fmt.Sprintf("%s → %s:%d", portText(p), p.Container.Name(), p.ContainerPort))
		}
	}
	// Every container answers to its own name on a user network; list only
	// the names that say more: aliases, round-robin groups, links.
	var names []*graph.DNSName
	for _, n := range m.Names {
		if !isOwnName(x, n) {
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		tw.line(1, "names")
		for _, n := range names {
			tw.line(2, nameLine(x, n))
		}
	}
	for _, warn := range m.Warnings {
		tw.line(0, "warning: "+warn)
	}
	return tw.err
}

type textWriter struct {
	w   io.Writer
	err error
}

// line writes one line of the tree. Everything in it came from the model —
// names, aliases and labels a container's creator chose, warnings quoting
// them — so control characters are escaped (textsafe) and never reach the
// terminal raw; printable text is written as it is.
func (t *textWriter) line(depth int, s string) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, "%s%s\n", strings.Repeat("  ", depth), textsafe.CleanN(s, 0))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func networkLine(x *graph.Index, n *graph.Network) string {
	var b strings.Builder
	fmt.Fprintf(&b, "network %s [%s", n.Name, n.Driver)
	for _, flag := range networkFlags(n) {
		b.WriteString(", " + flag)
	}
	b.WriteString("]")
	for _, s := range n.Subnets {
		b.WriteString(" " + subnetText(s))
	}
	if br := x.Interface(n.Bridge); br != nil {
		fmt.Fprintf(&b, " · bridge %s %s", br.Name, br.State)
	} else if n.BridgeName != "" {
		fmt.Fprintf(&b, " · bridge %s", n.BridgeName)
	}
	if n.ParentName != "" {
		fmt.Fprintf(&b, " · parent %s", n.ParentName)
	}
	return b.String()
}

// networkFlags lists the properties that change who can reach whom.
func networkFlags(n *graph.Network) []string {
	var out []string
	if n.Default {
		out = append(out, "default: no DNS, --link only")
	}
	if n.Internal {
		out = append(out, "internal")
	}
	if !n.ICC {
		out = append(out, "icc off")
	}
	return out
}

func subnetText(s graph.Subnet) string {
	out := graph.PrefixText(s.Subnet)
	if s.IPRange.IsValid() && s.IPRange != s.Subnet {
		out += " range " + s.IPRange.String()
	}
	if s.Gateway.IsValid() {
		out += " gw " + s.Gateway.String()
	}
	return out
}

func endpointLine(x *graph.Index, n *graph.Network, c *graph.Container, ep graph.Endpoint) string {
	var b strings.Builder
	ifName := "?"
	if i := x.Interface(ep.Interface); i != nil {
		ifName = i.Name
	}
	switch {
	case c.Namespace == graph.HostNamespaceID:
		fmt.Fprintf(&b, "%s (host namespace)", c.Name)
	case ep.Interface == "":
		b.WriteString(strings.TrimSpace(c.Name + " " + graph.PrefixText(ep.IPv4)))
	default:
		fmt.Fprintf(&b, "%s:%s %s", c.Name, ifName, orDash(graph.PrefixText(ep.IPv4)))
	}
	if ep.IPv6.IsValid() && c.Namespace != graph.HostNamespaceID {
		b.WriteString(" " + ep.IPv6.String())
	}
	if !c.Running() {
		fmt.Fprintf(&b, " (%s)", c.State)
	}
	if peer := x.Interface(x.Peer(ep.Interface)); peer != nil {
		fmt.Fprintf(&b, " ⇄ %s", peer.Name)
		if master := x.Interface(x.Master(peer.ID)); master != nil {
			fmt.Fprintf(&b, " → %s", master.Name)
		} else if n.Bridge != "" {
			b.WriteString(" (not on the bridge!)")
		}
	}
	if lower := x.Interface(x.Lower(ep.Interface)); lower != nil {
		fmt.Fprintf(&b, " ⇢ parent %s", lower.Name)
	}
	if len(ep.Aliases) > 0 {
		fmt.Fprintf(&b, " · aliases %s", strings.Join(ep.Aliases, ","))
	}
	for _, l := range ep.Links {
		fmt.Fprintf(&b, " · link %s:%s", l.Target, l.Alias)
	}
	return b.String()
}

func containerLine(x *graph.Index, c *graph.Container) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s", c.Name, c.NetworkMode, c.State)
	switch {
	case c.Namespace == graph.HostNamespaceID:
		b.WriteString(" · shares the host's namespace")
	case c.SharesWith != "":
		fmt.Fprintf(&b, " · shares %s's namespace", c.SharesWith.Name())
	case c.Namespace != "":
		var ifs []string
		for _, i := range x.InterfacesIn(c.Namespace) {
			s := i.Name
			for _, a := range i.Addrs {
				s += " " + a.String()
			}
			ifs = append(ifs, s)
		}
		if len(ifs) > 0 {
			fmt.Fprintf(&b, " · %s", strings.Join(ifs, ", "))
		}
	}
	for _, l := range c.Links {
		fmt.Fprintf(&b, " · --link %s:%s", l.Target, l.Alias)
	}
	return b.String()
}

// isOwnName reports whether n is just a container's own name on a network.
func isOwnName(x *graph.Index, n *graph.DNSName) bool {
	edges := x.EdgesFrom(n.ID)
	_, onNet := n.Scope.Network()
	return len(edges) == 1 && edges[0].To == string(graph.NewContainerID(n.Name)) && onNet
}

func nameLine(x *graph.Index, n *graph.DNSName) string {
	var answers []string
	for _, e := range x.EdgesFrom(n.ID) {
		if e.Kind == graph.EdgeResolvesTo {
			answers = append(answers, fmt.Sprintf("%s (%s)", e.Label, graph.ContainerID(e.To).Name()))
		}
	}
	slices.Sort(answers)
	where := "on " + n.Scope.Name()
	if _, ok := n.Scope.Container(); ok {
		where = "for " + n.Scope.Name()
	}
	via := "DNS 127.0.0.11"
	if n.Source == graph.NameHosts {
		via = "/etc/hosts"
	}
	return fmt.Sprintf("%s %s via %s → %s", n.Name, where, via, strings.Join(answers, ", "))
}
