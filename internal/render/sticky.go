package render

// Sticky layout: a live picture (netviz serve) is drawn again each time
// the host changes, and a person watching it must not have to look for
// the containers they were looking at. A Memory keeps the last layout of
// a host and plans the next model into it: every frame keeps its shelf
// and its place in the row, every container its row and column in its
// frame, every network its colour. A container that goes leaves a hole;
// one that comes fills the first hole of its frame, or the frame grows by
// a row or a column (as a fresh layout of the new model would shape it),
// which moves only the frames after it. When keeping places costs too
// much — the kept layout's smallest text is under 10 px on a 1920×1080
// screen and it fits at less than reflowAt of a fresh layout's scale —
// the picture is laid out afresh and the Memory counts a reflow. Cells
// never shrink while a frame lives, so a short name does not pull its
// neighbours in; a longer one widens its frame's cells.

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
)

// reflowAt is the share of a fresh layout's scale below which a kept
// layout whose text has become small is given up for a fresh one.
const reflowAt = 0.8

// Memory remembers a picture's last layout so the next model of the same
// host keeps every object where it was. Give one Memory to every picture
// of one view (Options.Memory); it is safe for concurrent use. The zero
// value is ready.
type Memory struct {
	mu      sync.Mutex
	last    *memo
	reflows int
}

// Reflows is how many times a model was laid out afresh because keeping
// the previous places would have shrunk the picture too much.
func (mem *Memory) Reflows() int {
	mem.mu.Lock()
	defer mem.mu.Unlock()
	return mem.reflows
}

// memo is what a Memory keeps of a plan.
type memo struct {
	requested Detail // the detail asked for (auto too)
	detail    Detail // the detail drawn
	color     map[graph.NetworkID]int
	blocks    []string // block keys in drawn order
	shelf     map[string]int
	grid      map[string]*gridPos
	zone      []string // multi-homed unit keys, left to right
}

// gridPos is a frame's grid: its size and each member's row and column.
type gridPos struct {
	cols, rows   int
	cellW, cellH float64
	at           map[string][2]int
}

// blockKey names a frame across models.
func blockKey(b *blockPlan) string {
	if b.net != nil {
		return string(b.net.ID)
	}
	return "special:" + b.title
}

// plan lays out m, keeping the places of the Memory's last layout when
// that costs little, and remembers the result.
func (mem *Memory) plan(ctx context.Context, m *graph.Model, d Detail) *topoPlan {
	if d == "" {
		d = DetailAuto
	}
	mem.mu.Lock()
	defer mem.mu.Unlock()
	indexes := map[*graph.Model]*graph.Index{}
	fresh := planWith(ctx, []*graph.Model{m}, d, indexes)
	last := mem.last
	p := fresh
	if last != nil && last.requested == d && ctx.Err() == nil {
		kept := planSticky(ctx, m, last, fresh, indexes)
		// Kept while its smallest text stays readable (≥ 10 px on the
		// screen) or it is nearly as large as a fresh layout.
		keep := kept.fitScale >= fullFit || kept.fitScale >= reflowAt*fresh.fitScale
		if d == DetailAuto && kept.detail == DetailFull && kept.fitScale < fullFit {
			keep = false // full detail would no longer be readable
		}
		if keep {
			p = kept
		} else {
			mem.reflows++
		}
	}
	p.color = stableColors(last, p)
	if ctx.Err() == nil { // a plan cut short is not a layout to keep
		mem.last = remember(p, d)
	}
	return p
}

