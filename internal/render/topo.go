package render

// The topology picture: netviz's own layout of a host's network, drawn
// with internal/draw. The host's namespace is a band across the top
// (uplink, devices, published ports, --net host containers); each network
// is a coloured frame below it with its bridge (or macvlan parent) at the
// top right and its containers in a grid, each hanging from the bridge by
// its veth pair; containers on several networks sit under the frames, one
// line to each; --net none and stopped containers have frames of their
// own. The layout is planned once for a list of models — the frames of a
// slideshow — so every object keeps its place and colour in all of them.

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/natural"
)

// Screen is the display a picture is made to fit: a 16:9 projector.
const (
	screenW = 1920.0
	screenH = 1080.0
	// fullFit is the smallest fit scale at which auto keeps full detail:
	// the smallest text (sizeSmall) stays ≥ 10 px.
	fullFit = 10.0 / sizeSmall
)

// Spacing, in pixels.
const (
	margin    = 16.0
	blockGap  = 22.0
	boxPadX   = 8.0
	boxPadY   = 6.0
	blockPadL = 12.0
	blockPadR = 24.0 // room for the bus spine at the right
	blockPadT = 10.0
)

type topoPlan struct {
	ctx    context.Context
	detail Detail
	// indexes are the models' indexes, shared by the plans auto tries
	indexes map[*graph.Model]*graph.Index
	texts   map[*graph.Model]*topoText // what each model says, indexed once
	models  []*graph.Model
	nets    []*graph.Network // drawn networks, in order (union of models)
	order   map[graph.NetworkID]int
	units   map[string]*unit
	// geometry
	W, H       float64
	headerH    float64
	headerW    float64
	band       draw.Box
	bandItems  []*bandItem
	railY      float64
	blocks     map[graph.NetworkID]*blockPlan
	boxes      map[string]draw.Box
	zone       []*unit // multi-homed units (full detail)
	zoneExits  []zoneLink
	legendY    float64
	legend     []legendEntry
	fitScale   float64
	blockOrder []*blockPlan
	// bestRows is the grid height the search chose (0 when a Memory
	// placed the grid).
	bestRows int
	// color, when set, is each network's palette index: a Memory keeps
	// colours across models; otherwise a network's colour is its order.
	color map[graph.NetworkID]int
	// sticky is the layout a Memory remembered, guide the fresh layout
	// of the same model: when set, layout keeps sticky's places and
	// grows as guide would (sticky.go).
	sticky *memo
	guide  *topoPlan
	// shelfOf is each frame's shelf while a Memory's layout is arranged.
	shelfOf map[string]int
}

type blockPlan struct {
	net     *graph.Network // nil for special blocks
	title   string         // special blocks' title
	kind    unitKind
	box     draw.Box
	members []*unit
	cellW   float64
	cellH   float64
	cols    int
	rows    int
	// grid, when set, holds each member's row and column (a Memory's
	// places, holes kept); otherwise members fill the grid row by row.
	grid    *gridPos
	headerH float64
	headerW float64
	sized   bool // headerW, headerH and notes are measured
	// bridgeW, bridgeH: the bridge box's size, measured once (bridgeSized)
	bridgeW, bridgeH float64
	bridgeSized      bool
	bridge           draw.Box // bridge or parent box (zero if none)
	// notes are the alias notes' slots, by name ID: offset from the
	// header's badges, and size, the largest in any model.
	notes   map[string]draw.Box
	gridTop float64
	shelf   int
	exits   int
	rowGap  float64
	colGap  float64
}

type bandItem struct {
	id    string // model ID
	lines func(t *topoText) []tline
	fill  string
	fg    string
	role  string
	box   draw.Box
	// uplink marks the box NAT lines lead to.
	uplink bool
}

type zoneLink struct {
	u    *unit
	net  graph.NetworkID
	idx  int // the unit's idx-th network
	exit float64
	lane float64
	// From a frame above the last shelf the line runs along the gap
	// under its shelf (shelfLane) to a corridor right of everything
	// (corridor), then down to the zone's lanes; 0 when direct.
	shelfLane, corridor float64
}

