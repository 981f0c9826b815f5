package render

// Drawing a planned topology for one model: everything at the place the
// plan gave it, only what the model has (a slideshow frame shows its step),
// what the step added outlined in green and what it removed as a red ghost.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
)

// frameOpts say what a frame marks: model IDs added and removed by its
// step, the model before it (for ghosts), and a title line.
type frameOpts struct {
	title   string
	added   map[string]bool
	removed map[string]bool
	prev    *graph.Model
}

func toSet(ids []string) map[string]bool {
	s := make(map[string]bool, len(ids))
	for _, id := range ids {
		s[id] = true
	}
	return s
}

func anyIn(ids []string, set map[string]bool) bool {
	for _, id := range ids {
		if set[id] {
			return true
		}
	}
	return false
}

type topoScene struct {
	p  *topoPlan
	t  *topoText
	fo frameOpts
	s  *draw.Scene
	// layers, painted in this order
	frames, lines, nodes, marks, labels []draw.Item
}

// scene draws m (one of the plan's models) at the plan's places.
func (p *topoPlan) scene(m *graph.Model, fo frameOpts) *draw.Scene {
	ts := &topoScene{p: p, t: p.text(m), fo: fo, s: &draw.Scene{W: p.W, H: p.H, Title: "netviz · " + m.Host.Name}}
	ts.header()
	ts.band()
	for _, b := range p.blockOrder {
		ts.block(b)
	}
	ts.zone()
	ts.nat()
	ts.links()
	ts.ghosts()
	ts.legend()
	ts.s.Add(ts.frames...)
	ts.s.Add(ts.lines...)
	ts.s.Add(ts.nodes...)
	ts.s.Add(ts.marks...)
	ts.s.Add(ts.labels...)
	return ts.s
}

// textLines draws lines top-down from (x, y), returning the items.
func textLines(lines []tline, x, y float64, attrs draw.Attrs) []draw.Item {
	var out []draw.Item
	for _, l := range lines {
		size := l.size()
		base := y + 1.03*size
		lx := x
		for _, s := range l {
			// Leading spaces are a gap, not text: a text's box then
			// starts at its ink, clear of the text before it.
			trimmed := strings.TrimLeft(s.s, " ")
			lx += draw.TextWidth(s.s[:len(s.s)-len(trimmed)], s.size, s.bold)
			if trimmed != "" {
				out = append(out, &draw.Text{Attrs: attrs, X: lx, Y: base, S: trimmed, Size: s.size, Bold: s.bold, Color: s.color})
			}
			lx += draw.TextWidth(trimmed, s.size, s.bold)
		}
		y += lineHeight(size)
	}
	return out
}

// node is a box with text: a g.node whose first item is its shape.
func node(obj string, b draw.Box, fill, stroke string, strokeW float64, dash []float64, lines []tline, tip string) *draw.Group {
	return nodePad(obj, b, boxPadY, fill, stroke, strokeW, dash, lines, tip)
}

// nodePad is node with padY above its text.
func nodePad(obj string, b draw.Box, padY float64, fill, stroke string, strokeW float64, dash []float64, lines []tline, tip string) *draw.Group {
	g := &draw.Group{Attrs: draw.Attrs{Class: "node", Tip: tip, Data: map[string]string{"obj": obj}}}
	g.Add(&draw.Rect{X: b.X, Y: b.Y, W: b.W, H: b.H, R: 6, Fill: fill, Stroke: stroke, StrokeW: strokeW, Dash: dash})
	g.Items = append(g.Items, textLines(lines, b.X+boxPadX, b.Y+padY, draw.Attrs{})...)
	return g
}

func (ts *topoScene) mark(b draw.Box, added bool) {
	if added {
		ts.marks = append(ts.marks, &draw.Rect{Attrs: draw.Attrs{Class: "added"}, X: b.X - 3, Y: b.Y - 3, W: b.W + 6, H: b.H + 6, R: 8, Stroke: addedColor, StrokeW: 3})
	}
}

