package render

// What the topology picture says about each thing, before anything is
// placed: the lines of text in a container's box, a network's header, the
// host band's boxes. Measured with internal/draw's font so the layout can
// size every box to its text.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/natural"
)

// Detail is how much a topology picture shows per container.
type Detail string

// Details.
const (
	// DetailAuto is full when the full picture fits a 1920×1080 screen
	// legibly, else compact.
	DetailAuto Detail = "auto"
	// DetailFull shows every interface, MAC, image and host-side veth.
	DetailFull Detail = "full"
	// DetailCompact folds veth names, MACs, images and interface names:
	// one small box per container, laid out in a grid per network.
	DetailCompact Detail = "compact"
)

// ParseDetail accepts auto, full or compact.
func ParseDetail(s string) (Detail, error) {
	switch d := Detail(strings.ToLower(strings.TrimSpace(s))); d {
	case DetailAuto, DetailFull, DetailCompact:
		return d, nil
	case "":
		return DetailAuto, nil
	}
	return "", fmt.Errorf("unknown detail %q; use auto, full or compact", s)
}

// Font sizes of the topology picture, in pixels. Nothing is smaller than
// sizeSmall, so a picture scaled to fit 1920×1080 at ≥ 0.9 keeps every
// text ≥ 10 px high.
const (
	sizeHeading = 20
	sizeNetwork = 15
	sizeName    = 13
	sizeText    = 12
	sizeSmall   = 11
)

// Colours beyond the network palette.
const (
	portColor     = "#9A6700" // published ports (gold, dark enough for text)
	portFill      = "#FFF3C4"
	linkColor     = "#7B3294" // --link
	natColor      = "#7A7A7A"
	internalColor = "#B2182B"
	noteFill      = "#FFF9C4"
	subColor      = "#555555"
	addedColor    = "#1B9E3E"
	removedColor  = "#D62728"
)

// seg is a run of text in one style; tline is a line of segs.
type seg struct {
	s     string
	size  float64
	bold  bool
	color string
}

type tline []seg

func (l tline) width() float64 {
	w := 0.0
	for _, s := range l {
		w += draw.TextWidth(s.s, s.size, s.bold)
	}
	return w
}

func (l tline) size() float64 {
	m := 0.0
	for _, s := range l {
		m = max(m, s.size)
	}
	return m
}

// lineHeight is the vertical space a line of text at size takes.
func lineHeight(size float64) float64 { return size * 1.32 }

func linesSize(lines []tline) (w, h float64) {
	for _, l := range lines {
		w = max(w, l.width())
		h += lineHeight(l.size())
	}
	return w, h
}

func txt(s string, size float64, color string) seg { return seg{s: s, size: size, color: color} }
func btxt(s string, size float64, color string) seg {
	return seg{s: s, size: size, bold: true, color: color}
}

// unitKind tells the places a box can go.
type unitKind int

const (
	unitAttached unitKind = iota // on one or more drawn networks
	unitNone                     // --net none (loopback only) or no drawn network
	unitStopped                  // no namespace: stopped, created, exited
)

// unit is one box of the picture: a container namespace (with every
// container using it: --net container:X shares a box) or a stopped
// container.
type unit struct {
	key  string // namespace ID, or container ID when stopped
	kind unitKind
	name string            // first container's name (sort key)
	nets []graph.NetworkID // drawn networks, in block order
	ids  []string          // model IDs it draws (containers, interfaces, namespace)
}