type legendEntry struct {
	kind  string
	text  string
	color string // a badge's
}

// colorOf assigns palette colours in drawn order.
func (p *topoPlan) colorOf(id graph.NetworkID) (string, string) {
	if i, ok := p.color[id]; ok {
		c := palette[i%len(palette)]
		return c.strong, c.light
	}
	if i, ok := p.order[id]; ok {
		c := palette[i%len(palette)]
		return c.strong, c.light
	}
	return hostStroke, "#FFFFFF"
}

func (p *topoPlan) text(m *graph.Model) *topoText {
	if t, ok := p.texts[m]; ok {
		return t
	}
	t := &topoText{m: m, x: p.index(m), color: p.colorOf, detail: p.detail}
	if p.texts == nil {
		p.texts = map[*graph.Model]*topoText{}
	}
	p.texts[m] = t
	return t
}

// planTopology lays out the union of models at the given detail (auto
// tries full first).
func planTopology(models []*graph.Model, d Detail) *topoPlan {
	return planContext(context.Background(), models, d)
}

// planContext is planTopology giving up when ctx is done (a slideshow of
// a long scenario plans hundreds of frames): the caller checks ctx.
func planContext(ctx context.Context, models []*graph.Model, d Detail) *topoPlan {
	return planWith(ctx, models, d, map[*graph.Model]*graph.Index{})
}

func planWith(ctx context.Context, models []*graph.Model, d Detail, indexes map[*graph.Model]*graph.Index) *topoPlan {
	if d == DetailAuto || d == "" {
		full := planWith(ctx, models, DetailFull, indexes)
		if full.fitScale >= fullFit || ctx.Err() != nil {
			return full
		}
		return planWith(ctx, models, DetailCompact, indexes)
	}
	p := &topoPlan{ctx: ctx, detail: d, models: models, order: map[graph.NetworkID]int{}, units: map[string]*unit{},
		blocks: map[graph.NetworkID]*blockPlan{}, boxes: map[string]draw.Box{}, indexes: indexes}
	// Networks and units: the union of every model, first seen first.
	var all []*graph.Network
	seenNet := map[graph.NetworkID]bool{}
	for _, m := range models {
		for _, n := range m.Networks {
			if !seenNet[n.ID] {
				seenNet[n.ID] = true
				all = append(all, n)
			}
		}
	}
	p.nets = networkOrder(all)
	for i, n := range p.nets {
		p.order[n.ID] = i
	}
	var unitOrder []string
	for _, m := range models {
		x := p.index(m)
		for _, u := range unitsOf(m, x, p.order) {
			old, ok := p.units[u.key]
			if !ok {
				p.units[u.key] = u
				unitOrder = append(unitOrder, u.key)
				continue
			}
			for _, n := range u.nets {
				if !slices.Contains(old.nets, n) {
					old.nets = append(old.nets, n)
				}
			}
			for _, id := range u.ids {
				if !slices.Contains(old.ids, id) {
					old.ids = append(old.ids, id)
				}
			}
			if len(old.nets) > 0 {
				old.kind = unitAttached
			}
		}
	}
	for _, u := range p.units {
		slices.SortFunc(u.nets, func(a, b graph.NetworkID) int { return cmpInt(p.order[a], p.order[b]) })
	}
	p.layout(unitOrder)
	return p
}

// index is m's index, made once.
func (p *topoPlan) index(m *graph.Model) *graph.Index {
	x, ok := p.indexes[m]
	if !ok {
		x = graph.NewIndex(m)
		p.indexes[m] = x
	}
	return x
}

// measureUnit is the box size a unit needs in every model.
func (p *topoPlan) measureUnit(u *unit, texts []*topoText) (w, h float64) {
	for _, t := range texts {
		lw, lh := linesSize(t.unitLines(u))
		w, h = max(w, lw), max(h, lh)
	}
	minW := 96.0
	if p.detail == DetailFull {
		minW = 132
		if n := len(u.nets); n > 1 {
			minW = max(minW, 24+float64(n)*96)
		}
	}
	return max(minW, w+2*boxPadX), h + 2*p.unitPadY()
}

