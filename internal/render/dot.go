package render

import (
	"fmt"
	"html"
	"io"
	"net/netip"
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
	d.p("}\n")
}

// wired reports whether a network has anything to draw as wiring: host and
// none networks are drawn through their containers instead.
func wired(n *graph.Network) bool { return n.Driver != "host" && n.Driver != "null" }

func (d *dotWriter) title() string {
	t := bold("host "+orDash(d.m.Host.Name)) + "<br/>"
	if d.m.Source == graph.SourceSim {
		// Which release was simulated: its behaviour differs (sim records
		// "29.0 (simulated)").
		t += "<i>simulated</i>"
		if v := strings.TrimSuffix(d.m.Host.Engine, " (simulated)"); v != "" {
			t += " · Docker " + esc(v)
		}
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