// unitsOf lists m's boxes: host-mode containers are not units (they live
// in the host band).
func unitsOf(m *graph.Model, x *graph.Index, order map[graph.NetworkID]int) []*unit {
	var out []*unit
	for _, ns := range m.Namespaces {
		if ns.Host || ns.Kind == graph.NamespaceOverlay {
			continue // an overlay's namespace is drawn as its frame
		}
		ctrs := x.ContainersIn(ns.ID)
		u := &unit{key: string(ns.ID), ids: []string{string(ns.ID)}}
		for _, c := range ctrs {
			u.ids = append(u.ids, string(c.ID))
		}
		if len(ctrs) > 0 {
			u.name = ctrs[0].Name
		} else {
			u.name, _ = sandboxTitle(m, ns)
		}
		seen := map[graph.NetworkID]bool{}
		for _, i := range x.InterfacesIn(ns.ID) {
			u.ids = append(u.ids, string(i.ID))
		}
		for _, c := range ctrs {
			for _, ep := range c.Endpoints {
				if _, drawn := order[ep.Network]; drawn && !seen[ep.Network] {
					seen[ep.Network] = true
					u.nets = append(u.nets, ep.Network)
				}
			}
		}
		for _, ep := range impliedEndpoints(m, x, ns.ID) {
			if _, drawn := order[ep.Network]; drawn && !seen[ep.Network] {
				seen[ep.Network] = true
				u.nets = append(u.nets, ep.Network)
			}
		}
		if len(u.nets) == 0 {
			u.kind = unitNone
		}
		out = append(out, u)
	}
	for _, c := range m.Containers {
		if c.Namespace != "" {
			continue
		}
		out = append(out, &unit{key: string(c.ID), kind: unitStopped, name: c.Name, ids: []string{string(c.ID)}})
	}
	for _, u := range out {
		slices.SortFunc(u.nets, func(a, b graph.NetworkID) int { return cmpInt(order[a], order[b]) })
	}
	return out
}