// unitPadY is the space above and below a container box's text: compact
// boxes are tighter, so a busy host's grid fits the screen larger.
func (p *topoPlan) unitPadY() float64 {
	if p.detail == DetailCompact {
		return 4
	}
	return boxPadY
}

func (p *topoPlan) layout(unitOrder []string) {
	texts := make([]*topoText, len(p.models))
	for i, m := range p.models {
		texts[i] = p.text(m)
	}
	full := p.detail == DetailFull
	sizes := map[string][2]float64{}
	var keys []string
	keys = append(keys, unitOrder...)
	slices.SortStableFunc(keys, func(a, b string) int { return natural.Compare(p.units[a].name, p.units[b].name) })
	for _, k := range keys {
		if p.ctx.Err() != nil {
			return
		}
		w, h := p.measureUnit(p.units[k], texts)
		sizes[k] = [2]float64{w, h}
	}
	// Which block each unit goes to.
	for _, n := range p.nets {
		p.blocks[n.ID] = &blockPlan{net: n, kind: unitAttached}
	}
	none := &blockPlan{title: "--net none: loopback only", kind: unitNone}
	stopped := &blockPlan{title: "not running (drawn with --all)", kind: unitStopped}
	for _, k := range keys {
		u := p.units[k]
		switch {
		case u.kind == unitStopped:
			stopped.members = append(stopped.members, u)
		case u.kind == unitNone || len(u.nets) == 0:
			none.members = append(none.members, u)
		case len(u.nets) > 1 && full:
			p.zone = append(p.zone, u)
		default:
			b := p.blocks[u.nets[0]]
			b.members = append(b.members, u)
		}
	}
	var blocks []*blockPlan
	for _, n := range p.nets {
		blocks = append(blocks, p.blocks[n.ID])
	}
	for _, b := range []*blockPlan{none, stopped} {
		if len(b.members) > 0 {
			blocks = append(blocks, b)
		}
	}
	p.blockOrder = blocks
	// Header and band sizes do not depend on the grid.
	p.headerH = p.measureHeader(texts)
	p.planBand(texts)
	p.planLegend()
	if p.sticky != nil {
		p.arrangeSticky(blocks, texts, sizes)
		return
	}

	// Try grid heights (max rows per block) and shelf counts; keep the
	// arrangement that fits the screen at the largest scale.
	maxMembers := 1
	for _, b := range blocks {
		maxMembers = max(maxMembers, len(b.members))
	}
	type choice struct {
		rows, shelves int
		scale         float64
	}
	best := choice{scale: -1}
	maxShelves := max(1, len(blocks))
	for rows := 1; rows <= maxMembers && p.ctx.Err() == nil; rows++ {
		for shelves := 1; shelves <= maxShelves; shelves++ {
			p.arrange(blocks, rows, shelves, texts, sizes)
			s := math.Min(screenW/p.W, screenH/p.H)
			if s > best.scale+1e-9 {
				best = choice{rows, shelves, s}
			}
		}
	}
	p.arrange(blocks, best.rows, best.shelves, texts, sizes)
	p.fitScale = best.scale
	p.bestRows = best.rows
}

func (p *topoPlan) measureHeader(texts []*topoText) float64 {
	h := lineHeight(sizeHeading) + lineHeight(sizeText) + 6
	if p.detail == DetailCompact {
		h += lineHeight(sizeSmall)
	}
	for _, t := range texts {
		w, _ := linesSize(headerLines(p, t, frameOpts{title: strings.Repeat("M", 48)}))
		p.headerW = max(p.headerW, w)
	}
	return h
}