// planSticky lays out m into last's places; fresh is m's own layout,
// which says how a frame that fills should grow.
func planSticky(ctx context.Context, m *graph.Model, last *memo, fresh *topoPlan, indexes map[*graph.Model]*graph.Index) *topoPlan {
	p := &topoPlan{ctx: ctx, detail: last.detail, models: []*graph.Model{m}, order: map[graph.NetworkID]int{},
		units: map[string]*unit{}, blocks: map[graph.NetworkID]*blockPlan{}, boxes: map[string]draw.Box{},
		indexes: indexes, sticky: last, guide: fresh}
	// Known networks in their old order, then new ones as a fresh
	// layout orders them.
	rank := map[string]int{}
	for i, k := range last.blocks {
		rank[k] = i
	}
	p.nets = networkOrder(m.Networks)
	slices.SortStableFunc(p.nets, func(a, b *graph.Network) int {
		ra, oka := rank[string(a.ID)]
		rb, okb := rank[string(b.ID)]
		switch {
		case oka && okb:
			return cmp.Compare(ra, rb)
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	for i, n := range p.nets {
		p.order[n.ID] = i
	}
	var keys []string
	for _, u := range unitsOf(m, p.index(m), p.order) {
		p.units[u.key] = u
		keys = append(keys, u.key)
	}
	p.layout(keys)
	return p
}

// arrangeSticky places the frames' members at their remembered cells,
// newcomers in the first holes, and the frames on their shelves. A frame
// that is full grows by a row or a column, whichever fits the picture to
// the screen larger.
func (p *topoPlan) arrangeSticky(blocks []*blockPlan, texts []*topoText, sizes map[string][2]float64) {
	// Each frame on its old shelf, a new one on the last.
	p.shelfOf = map[string]int{}
	n := 0
	for _, s := range p.sticky.shelf {
		n = max(n, s+1)
	}
	for _, b := range blocks {
		s, ok := p.sticky.shelf[blockKey(b)]
		if !ok {
			s = max(0, n-1)
		}
		p.shelfOf[blockKey(b)] = s
	}
	guideCols := map[string]int{}
	for _, b := range p.guide.blockOrder {
		guideCols[blockKey(b)] = b.cols
	}
	waiting := map[*blockPlan][]*unit{}
	for _, b := range blocks {
		g, newcomers := keepGrid(b.members, p.sticky.grid[blockKey(b)])
		if g.cols == 0 && len(newcomers) > 0 {
			// A new frame: as wide as a fresh layout makes it.
			g.cols = max(1, guideCols[blockKey(b)])
			g.rows = (len(newcomers) + g.cols - 1) / g.cols
		}
		b.grid = g
		waiting[b] = fillGrid(g, newcomers)
	}
	scale := func() float64 {
		p.arrange(blocks, 1, 1, texts, sizes)
		return min(screenW/p.W, screenH/p.H)
	}
	changed := len(blocks) != len(p.sticky.blocks)
	for _, b := range blocks {
		old := p.sticky.grid[blockKey(b)]
		changed = changed || old == nil || len(waiting[b]) > 0 || len(b.grid.at) != len(old.at)
	}
	// A frame that is full grows by a column or a row, whichever fits
	// the picture larger once the shelves have settled.
	for _, b := range blocks {
		for len(waiting[b]) > 0 && p.ctx.Err() == nil {
			g := b.grid
			before := maps.Clone(p.shelfOf)
			g.cols++
			wide := p.settleShelves(blocks, scale)
			wideShelves := p.shelfOf
			p.shelfOf = maps.Clone(before)
			g.cols--
			g.rows++
			if tall := p.settleShelves(blocks, scale); wide > tall {
				g.rows--
				g.cols++
				p.shelfOf = wideShelves
			}
			waiting[b] = fillGrid(g, waiting[b])
		}
		trimGrid(b.grid)
		slices.SortStableFunc(b.members, func(u, v *unit) int {
			a, c := b.grid.at[u.key], b.grid.at[v.key]
			return cmp.Or(cmp.Compare(a[0], c[0]), cmp.Compare(a[1], c[1]))
		})
	}
	zrank := map[string]int{}
	for i, k := range p.sticky.zone {
		zrank[k] = i
	}
	slices.SortStableFunc(p.zone, func(u, v *unit) int {
		ru, oku := zrank[u.key]
		rv, okv := zrank[v.key]
		switch {
		case oku && okv:
			return cmp.Compare(ru, rv)
		case oku:
			return -1
		case okv:
			return 1
		}
		return 0
	})
	if changed {
		p.settleShelves(blocks, scale)
	}
	p.fitScale = scale()
}

// settleShelves moves frames between neighbouring shelves while that
// fits the picture to the screen larger by 2% or more: a shelf's last
// frame down to the start of the next, or a shelf's first frame up to
// the end of the one above. It returns the scale reached.
func (p *topoPlan) settleShelves(blocks []*blockPlan, scale func() float64) float64 {
	p.compactShelves(blocks)
	best := scale()
	for range 2 * len(blocks) {
		if p.ctx.Err() != nil {
			break
		}
		var move string
		by := 0
		try := func(k string, d int) {
			p.shelfOf[k] += d
			if s := scale(); s > best*1.02 {
				best, move, by = s, k, d
			}
			p.shelfOf[k] -= d
		}
		for i, shelf := range p.stickyShelves(blocks) {
			if len(shelf) > 1 {
				try(blockKey(shelf[len(shelf)-1]), +1)
			}
			if i > 0 {
				try(blockKey(shelf[0]), -1)
			}
		}
		if move == "" {
			break
		}
		p.shelfOf[move] += by
		p.compactShelves(blocks)
	}
	return best
}

// compactShelves numbers the shelves in use 0, 1, 2… in order.
func (p *topoPlan) compactShelves(blocks []*blockPlan) {
	for i, shelf := range p.stickyShelves(blocks) {
		for _, b := range shelf {
			p.shelfOf[blockKey(b)] = i
		}
	}
}

// keepGrid starts a frame's grid from its old one: the members that were
// in it keep their cells; the others are returned to be placed.
func keepGrid(members []*unit, old *gridPos) (*gridPos, []*unit) {
	g := &gridPos{at: map[string][2]int{}}
	if old == nil {
		return g, members
	}
	g.cols, g.rows, g.cellW, g.cellH = old.cols, old.rows, old.cellW, old.cellH
	var newcomers []*unit
	for _, u := range members {
		if at, ok := old.at[u.key]; ok {
			g.at[u.key] = at
			continue
		}
		newcomers = append(newcomers, u)
	}
	return g, newcomers
}

// fillGrid puts units in the grid's free cells, row by row, and returns
// those that did not fit.
func fillGrid(g *gridPos, units []*unit) []*unit {
	used := map[[2]int]bool{}
	for _, at := range g.at {
		used[at] = true
	}
	for len(units) > 0 {
		at, ok := firstFree(used, g.rows, g.cols)
		if !ok {
			break
		}
		g.at[units[0].key] = at
		used[at] = true
		units = units[1:]
	}
	return units
}

// trimGrid drops empty last rows and columns.
func trimGrid(g *gridPos) {
	rows, cols := 0, 0
	for _, at := range g.at {
		rows, cols = max(rows, at[0]+1), max(cols, at[1]+1)
	}
	g.rows, g.cols = min(g.rows, rows), min(g.cols, cols)
}

// firstFree is the first unused cell of a rows×cols grid, row by row.
func firstFree(used map[[2]int]bool, rows, cols int) ([2]int, bool) {
	for r := range rows {
		for c := range cols {
			if !used[[2]int{r, c}] {
				return [2]int{r, c}, true
			}
		}
	}
	return [2]int{}, false
}

// stickyShelves puts each frame on its shelf (p.shelfOf), keeping the
// frames' order.
func (p *topoPlan) stickyShelves(blocks []*blockPlan) [][]*blockPlan {
	n := 1
	for _, b := range blocks {
		n = max(n, p.shelfOf[blockKey(b)]+1)
	}
	shelves := make([][]*blockPlan, n)
	for _, b := range blocks {
		s := p.shelfOf[blockKey(b)]
		shelves[s] = append(shelves[s], b)
	}
	return slices.DeleteFunc(shelves, func(r []*blockPlan) bool { return len(r) == 0 })
}

// stableColors keeps each network's colour from the last layout; a new
// network takes the first palette colour no present network has.
func stableColors(last *memo, p *topoPlan) map[graph.NetworkID]int {
	out := map[graph.NetworkID]int{}
	used := map[int]bool{}
	if last != nil {
		for _, n := range p.nets {
			if i, ok := last.color[n.ID]; ok {
				out[n.ID] = i
				used[i%len(palette)] = true
			}
		}
	}
	next := 0
	for _, n := range p.nets {
		if _, ok := out[n.ID]; ok {
			continue
		}
		for used[next%len(palette)] && next < len(palette) {
			next++
		}
		out[n.ID] = next
		used[next%len(palette)] = true
		next++
	}
	return out
}

// remember is what a Memory keeps of p.
func remember(p *topoPlan, requested Detail) *memo {
	m := &memo{requested: requested, detail: p.detail, color: p.color,
		shelf: map[string]int{}, grid: map[string]*gridPos{}}
	for _, b := range p.blockOrder {
		k := blockKey(b)
		m.blocks = append(m.blocks, k)
		m.shelf[k] = b.shelf
		g := &gridPos{cols: b.cols, rows: b.rows, cellW: b.cellW, cellH: b.cellH, at: map[string][2]int{}}
		for i, u := range b.members {
			r, c := b.rc(i)
			g.at[u.key] = [2]int{r, c}
		}
		m.grid[k] = g
	}
	for _, u := range p.zone {
		m.zone = append(m.zone, u.key)
	}
	return m
}