// networkOrder is the order networks are drawn in: the default bridge
// first, then by name as people count.
func networkOrder(nets []*graph.Network) []*graph.Network {
	var out []*graph.Network
	for _, n := range nets {
		if wired(n) {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b *graph.Network) int {
		if a.Default != b.Default {
			if a.Default {
				return -1
			}
			return 1
		}
		if c := natural.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return out
}

// topoText is what a picture of one model says: colours by network,
// content by unit.
type topoText struct {
	m      *graph.Model
	x      *graph.Index
	color  func(graph.NetworkID) (strong, light string)
	detail Detail
	ifNet  map[graph.InterfaceID]graph.NetworkID // ifNetwork's answers, built on first use
}

func (t *topoText) strong(id graph.NetworkID) string { s, _ := t.color(id); return s }

// unitLines is the text of a unit's box in t's model (nil when the unit is
// not in it).
func (t *topoText) unitLines(u *unit) []tline {
	var ctrs []*graph.Container
	var ifs []*graph.Interface
	if u.kind == unitStopped {
		c := t.x.Container(graph.ContainerID(u.key))
		if c == nil || c.Namespace != "" {
			return nil
		}
		ctrs = []*graph.Container{c}
	} else {
		ns := t.x.Namespace(graph.NamespaceID(u.key))
		if ns == nil {
			return nil
		}
		ctrs = t.x.ContainersIn(ns.ID)
		ifs = t.x.InterfacesIn(ns.ID)
	}
	var lines []tline
	full := t.detail == DetailFull
	if ns := t.x.Namespace(graph.NamespaceID(u.key)); ns != nil && len(ctrs) == 0 && ns.Kind != "" {
		name, what := sandboxTitle(t.m, ns)
		size := float64(sizeName)
		if !full {
			size = sizeSmall
		}
		lines = append(lines, tline{btxt(name, size, "#111111")}, tline{txt(what, sizeSmall, subColor)})
	}
	for _, c := range ctrs {
		nameSize := float64(sizeName)
		if !full {
			nameSize = sizeSmall
		}
		if full {
			lines = append(lines, tline{btxt(c.Name, nameSize, "#111111")})
		} else {
			// A long name wraps at its - _ . separators: a grid of
			// narrower boxes fits the screen at a larger scale.
			for _, part := range wrapName(c.Name, nameSize, compactNameW) {
				lines = append(lines, tline{btxt(part, nameSize, "#111111")})
			}
		}
		if c.SharesWith != "" {
			lines = append(lines, tline{txt("--net container:"+c.SharesWith.Name(), sizeSmall, subColor)})
		} else if c.NetworkMode == graph.ModeNone {
			lines = append(lines, tline{txt("--net none", sizeSmall, subColor)})
		}
		if !c.Running() {
			lines = append(lines, tline{txt(c.State, sizeSmall, removedColor)})
		}
		if full && c.Image != "" {
			lines = append(lines, tline{txt(c.Image, sizeSmall, subColor)})
		}
	}
	// Interfaces, or Docker's endpoints when the namespace is unread.
	shown := 0
	onlyLo := !slices.ContainsFunc(ifs, func(i *graph.Interface) bool { return i.Kind != graph.KindLoopback })
	for _, i := range ifs {
		if i.Kind == graph.KindLoopback && !onlyLo {
			continue
		}
		color := "#444444"
		if n := t.ifNetwork(i.ID); n != "" {
			color = t.strong(n)
		}
		addrs := drawnAddrs(i.Addrs)
		if i.Kind == graph.KindLoopback {
			lines = append(lines, tline{btxt("lo", sizeText, color), txt(" loopback only", sizeText, subColor)})
			shown++
			continue
		}
		if full {
			lines = append(lines, tline{btxt(i.Name, sizeText, color), txt(" "+orDash(strings.Join(addrs, " ")), sizeText, "#111111")})
			extra := i.MAC
			if i.Kind == graph.KindMacvlan {
				extra = strings.TrimSuffix("macvlan · "+extra, " · ")
			}
			if extra != "" {
				lines = append(lines, tline{txt(extra, sizeSmall, subColor)})
			}
		} else {
			a := "—"
			if len(addrs) > 0 {
				a = addrs[0]
			}
			lines = append(lines, tline{txt(a, sizeSmall, color)})
		}
		shown++
	}
	if shown == 0 {
		for _, c := range ctrs {
			for _, ep := range c.Endpoints {
				n := t.x.Network(ep.Network)
				if n == nil || !wired(n) {
					continue
				}
				lines = append(lines, tline{btxt(n.Name, sizeSmall, t.strong(n.ID)), txt(" "+orDash(graph.PrefixText(ep.IPv4)), sizeSmall, "#111111")})
			}
		}
	}
	// Tags: aliases, links, published ports.
	for _, c := range ctrs {
		for _, ep := range c.Endpoints {
			for _, a := range ep.Aliases {
				if a == c.Name || strings.HasPrefix(c.DockerID, a) {
					continue
				}
				lines = append(lines, tline{txt("alias ", sizeSmall, subColor), btxt(a, sizeSmall, t.strong(ep.Network))})
			}
		}
		for _, l := range linksOf(c) {
			lines = append(lines, tline{txt("--link ", sizeSmall, linkColor), btxt(l.Target+":"+l.Alias, sizeSmall, linkColor)})
		}
		for _, p := range t.m.Ports {
			if p.Container == c.ID {
				lines = append(lines, tline{txt("-p ", sizeSmall, portColor), btxt(fmt.Sprintf("%s→%d/%s", portHost(p), p.ContainerPort, p.Proto), sizeSmall, portColor)})
			}
		}
	}
	return lines
}

// compactNameW is how wide a container's name may run in a compact box
// before it wraps.
const compactNameW = 150.0

// wrapName cuts name into lines at most width wide (bold, at size), after
// a - _ or . where it can; a part with no separator to cut at stays whole.
func wrapName(name string, size, width float64) []string {
	if draw.TextWidth(name, size, true) <= width {
		return []string{name}
	}
	var out []string
	line := ""
	for _, piece := range splitAfterAny(name, "-_.") {
		if line != "" && draw.TextWidth(line+piece, size, true) > width {
			out = append(out, line)
			line = ""
		}
		line += piece
	}
	return append(out, line)
}

// splitAfterAny splits s after each rune of seps.
func splitAfterAny(s, seps string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if strings.ContainsRune(seps, r) {
			out = append(out, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// linksOf lists a container's --link entries, from the container or its
// endpoints, once each.
func linksOf(c *graph.Container) []graph.Link {
	var out []graph.Link
	add := func(l graph.Link) {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	for _, l := range c.Links {
		add(l)
	}
	for _, ep := range c.Endpoints {
		for _, l := range ep.Links {
			add(l)
		}
	}
	return out
}

func portHost(p *graph.Port) string {
	h := graph.AddrText(p.HostIP)
	if p.HostIP.Is6() {
		h = "[" + h + "]"
	}
	return h + ":" + strconv.Itoa(p.HostPort)
}

// ifNetwork is the network an interface carries: its endpoint's, or the
// endpoint of its veth peer's.
func (t *topoText) ifNetwork(id graph.InterfaceID) graph.NetworkID {
	if t.ifNet == nil {
		t.ifNet = map[graph.InterfaceID]graph.NetworkID{}
		note := func(ep graph.Endpoint) {
			if ep.Interface == "" {
				return
			}
			for _, i := range []graph.InterfaceID{ep.Interface, t.x.Peer(ep.Interface)} {
				if _, seen := t.ifNet[i]; !seen && i != "" {
					t.ifNet[i] = ep.Network
				}
			}
		}
		for _, c := range t.m.Containers {
			for _, ep := range c.Endpoints {
				note(ep)
			}
		}
		for _, ns := range t.m.Namespaces {
			if !ns.Host {
				for _, ep := range impliedEndpoints(t.m, t.x, ns.ID) {
					note(ep)
				}
			}
		}
	}
	return t.ifNet[id]
}

// networkHeader is the text at the top of a network's frame.
func (t *topoText) networkHeader(n *graph.Network) []tline {
	strong := t.strong(n.ID)
	lines := []tline{{btxt(n.Name, sizeNetwork, strong), txt("  "+n.Driver, sizeText, subColor)}}
	for _, s := range n.Subnets {
		lines = append(lines, tline{txt(subnetText(s), sizeText, "#333333")})
	}
	if l, ok := vxlanLine(t, n); ok {
		lines = append(lines, l)
	}
	return lines
}

// badges are the properties of a network that change who can reach whom,
// as a sentence each: drawn as pills under the header.
func (t *topoText) badges(n *graph.Network) []badge {
	var out []badge
	if n.Internal {
		out = append(out, badge{"INTERNAL", "no gateway out, no NAT: only the network itself", internalColor})
	}
	if !n.ICC && n.Driver == "bridge" {
		out = append(out, badge{"ICC OFF", "containers on this bridge cannot reach each other", internalColor})
	}
	if n.Default {
		out = append(out, badge{"DEFAULT BRIDGE", "no embedded DNS: --link and IPs only", t.strong(n.ID)})
	}
	if n.Driver == "macvlan" || n.Driver == "ipvlan" {
		parent := n.ParentName
		if parent == "" {
			parent = "?"
		}
		out = append(out, badge{strings.ToUpper(n.Driver), "containers sit on parent " + parent + " directly; the host cannot reach them", t.strong(n.ID)})
	}
	return out
}

type badge struct{ word, text, color string }

func (b badge) line() tline {
	return tline{btxt(b.word, sizeSmall, "#FFFFFF"), txt("  "+b.text, sizeSmall, b.color)}
}

// aliasNotes are a network's DNS names that are not a container's own:
// --net-alias names, answered round-robin by the embedded DNS.
func (t *topoText) aliasNotes(netID graph.NetworkID) []*graph.DNSName {
	var out []*graph.DNSName
	for _, n := range t.m.Names {
		if n.Scope == graph.Scope(netID) && !isOwnName(t.x, n) {
			out = append(out, n)
		}
	}
	return out
}

func (t *topoText) aliasLines(n *graph.DNSName) []tline {
	var who []string
	for _, e := range t.x.EdgesFrom(n.ID) {
		if e.Kind == graph.EdgeResolvesTo {
			who = append(who, graph.ContainerID(e.To).Name())
		}
	}
	if n.Source == graph.NameServiceVIP {
		// A VIP service: one answer, the VIP, balanced by IPVS.
		var vip string
		for _, e := range t.x.EdgesFrom(n.ID) {
			if e.Kind == graph.EdgeResolvesTo {
				vip = e.Label
			}
		}
		return []tline{{btxt(n.Name, sizeText, "#111111"), txt("  DNS 127.0.0.11 → VIP "+orDash(vip)+" (service, IPVS)", sizeSmall, subColor)}}
	}
	slices.SortFunc(who, natural.Compare)
	what := "round-robin"
	if n.Source == graph.NameTasks {
		what = "the tasks here"
	}
	lines := []tline{{btxt(n.Name, sizeText, "#111111"), txt(fmt.Sprintf("  DNS 127.0.0.11 → %d %s, %s", len(who), plural(len(who), "answer", "answers"), what), sizeSmall, subColor)}}
	if t.detail == DetailFull || len(who) <= 4 {
		lines = append(lines, tline{txt(strings.Join(who, ", "), sizeSmall, t.strong(graph.NetworkID(n.Scope)))})
	}
	return lines
}

// deviceLines is the text of a host device's box: name, role, addresses.
func deviceLines(i *graph.Interface, role string, fg, sub string) []tline {
	l := []tline{{btxt(i.Name, sizeText, fg)}}
	if role != "" {
		l[0] = append(l[0], txt("  "+role, sizeSmall, sub))
	}
	for _, a := range drawnAddrs(i.Addrs) {
		l = append(l, tline{txt(a, sizeSmall, fg)})
	}
	return l
}