// planBand sizes the host band's boxes (positions come in arrange).
func (p *topoPlan) planBand(texts []*topoText) {
	seen := map[string]bool{}
	add := func(it *bandItem) {
		if seen[it.id] {
			return
		}
		seen[it.id] = true
		p.bandItems = append(p.bandItems, it)
	}
	for _, m := range p.models {
		x := p.index(m)
		if up := x.Interface(m.Host.Uplink); up != nil {
			id := up.ID
			add(&bandItem{id: string(id), fill: "#EDEDED", fg: "#111111", role: "uplink", uplink: true, lines: func(t *topoText) []tline {
				if i := t.x.Interface(id); i != nil {
					return deviceLines(i, "uplink", "#111111", subColor)
				}
				return nil
			}})
		}
	}
	for _, m := range p.models {
		x := p.index(m)
		for _, i := range x.InterfacesIn(graph.HostNamespaceID) {
			if i.ID == m.Host.Uplink || p.isNetworkDevice(m, x, i) || !showHostInterface(x, i) {
				continue
			}
			id := i.ID
			add(&bandItem{id: string(id), fill: "#FFFFFF", fg: "#111111", lines: func(t *topoText) []tline {
				if i := t.x.Interface(id); i != nil {
					return deviceLines(i, string(i.Kind), "#111111", subColor)
				}
				return nil
			}})
		}
	}
	for _, m := range p.models {
		for _, pt := range m.Ports {
			id := pt.ID
			add(&bandItem{id: id, fill: portFill, fg: portColor, lines: func(t *topoText) []tline {
				for _, q := range t.m.Ports {
					if q.ID == id {
						return []tline{{btxt(portHost(q)+"/"+q.Proto, sizeText, portColor)},
							{txt(fmt.Sprintf("DNAT → %s:%d", q.Container.Name(), q.ContainerPort), sizeSmall, portColor)}}
					}
				}
				return nil
			}})
		}
	}
	hostMode := false
	for _, m := range p.models {
		for _, c := range m.Containers {
			if c.Namespace == graph.HostNamespaceID {
				hostMode = true
			}
		}
	}
	if hostMode {
		add(&bandItem{id: "hostmode", fill: "#FFF8DC", fg: "#111111", lines: func(t *topoText) []tline {
			var names []string
			for _, c := range t.m.Containers {
				if c.Namespace == graph.HostNamespaceID {
					names = append(names, c.Name)
				}
			}
			if len(names) == 0 {
				return nil
			}
			slices.SortFunc(names, natural.Compare)
			return []tline{{btxt(strings.Join(names, ", "), sizeText, "#111111")}, {txt("--net host: the host's own interfaces", sizeSmall, subColor)}}
		}})
	}
	for _, it := range p.bandItems {
		w, h := 0.0, 0.0
		for _, t := range texts {
			lw, lh := linesSize(it.lines(t))
			w, h = max(w, lw), max(h, lh)
		}
		it.box = draw.Box{W: w + 2*boxPadX, H: h + 2*boxPadY}
	}
}

// isNetworkDevice reports whether a host device is drawn inside a network
// frame (a bridge, a macvlan parent, a veth end on a bridge).
func (p *topoPlan) isNetworkDevice(m *graph.Model, x *graph.Index, i *graph.Interface) bool {
	for _, n := range m.Networks {
		if n.Bridge == i.ID || (n.Parent == i.ID && n.Parent != m.Host.Uplink) {
			return true
		}
	}
	if i.Kind == graph.KindVeth && (x.Master(i.ID) != "" || x.Peer(i.ID) != "") {
		return true
	}
	return false
}