func (ts *topoScene) header() {
	ts.labels = append(ts.labels, textLines(headerLines(ts.p, ts.t, ts.fo), margin, margin, draw.Attrs{Class: "heading"})...)
}

// headerLines are the picture's title, engine, counts and (compact) what
// was folded.
func headerLines(p *topoPlan, t *topoText, fo frameOpts) []tline {
	m := t.m
	title := fo.title
	if title == "" {
		title = "host " + orDash(m.Host.Name)
	}
	engine := "no Docker engine"
	switch {
	case m.Source == graph.SourceSim:
		engine = "simulated"
		if v := strings.TrimSuffix(m.Host.Engine, " (simulated)"); v != "" {
			engine += " · Docker " + v
		}
	case m.Host.Engine != "":
		engine = "Docker " + m.Host.Engine
	}
	rest := txt("   "+engine, sizeText, subColor)
	if fo.title != "" {
		rest = txt("   host "+orDash(m.Host.Name)+" · "+engine, sizeText, subColor)
		// A step's command can be any length: it is cut to the picture
		// (the page beside the frame shows it whole).
		if p.W > 0 {
			room := p.W - 2*margin - tline{rest}.width()
			title = draw.Fit(title, sizeHeading, true, max(room, 200))
		}
	}
	l1 := tline{btxt(title, sizeHeading, "#111111"), rest}
	nets, running, stopped := 0, 0, 0
	for _, n := range m.Networks {
		if wired(n) {
			nets++
		}
	}
	for _, c := range m.Containers {
		if c.Running() {
			running++
		} else {
			stopped++
		}
	}
	counts := fmt.Sprintf("%d %s · %d running %s", nets, plural(nets, "network", "networks"), running, plural(running, "container", "containers"))
	if stopped > 0 {
		counts += fmt.Sprintf(" · %d not running", stopped)
	}
	lines := []tline{l1, {txt(counts, sizeText, subColor)}}
	if p.detail == DetailCompact {
		lines = append(lines, tline{txt(foldedNote(p, t), sizeSmall, subColor)})
	}
	return lines
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// foldedNote says what the compact view leaves out.
func foldedNote(p *topoPlan, t *topoText) string {
	veths, macs := 0, 0
	for _, i := range t.m.Interfaces {
		if i.Kind == graph.KindVeth && i.Namespace == graph.HostNamespaceID {
			veths++
		}
		if i.Namespace != graph.HostNamespaceID && i.MAC != "" {
			macs++
		}
	}
	multi := 0
	for _, u := range p.units {
		if len(u.nets) > 1 && t.unitLines(u) != nil {
			multi++
		}
	}
	folded := []string{fmt.Sprintf("%d host-side veth %s", veths, plural(veths, "name", "names"))}
	if macs > 0 {
		folded = append(folded, fmt.Sprintf("%d %s", macs, plural(macs, "MAC", "MACs")))
	}
	s := "compact view: " + strings.Join(folded, ", ") + ", images and interface names folded"
	if multi > 0 {
		s += fmt.Sprintf("; %d multi-homed %s drawn in the first network, one address per network",
			multi, plural(multi, "container", "containers"))
	}
	return s + " · --detail full draws them"
}

func (ts *topoScene) band() {
	p := ts.p
	b := p.band
	ts.frames = append(ts.frames, &draw.Rect{Attrs: draw.Attrs{Class: "hostns"}, X: b.X, Y: b.Y, W: b.W, H: b.H, R: 10, Fill: "#FAFAFA", Stroke: "#999999", StrokeW: 1.2, Dash: []float64{5, 4}})
	ts.labels = append(ts.labels, &draw.Text{X: b.X + 12, Y: b.Y + 4 + 1.03*sizeSmall, S: "host network namespace", Size: sizeSmall, Color: subColor})
	for _, it := range p.bandItems {
		lines := it.lines(ts.t)
		if lines == nil {
			continue
		}
		stroke, sw := "#333333", 1.2
		if it.fill == portFill {
			stroke = portColor
		}
		ts.nodes = append(ts.nodes, node(it.id, it.box, it.fill, stroke, sw, nil, lines, ""))
		added := ts.fo.added[it.id]
		if it.id == "hostmode" {
			for _, c := range ts.t.m.Containers {
				added = added || (c.Namespace == graph.HostNamespaceID && ts.fo.added[string(c.ID)])
			}
		}
		ts.mark(it.box, added)
	}
}

func (ts *topoScene) present(u *unit) bool { return ts.t.unitLines(u) != nil }

// endpointOn is the unit's endpoint on a network in this model, and the
// container interface and host-side peer it uses.
func (ts *topoScene) endpointOn(u *unit, net graph.NetworkID) (ep *graph.Endpoint, ifc, peer graph.InterfaceID) {
	x := ts.t.x
	var ctrs []*graph.Container
	if u.kind == unitStopped {
		if c := x.Container(graph.ContainerID(u.key)); c != nil {
			ctrs = append(ctrs, c)
		}
	} else {
		ctrs = x.ContainersIn(graph.NamespaceID(u.key))
	}
	for _, c := range ctrs {
		for i := range c.Endpoints {
			e := &c.Endpoints[i]
			if e.Network == net {
				return e, e.Interface, x.Peer(e.Interface)
			}
		}
	}
	if u.kind != unitStopped {
		for _, e := range impliedEndpoints(ts.t.m, x, graph.NamespaceID(u.key)) {
			if e.Network == net {
				return &e, e.Interface, x.Peer(e.Interface)
			}
		}
	}
	return nil, "", ""
}

func (ts *topoScene) block(b *blockPlan) {
	p, t := ts.p, ts.t
	var n *graph.Network
	if b.net != nil {
		n = t.x.Network(b.net.ID)
		if n == nil {
			return
		}
	} else if !slices.ContainsFunc(b.members, ts.present) {
		return
	}
	strong, light := "#777777", "#F4F4F4"
	var dash []float64
	obj := "special:" + b.title
	if n != nil {
		strong, light = p.colorOf(n.ID)
		if n.Internal {
			dash = []float64{9, 5}
		}
		obj = string(n.ID)
	}
	g := &draw.Group{Attrs: draw.Attrs{Class: "net", Data: map[string]string{"obj": obj}}}
	g.Add(&draw.Rect{X: b.box.X, Y: b.box.Y, W: b.box.W, H: b.box.H, R: 10, Fill: light, Stroke: strong, StrokeW: 1.8, Dash: dash})
	ts.frames = append(ts.frames, g)
	if n != nil && ts.fo.added[string(n.ID)] {
		ts.mark(b.box, true)
	}
	// Header.
	lines := p.blockLeftLines(b, t)
	x, y := b.box.X+blockPadL, b.box.Y+blockPadT
	ts.labels = append(ts.labels, textLines(lines, x, y, draw.Attrs{Class: "nettitle"})...)
	_, lh := linesSize(lines)
	y += lh + 2
	if n != nil {
		for _, bg := range t.badges(n) {
			wordW := draw.TextWidth(bg.word, sizeSmall, true)
			h := lineHeight(sizeSmall) + 2
			pill := &draw.Group{Attrs: draw.Attrs{Class: "node badge", Data: map[string]string{"obj": obj + ":" + bg.word}}}
			pill.Add(&draw.Rect{X: x, Y: y, W: wordW + 12, H: h, R: h / 2, Fill: bg.color})
			pill.Add(&draw.Text{X: x + 6, Y: y + 1 + 1.03*sizeSmall, S: bg.word, Size: sizeSmall, Bold: true, Color: "#FFFFFF"})
			ts.nodes = append(ts.nodes, pill)
			if p.detail != DetailCompact {
				ts.labels = append(ts.labels, &draw.Text{X: x + wordW + 18, Y: y + 1 + 1.03*sizeSmall, S: bg.text, Size: sizeSmall, Color: bg.color})
			}
			y += h + 3
		}
		for _, nm := range t.aliasNotes(n.ID) {
			slot, ok := b.notes[nm.ID]
			if !ok {
				continue
			}
			box := draw.Box{X: x, Y: b.box.Y + blockPadT + slot.Y, W: slot.W, H: slot.H}
			ts.nodes = append(ts.nodes, node(nm.ID, box, noteFill, strong, 1.2, nil, t.aliasLines(nm), "network alias "+nm.Name))
			ts.mark(box, ts.fo.added[nm.ID])
		}
		// The bridge or parent at the top right.
		if bl, ok := p.bridgeLines(n, t); ok && b.bridge.W > 0 {
			id := string(n.Bridge)
			if id == "" {
				id = string(n.Parent)
			}
			if id == "" {
				id = "dev:" + string(n.ID)
			}
			if n.Bridge == "" {
				id = "parent:" + string(n.ID) // the parent may be the uplink, drawn in the band too
			}
			ts.nodes = append(ts.nodes, node(id, b.bridge, strong, strong, 1.2, nil, bl, ""))
			ts.mark(b.bridge, ts.fo.added[string(n.Bridge)] && !ts.fo.added[string(n.ID)])
		}
	}
	ts.members(b, n, strong)
}

// members draws a block's boxes and the bus that joins them to the
// bridge: a spine down the right margin, a line above each row, a drop
// into each box labelled with its host-side veth.
func (ts *topoScene) members(b *blockPlan, n *graph.Network, strong string) {
	full := ts.p.detail == DetailFull
	macvlan := n != nil && (n.Driver == "macvlan" || n.Driver == "ipvlan")
	lineDash := []float64(nil)
	if macvlan {
		lineDash = []float64{9, 3, 2, 3}
	}
	spine := b.box.Right() - 11
	busOff := 7.0
	if full {
		busOff = 22
	}
	type rowSpan struct{ minX, y float64 }
	rows := map[int]*rowSpan{}
	lastBus := -1.0
	for i, u := range b.members {
		box := ts.p.boxes[u.key]
		lines := ts.t.unitLines(u)
		if lines == nil {
			continue
		}
		stroke, fill, dash := "#333333", "#FFFFFF", []float64(nil)
		if u.kind == unitStopped {
			stroke, fill, dash = "#9A9A9A", "#F2F2F2", []float64{5, 3}
		}
		ts.nodes = append(ts.nodes, nodePad(u.key, box, ts.p.unitPadY(), fill, stroke, 1.2, dash, lines, ""))
		ts.mark(box, anyIn(u.ids, ts.fo.added))
		if n == nil {
			continue
		}
		ep, ifc, peer := ts.endpointOn(u, n.ID)
		if ep == nil {
			continue
		}
		r, _ := b.rc(i)
		busY := box.Y - busOff
		if rows[r] == nil {
			rows[r] = &rowSpan{minX: box.X + 14, y: busY}
		}
		rows[r].minX = min(rows[r].minX, box.X+14)
		lastBus = max(lastBus, busY)
		dx := box.X + 14
		added := ts.fo.added[string(ifc)] || ts.fo.added[string(peer)]
		color := strong
		if ep.Interface == "" && u.kind == unitStopped {
			color = "#9A9A9A"
		}
		ts.lines = append(ts.lines, &draw.Line{Attrs: draw.Attrs{Class: "edge veth", Data: map[string]string{"obj": string(peer)}}, Pts: []draw.Pt{{X: dx, Y: busY}, {X: dx, Y: box.Y}}, Stroke: color, W: 2.4, Dash: lineDash})
		if added {
			ts.marks = append(ts.marks, &draw.Line{Attrs: draw.Attrs{Class: "added"}, Pts: []draw.Pt{{X: dx, Y: busY}, {X: dx, Y: box.Y}}, Stroke: addedColor, W: 5, Opacity: 0.6})
		}
		if full && peer != "" {
			if pi := ts.t.x.Interface(peer); pi != nil {
				label := draw.Fit(pi.Name, sizeSmall, false, box.W-24)
				ts.labels = append(ts.labels, &draw.Text{Attrs: draw.Attrs{Class: "veth"}, X: dx + 6, Y: box.Y - 5, S: label, Size: sizeSmall, Color: strong})
			}
		}
	}
	if n == nil {
		return
	}
	// Spine from the bridge down the right margin, and row lines.
	top := b.box.Y + blockPadT
	if b.bridge.W > 0 {
		mid := b.bridge.Y + b.bridge.H/2
		top = mid
		if lastBus >= 0 || (b.exits > 0 && ts.zonePresent(n.ID)) {
			ts.lines = append(ts.lines, &draw.Line{Attrs: draw.Attrs{Class: "edge bus"}, Pts: []draw.Pt{{X: b.bridge.Right(), Y: mid}, {X: spine, Y: mid}}, Stroke: strong, W: 2.4, Dash: lineDash})
		}
	}
	bottom := lastBus
	if b.exits > 0 && ts.zonePresent(n.ID) {
		bottom = b.box.Bottom() - 8
	}
	if bottom > top {
		ts.lines = append(ts.lines, &draw.Line{Attrs: draw.Attrs{Class: "edge bus"}, Pts: []draw.Pt{{X: spine, Y: top}, {X: spine, Y: bottom}}, Stroke: strong, W: 2.4, Dash: lineDash})
	}
	for r := range b.rows {
		if rs := rows[r]; rs != nil {
			ts.lines = append(ts.lines, &draw.Line{Attrs: draw.Attrs{Class: "edge bus"}, Pts: []draw.Pt{{X: rs.minX, Y: rs.y}, {X: spine, Y: rs.y}}, Stroke: strong, W: 2.4, Dash: lineDash})
		}
	}
}

func (ts *topoScene) zonePresent(net graph.NetworkID) bool {
	for _, z := range ts.p.zoneExits {
		if z.net == net && ts.present(z.u) {
			if ep, _, _ := ts.endpointOn(z.u, net); ep != nil {
				return true
			}
		}
	}
	return false
}

// zone draws the containers on several networks under the frames, a
// line from each network's frame to each of them.
func (ts *topoScene) zone() {
	p := ts.p
	minExit := map[graph.NetworkID]float64{}
	for _, u := range p.zone {
		lines := ts.t.unitLines(u)
		if lines == nil {
			continue
		}
		box := p.boxes[u.key]
		ts.nodes = append(ts.nodes, nodePad(u.key, box, p.unitPadY(), "#FFFFFF", "#333333", 1.2, nil, lines, ""))
		ts.mark(box, anyIn(u.ids, ts.fo.added))
	}
	for _, z := range p.zoneExits {
		if !ts.present(z.u) {
			continue
		}
		ep, ifc, peer := ts.endpointOn(z.u, z.net)
		if ep == nil {
			continue
		}
		b := p.blocks[z.net]
		strong, _ := p.colorOf(z.net)
		box := p.boxes[z.u.key]
		n := len(z.u.nets)
		span := (box.W - 28) / float64(n)
		ax := box.X + 14 + float64(z.idx)*span
		by := b.box.Bottom() - 8
		pts := []draw.Pt{{X: z.exit, Y: by}, {X: z.exit, Y: z.lane}, {X: ax, Y: z.lane}, {X: ax, Y: box.Y}}
		if z.corridor > 0 {
			pts = []draw.Pt{{X: z.exit, Y: by}, {X: z.exit, Y: z.shelfLane}, {X: z.corridor, Y: z.shelfLane}, {X: z.corridor, Y: z.lane}, {X: ax, Y: z.lane}, {X: ax, Y: box.Y}}
		}
		if prev, ok := minExit[z.net]; !ok || z.exit < prev {
			minExit[z.net] = z.exit
		}
		ts.lines = append(ts.lines, &draw.Line{Attrs: draw.Attrs{Class: "edge veth", Data: map[string]string{"obj": string(peer)}}, Pts: pts, Stroke: strong, W: 2.4})
		if ts.fo.added[string(ifc)] || ts.fo.added[string(peer)] {
			ts.marks = append(ts.marks, &draw.Line{Attrs: draw.Attrs{Class: "added"}, Pts: pts, Stroke: addedColor, W: 5, Opacity: 0.6})
		}
		if p.detail == DetailFull && peer != "" {
			if pi := ts.t.x.Interface(peer); pi != nil {
				ts.labels = append(ts.labels, &draw.Text{Attrs: draw.Attrs{Class: "veth"}, X: ax + 6, Y: box.Y - 5, S: draw.Fit(pi.Name, sizeSmall, false, span-10), Size: sizeSmall, Color: strong})
			}
		}
	}
	for _, n := range p.nets {
		net := n.ID
		x, ok := minExit[net]
		if !ok {
			continue
		}
		b := p.blocks[net]
		strong, _ := p.colorOf(net)
		ts.lines = append(ts.lines, &draw.Line{Attrs: draw.Attrs{Class: "edge bus"}, Pts: []draw.Pt{{X: x, Y: b.box.Bottom() - 8}, {X: b.box.Right() - 11, Y: b.box.Bottom() - 8}}, Stroke: strong, W: 2.4})
	}
}

// nat draws the masquerade from each non-internal bridge to the uplink: a
// rail under the host band, a drop to each bridge (frames on lower shelves
// reached down the left margin).
func (ts *topoScene) nat() {
	p, t := ts.p, ts.t
	var up *bandItem
	for _, it := range p.bandItems {
		if it.uplink && string(t.m.Host.Uplink) == it.id && t.x.Interface(graph.InterfaceID(it.id)) != nil {
			up = it
		}
	}
	if up == nil {
		return
	}
	ux := up.box.X + up.box.W/2
	railY := p.railY
	minX, maxX := ux, ux
	var drops [][]draw.Pt
	for _, b := range p.blockOrder {
		n := b.net
		if n == nil || b.bridge.W == 0 {
			continue
		}
		cur := t.x.Network(n.ID)
		if cur == nil || cur.Internal || cur.Driver != "bridge" || t.x.Interface(cur.Bridge) == nil {
			continue
		}
		bx := b.bridge.X + b.bridge.W/2
		if b.shelf == 0 {
			drops = append(drops, []draw.Pt{{X: bx, Y: railY}, {X: bx, Y: b.bridge.Y}})
			maxX, minX = max(maxX, bx), min(minX, bx)
			continue
		}
		cx := margin/2 - 2 + float64(b.shelf)*2
		lane := b.box.Y - 12
		drops = append(drops, []draw.Pt{{X: cx, Y: railY}, {X: cx, Y: lane}, {X: bx, Y: lane}, {X: bx, Y: b.bridge.Y}})
		minX = min(minX, cx)
	}
	if len(drops) == 0 {
		return
	}
	style := func(pts []draw.Pt, arrow bool) *draw.Line {
		return &draw.Line{Attrs: draw.Attrs{Class: "edge nat", Tip: "NAT (masquerade) out through the uplink"}, Pts: pts, Stroke: natColor, W: 1.6, Dash: []float64{6, 4}, Arrow: arrow}
	}
	ts.lines = append(ts.lines, style([]draw.Pt{{X: minX, Y: railY}, {X: maxX, Y: railY}}, false))
	ts.lines = append(ts.lines, style([]draw.Pt{{X: ux, Y: railY}, {X: ux, Y: up.box.Bottom() + 1}}, true))
	for _, d := range drops {
		ts.lines = append(ts.lines, style(d, false))
	}
	label := "NAT (masquerade) → " + up.box2name(t)
	lx := ux + 8
	ts.labels = append(ts.labels, &draw.Text{Attrs: draw.Attrs{Class: "natlabel"}, X: lx, Y: railY - 4, S: label, Size: sizeSmall, Color: natColor})
}

func (it *bandItem) box2name(t *topoText) string {
	if i := t.x.Interface(graph.InterfaceID(it.id)); i != nil {
		return i.Name
	}
	return "uplink"
}

// links draws --link between two boxes in one frame: out of the bottom of
// the linking container, along the gap under its row, up into the target.
func (ts *topoScene) links() {
	p, t := ts.p, ts.t
	blockOf := map[string]*blockPlan{}
	cell := map[string][2]int{} // row, column
	for _, b := range p.blockOrder {
		for i, u := range b.members {
			r, c := b.rc(i)
			blockOf[u.key], cell[u.key] = b, [2]int{r, c}
		}
	}
	unitOfCtr := map[graph.ContainerID]*unit{}
	for _, u := range p.units {
		for _, id := range u.ids {
			if strings.HasPrefix(id, "ctr:") {
				unitOfCtr[graph.ContainerID(id)] = u
			}
		}
	}
	lane := 0
	for _, c := range t.m.Containers {
		for _, l := range linksOf(c) {
			src, dst := unitOfCtr[c.ID], unitOfCtr[graph.NewContainerID(l.Target)]
			if src == nil || dst == nil || src == dst || !ts.present(src) || !ts.present(dst) {
				continue
			}
			b := blockOf[src.key]
			if b == nil || blockOf[dst.key] != b {
				continue
			}
			sb, db := p.boxes[src.key], p.boxes[dst.key]
			off := 4 + float64(lane%3)*3
			lane++
			xs, xt := sb.Right()-16, db.Right()-16
			ys := sb.Bottom() + off
			var pts []draw.Pt
			sr, dr := cell[src.key][0], cell[dst.key][0]
			if sr == dr {
				pts = []draw.Pt{{X: xs, Y: sb.Bottom()}, {X: xs, Y: ys}, {X: xt, Y: ys}, {X: xt, Y: db.Bottom() + 1}}
			} else {
				gx := sb.Right() + b.colGap/2
				if cell[src.key][1] == b.cols-1 {
					gx = sb.X - b.colGap/2
					if cell[src.key][1] == 0 {
						gx = sb.X - blockPadL/2
					}
				}
				yt := db.Bottom() + off
				pts = []draw.Pt{{X: xs, Y: sb.Bottom()}, {X: xs, Y: ys}, {X: gx, Y: ys}, {X: gx, Y: yt}, {X: xt, Y: yt}, {X: xt, Y: db.Bottom() + 1}}
			}
			ts.lines = append(ts.lines, &draw.Line{Attrs: draw.Attrs{Class: "edge link", Tip: fmt.Sprintf("--link %s:%s (/etc/hosts of %s)", l.Target, l.Alias, c.Name)}, Pts: pts, Stroke: linkColor, W: 1.8, Dash: []float64{7, 3}, Arrow: true})
		}
	}
}

// ghosts draws what the step removed, where it was, faded and outlined
// in red.
func (ts *topoScene) ghosts() {
	if ts.fo.prev == nil || len(ts.fo.removed) == 0 {
		return
	}
	prev := ts.p.text(ts.fo.prev)
	for _, u := range ts.p.sortedUnits() {
		if ts.present(u) || !anyIn(u.ids, ts.fo.removed) {
			continue
		}
		lines := prev.unitLines(u)
		box, ok := ts.p.boxes[u.key]
		if lines == nil || !ok {
			continue
		}
		g := nodePad(u.key, box, ts.p.unitPadY(), "#FFFFFF", removedColor, 2, []float64{5, 3}, lines, "removed by this step")
		g.Opacity = 0.45
		g.Class = "node removed"
		ts.nodes = append(ts.nodes, g)
	}
	for _, b := range ts.p.blockOrder {
		if b.net == nil || ts.t.x.Network(b.net.ID) != nil || !ts.fo.removed[string(b.net.ID)] {
			continue
		}
		ts.frames = append(ts.frames, &draw.Rect{Attrs: draw.Attrs{Class: "removed"}, X: b.box.X, Y: b.box.Y, W: b.box.W, H: b.box.H, R: 10, Fill: "#FFF5F5", Stroke: removedColor, StrokeW: 2, Dash: []float64{6, 4}, Opacity: 0.6})
		ts.labels = append(ts.labels, &draw.Text{X: b.box.X + blockPadL, Y: b.box.Y + blockPadT + 1.03*sizeNetwork, S: b.net.Name + " (removed)", Size: sizeNetwork, Bold: true, Color: removedColor})
	}
}

func (ts *topoScene) legend() {
	p := ts.p
	if len(p.legend) == 0 {
		return
	}
	y := p.legendY
	ts.labels = append(ts.labels, &draw.Text{X: margin, Y: y + 1.03*sizeSmall, S: "legend", Size: sizeSmall, Bold: true, Color: "#333333"})
	y += lineHeight(sizeSmall) + 4
	x := margin
	lh := lineHeight(sizeSmall) + 6
	for _, e := range p.legend {
		w := legendItemW(e)
		if x > margin && x+w > margin+p.band.W {
			x = margin
			y += lh
		}
		mid := y + lh/2 - 2
		var sample draw.Item
		switch e.kind {
		case "veth":
			sample = &draw.Line{Pts: []draw.Pt{{X: x, Y: mid}, {X: x + 26, Y: mid}}, Stroke: "#444444", W: 2.4}
		case "macvlan":
			sample = &draw.Line{Pts: []draw.Pt{{X: x, Y: mid}, {X: x + 26, Y: mid}}, Stroke: "#444444", W: 2.4, Dash: []float64{9, 3, 2, 3}}
		case "nat":
			sample = &draw.Line{Pts: []draw.Pt{{X: x, Y: mid}, {X: x + 26, Y: mid}}, Stroke: natColor, W: 1.6, Dash: []float64{6, 4}, Arrow: true}
		case "link":
			sample = &draw.Line{Pts: []draw.Pt{{X: x, Y: mid}, {X: x + 26, Y: mid}}, Stroke: linkColor, W: 1.8, Dash: []float64{7, 3}, Arrow: true}
		case "port":
			sample = &draw.Rect{X: x, Y: mid - 6, W: 26, H: 12, R: 3, Fill: portFill, Stroke: portColor}
		case "alias":
			sample = &draw.Rect{X: x, Y: mid - 6, W: 26, H: 12, R: 3, Fill: noteFill, Stroke: "#444444"}
		case "internal":
			sample = &draw.Rect{X: x, Y: mid - 6, W: 26, H: 12, R: 3, Fill: "#F4F4F4", Stroke: "#444444", StrokeW: 1.6, Dash: []float64{5, 3}}
		case "colour":
			g := &draw.Group{}
			for i := 0; i < min(4, len(p.nets)); i++ {
				g.Add(&draw.Rect{X: x + float64(i)*7, Y: mid - 6, W: 6, H: 12, Fill: palette[i%len(palette)].strong})
			}
			sample = g
		case "badge":
			sample = &draw.Rect{X: x, Y: mid - 7, W: 26, H: 14, R: 7, Fill: e.color}
		case "stopped":
			sample = &draw.Rect{X: x, Y: mid - 6, W: 26, H: 12, R: 3, Fill: "#F2F2F2", Stroke: "#9A9A9A", Dash: []float64{4, 2}}
		case "added":
			sample = &draw.Rect{X: x, Y: mid - 6, W: 26, H: 12, R: 3, Stroke: addedColor, StrokeW: 3}
		case "removed":
			sample = &draw.Rect{X: x, Y: mid - 6, W: 26, H: 12, R: 3, Stroke: removedColor, StrokeW: 2, Dash: []float64{5, 3}, Opacity: 0.6}
		}
		g := &draw.Group{Attrs: draw.Attrs{Class: "legend", Data: map[string]string{"kind": e.kind}}}
		g.Add(sample, &draw.Text{X: x + 34, Y: mid + 0.35*sizeSmall, S: e.text, Size: sizeSmall, Color: "#333333"})
		ts.labels = append(ts.labels, g)
		x += w
	}
}