func (p *topoPlan) planLegend() {
	var e []legendEntry
	has := func(f func(m *graph.Model) bool) bool {
		return slices.ContainsFunc(p.models, f)
	}
	veth := has(func(m *graph.Model) bool {
		return slices.ContainsFunc(m.Edges, func(e graph.Edge) bool { return e.Kind == graph.EdgeVethPeer })
	})
	if veth {
		if p.detail == DetailFull {
			e = append(e, legendEntry{kind: "veth", text: "veth pair: host end (named on the line) on the bridge ↔ the container's interface"})
		} else {
			e = append(e, legendEntry{kind: "veth", text: "veth pair to the bridge (host-end names folded)"})
		}
	} else if has(func(m *graph.Model) bool {
		return slices.ContainsFunc(m.Containers, func(c *graph.Container) bool { return len(c.Endpoints) > 0 && c.Namespace != graph.HostNamespaceID })
	}) {
		e = append(e, legendEntry{kind: "veth", text: "attached to the network (Docker's endpoint)"})
	}
	if has(func(m *graph.Model) bool {
		return slices.ContainsFunc(m.Networks, func(n *graph.Network) bool { return n.Driver == "macvlan" || n.Driver == "ipvlan" })
	}) {
		e = append(e, legendEntry{kind: "macvlan", text: "macvlan: the interface sits on the parent itself (no bridge, no veth)"})
	}
	if p.hasNAT() {
		e = append(e, legendEntry{kind: "nat", text: "NAT: traffic leaving a bridge is masqueraded out through the uplink"})
	}
	if has(func(m *graph.Model) bool {
		return slices.ContainsFunc(m.Containers, func(c *graph.Container) bool { return len(linksOf(c)) > 0 })
	}) {
		e = append(e, legendEntry{kind: "link", text: "--link: the container's /etc/hosts names the target"})
	}
	if has(func(m *graph.Model) bool { return len(m.Ports) > 0 }) {
		e = append(e, legendEntry{kind: "port", text: "published port (-p): the host's port DNATs to the container"})
	}
	if has(func(m *graph.Model) bool {
		t := p.text(m)
		return slices.ContainsFunc(m.Networks, func(n *graph.Network) bool { return len(t.aliasNotes(n.ID)) > 0 })
	}) {
		e = append(e, legendEntry{kind: "alias", text: "network alias: the embedded DNS answers with every member"})
	}
	if has(func(m *graph.Model) bool {
		return slices.ContainsFunc(m.Networks, func(n *graph.Network) bool { return n.Internal && wired(n) })
	}) {
		e = append(e, legendEntry{kind: "internal", text: "dashed frame: --internal network, no way out"})
	}
	if p.detail == DetailCompact {
		// Compact frames carry a badge's word only: the legend says it.
		seen := map[string]bool{}
		for _, m := range p.models {
			t := p.text(m)
			for _, n := range p.nets {
				if cur := t.x.Network(n.ID); cur != nil {
					for _, bg := range t.badges(cur) {
						if !seen[bg.word] && !strings.HasPrefix(bg.word, "MACVLAN") && !strings.HasPrefix(bg.word, "IPVLAN") {
							seen[bg.word] = true
							e = append(e, legendEntry{kind: "badge", text: bg.word + ": " + bg.text, color: bg.color})
						}
					}
				}
			}
		}
	}
	if len(p.nets) > 0 {
		e = append(e, legendEntry{kind: "colour", text: "a network's colour marks its frame, bridge, lines and interface names"})
	}
	if has(func(m *graph.Model) bool {
		return slices.ContainsFunc(m.Containers, func(c *graph.Container) bool { return c.Namespace == "" })
	}) {
		e = append(e, legendEntry{kind: "stopped", text: "dashed grey box: a container that is not running"})
	}
	if len(p.models) > 1 {
		e = append(e, legendEntry{kind: "added", text: "added by this step"}, legendEntry{kind: "removed", text: "removed by this step"})
	}
	p.legend = e
}

func (p *topoPlan) hasNAT() bool {
	for _, m := range p.models {
		if m.Host.Uplink == "" {
			continue
		}
		for _, n := range m.Networks {
			if !n.Internal && n.Bridge != "" && n.Driver == "bridge" {
				return true
			}
		}
	}
	return false
}

// badgeLine is a badge as a frame shows it: its word and sentence, or in
// compact frames the word only (the legend has the sentence).
func (p *topoPlan) badgeLine(b badge) tline {
	if p.detail == DetailCompact {
		return tline{btxt(b.word, sizeSmall, "#FFFFFF")}
	}
	return b.line()
}

// legendItemW is the width of one legend entry: sample and text.
func legendItemW(e legendEntry) float64 { return 34 + draw.TextWidth(e.text, sizeSmall, false) + 18 }

// arrange places everything for a given grid height and shelf count and
// sets p.W, p.H.
func (p *topoPlan) arrange(blocks []*blockPlan, maxRows, shelves int, texts []*topoText, sizes map[string][2]float64) {
	full := p.detail == DetailFull
	// Block sizes.
	for _, b := range blocks {
		b.rowGap, b.colGap = 12, 12
		if full {
			b.rowGap, b.colGap = 32, 18
		}
		b.cellW, b.cellH = 0, 0
		for _, u := range b.members {
			s := sizes[u.key]
			b.cellW, b.cellH = max(b.cellW, s[0]), max(b.cellH, s[1])
		}
		n := len(b.members)
		b.rows, b.cols = 0, 0
		if b.grid != nil {
			b.cols, b.rows = b.grid.cols, b.grid.rows
			b.cellW, b.cellH = max(b.cellW, b.grid.cellW), max(b.cellH, b.grid.cellH)
		} else if n > 0 {
			b.cols = (n + maxRows - 1) / maxRows
			b.rows = (n + b.cols - 1) / b.cols
		}
		if !b.sized { // the header does not depend on the grid
			b.headerW, b.headerH = p.blockHeaderSize(b, texts)
			b.sized = true
		}
		hw := b.headerW
		gridW := float64(b.cols)*b.cellW + float64(max(0, b.cols-1))*b.colGap
		b.box.W = max(hw, gridW) + blockPadL + blockPadR
		b.box.H = blockPadT + b.headerH + float64(b.rows)*(b.rowGap+b.cellH) + 14
		b.exits = 0
	}
	for _, z := range p.zone {
		for _, n := range z.nets {
			p.blocks[n].exits++
		}
	}
	for _, b := range blocks {
		if b.exits > 0 {
			b.box.H += 14
			b.box.W = max(b.box.W, blockPadL+float64(b.exits)*16+blockPadR+20)
		}
	}
	// Shelves: fill each up to about a 1/shelves share of the total width.
	total := 0.0
	for _, b := range blocks {
		total += b.box.W + blockGap
	}
	target := total / float64(shelves)
	var rows [][]*blockPlan
	if p.sticky != nil {
		rows = p.stickyShelves(blocks)
	} else {
		var cur []*blockPlan
		w := 0.0
		for _, b := range blocks {
			if len(cur) > 0 && w+b.box.W > target+1 && len(rows) < shelves-1 {
				rows = append(rows, cur)
				cur, w = nil, 0
			}
			cur = append(cur, b)
			w += b.box.W + blockGap
		}
		if len(cur) > 0 {
			rows = append(rows, cur)
		}
	}
	// Band: boxes in a row, wrapped at the shelves' width.
	shelfW := 0.0
	for _, r := range rows {
		sw := -blockGap
		for _, b := range r {
			sw += b.box.W + blockGap
		}
		shelfW = max(shelfW, sw)
	}
	zoneW := 0.0
	for _, u := range p.zone {
		zoneW += sizes[u.key][0] + 40
	}
	contentW := max(shelfW, zoneW, p.headerW, 420)
	y := margin + p.headerH
	bandTop := y
	y += lineHeight(sizeSmall) + 8 // the band's own title
	x := margin + 12
	rowH := 0.0
	bandW := 0.0
	for _, it := range p.bandItems {
		if x > margin+12 && x+it.box.W > margin+contentW {
			x = margin + 12
			y += rowH + 10
			rowH = 0
		}
		it.box.X, it.box.Y = x, y
		x += it.box.W + 14
		bandW = max(bandW, x-margin)
		rowH = max(rowH, it.box.H)
	}
	y += rowH + 10
	contentW = max(contentW, bandW)
	p.band = draw.Box{X: margin, Y: bandTop, W: contentW, H: y - bandTop}
	// NAT lanes under the band: one per shelf below the first is routed
	// down the left margin.
	// The NAT rail runs in the gap under the band, its label clear of
	// the band's border.
	p.railY = p.band.Bottom() + 17
	y = p.band.Bottom() + 31
	// Lines from frames above the last shelf to the multi-homed zone run
	// in the gap under their shelf: make room for them.
	shelfOf := map[graph.NetworkID]int{}
	for si, r := range rows {
		for _, b := range r {
			if b.net != nil {
				shelfOf[b.net.ID] = si
			}
		}
	}
	upLinks := make([]int, len(rows))
	for _, u := range p.zone {
		for _, n := range u.nets {
			if si := shelfOf[n]; si < len(rows)-1 {
				upLinks[si]++
			}
		}
	}
	shelfBottom := make([]float64, len(rows))
	for si, r := range rows {
		x := margin
		h := 0.0
		for _, b := range r {
			b.box.X, b.box.Y = x, y
			b.shelf = si
			x += b.box.W + blockGap
			h = max(h, b.box.H)
		}
		for _, b := range r {
			b.box.H = h // a shelf's frames share a height: tidier rows
			p.placeBlock(b, texts)
		}
		shelfBottom[si] = y + h
		y += h + 26
		if si < len(rows)-1 {
			y += 7 * float64(upLinks[si])
		}
	}
	corridors := 0
	// Multi-homed zone.
	p.zoneExits = nil
	if len(p.zone) > 0 {
		nLinks := 0
		for _, u := range p.zone {
			nLinks += len(u.nets)
		}
		laneTop := y - 26 + 12
		zoneTop := laneTop + float64(nLinks)*7 + 30
		x := margin
		zh := 0.0
		exitN := map[graph.NetworkID]int{}
		shelfN := make([]int, len(rows))
		k := 0
		for _, u := range p.zone {
			s := sizes[u.key]
			p.boxes[u.key] = draw.Box{X: x, Y: zoneTop, W: s[0], H: s[1]}
			x += s[0] + 40
			zh = max(zh, s[1])
			for i, n := range u.nets {
				b := p.blocks[n]
				ex := b.box.X + blockPadL + 8 + float64(exitN[n])*16
				exitN[n]++
				z := zoneLink{u: u, net: n, idx: i, exit: ex, lane: laneTop + float64(k)*7}
				if si := shelfOf[n]; si < len(rows)-1 {
					z.shelfLane = shelfBottom[si] + 10 + 7*float64(shelfN[si])
					shelfN[si]++
					z.corridor = margin + contentW + 12 + 7*float64(corridors)
					corridors++
				}
				p.zoneExits = append(p.zoneExits, z)
				k++
			}
		}
		y = zoneTop + zh + 26
	}
	// Legend: entries in rows.
	p.legendY = y
	lx := margin
	lh := lineHeight(sizeSmall) + 6
	rowsN := 1
	for _, e := range p.legend {
		if lx > margin && lx+legendItemW(e) > margin+contentW {
			lx = margin
			rowsN++
		}
		lx += legendItemW(e)
	}
	if len(p.legend) > 0 {
		y += lineHeight(sizeSmall) + 4 + float64(rowsN)*lh
	}
	p.W = contentW + 2*margin
	if corridors > 0 {
		p.W += 12 + 7*float64(corridors)
	}
	p.H = y + margin
}

// blockHeaderSize is the width and height of a block's header: title and
// subnet lines, badges and alias notes on the left, the bridge box at the
// right.
func (p *topoPlan) blockHeaderSize(b *blockPlan, texts []*topoText) (w, h float64) {
	var left, right [2]float64
	for _, t := range texts {
		lines := p.blockLeftLines(b, t)
		lw, lh := linesSize(lines)
		left[0], left[1] = max(left[0], lw), max(left[1], lh)
		if b.net != nil {
			for _, bg := range t.badges(b.net) {
				left[0] = max(left[0], p.badgeLine(bg).width()+16)
			}
			nb := len(t.badges(b.net))
			left[1] = max(left[1], lh+float64(nb)*(lineHeight(sizeSmall)+5))
			bw, bh := p.bridgeSize(b.net, t)
			right[0], right[1] = max(right[0], bw), max(right[1], bh)
		}
	}
	// Alias notes: a slot per name seen in any model, each as big as
	// its largest text, stacked under the badges.
	if b.net != nil {
		b.notes = map[string]draw.Box{}
		var ids []string
		size := map[string][2]float64{}
		for _, t := range texts {
			for _, nm := range t.aliasNotes(b.net.ID) {
				lw, lh := linesSize(t.aliasLines(nm))
				if _, ok := size[nm.ID]; !ok {
					ids = append(ids, nm.ID)
				}
				s := size[nm.ID]
				size[nm.ID] = [2]float64{max(s[0], lw+2*boxPadX), max(s[1], lh+2*boxPadY)}
			}
		}
		y := left[1]
		for _, id := range ids {
			s := size[id]
			b.notes[id] = draw.Box{X: 0, Y: y + 3, W: s[0], H: s[1]}
			left[0] = max(left[0], s[0])
			y += s[1] + 6
		}
		left[1] = y
	}
	gap := 0.0
	if right[0] > 0 {
		gap = 20
	}
	return left[0] + gap + right[0], max(left[1], right[1]) + 10
}

func (p *topoPlan) blockLeftLines(b *blockPlan, t *topoText) []tline {
	if b.net == nil {
		return []tline{{btxt(b.title, sizeNetwork, "#444444")}}
	}
	n := t.x.Network(b.net.ID)
	if n == nil {
		n = b.net
	}
	return t.networkHeader(n)
}

// bridgeLines is the text of a network's bridge (or parent) box.
func (p *topoPlan) bridgeLines(n *graph.Network, t *topoText) (lines []tline, dev bool) {
	if br := t.x.Interface(n.Bridge); br != nil {
		return deviceLines(br, "bridge", "#FFFFFF", "#FFFFFF"), true
	}
	if par := t.x.Interface(n.Parent); par != nil {
		return deviceLines(par, n.Driver+" parent", "#FFFFFF", "#FFFFFF"), true
	}
	if n.BridgeName != "" {
		return []tline{{btxt(n.BridgeName, sizeText, "#FFFFFF"), txt("  bridge", sizeSmall, "#FFFFFF")}}, true
	}
	if n.ParentName != "" {
		return []tline{{btxt(n.ParentName, sizeText, "#FFFFFF"), txt("  "+n.Driver+" parent", sizeSmall, "#FFFFFF")}}, true
	}
	return nil, false
}

func (p *topoPlan) bridgeSize(n *graph.Network, t *topoText) (w, h float64) {
	lines, ok := p.bridgeLines(n, t)
	if !ok {
		return 0, 0
	}
	lw, lh := linesSize(lines)
	return lw + 2*boxPadX, lh + 2*boxPadY
}

// placeBlock positions a block's bridge box, notes and member boxes.
func (p *topoPlan) placeBlock(b *blockPlan, texts []*topoText) {
	if b.net != nil {
		if !b.bridgeSized {
			for _, t := range texts {
				w, h := p.bridgeSize(b.net, t)
				b.bridgeW, b.bridgeH = max(b.bridgeW, w), max(b.bridgeH, h)
			}
			b.bridgeSized = true
		}
		bw, bh := b.bridgeW, b.bridgeH
		if bw > 0 {
			b.bridge = draw.Box{X: b.box.Right() - blockPadR - bw, Y: b.box.Y + blockPadT, W: bw, H: bh}
		} else {
			b.bridge = draw.Box{}
		}
	}
	b.gridTop = b.box.Y + blockPadT + b.headerH
	for i, u := range b.members {
		r, c := b.rc(i)
		p.boxes[u.key] = draw.Box{
			X: b.box.X + blockPadL + float64(c)*(b.cellW+b.colGap),
			Y: b.gridTop + float64(r)*(b.rowGap+b.cellH) + b.rowGap,
			W: b.cellW, H: b.cellH,
		}
	}
}

// rc is the row and column of the block's i-th member.
func (b *blockPlan) rc(i int) (r, c int) {
	if b.grid != nil {
		if at, ok := b.grid.at[b.members[i].key]; ok {
			return at[0], at[1]
		}
	}
	return i / b.cols, i % b.cols
}

// sortedUnits lists the plan's units by name as people count.
func (p *topoPlan) sortedUnits() []*unit {
	out := make([]*unit, 0, len(p.units))
	for _, u := range p.units {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *unit) int {
		if c := natural.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return out
}

func cmpInt(a, b int) int { return cmp.Compare(a, b) }
