// Package matrix draws the reachability matrix of `netviz reach -o`: rows
// and columns grouped by network, one look per outcome, a legend of those
// present, as SVG or PNG through internal/draw.
package matrix

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/natural"
	"github.com/netviz/netviz/internal/render"
)

// Grid is the reachability matrix as a picture: one row per client, one
// column per target address, each cell what was measured. GridScene lays
// it out; rows and columns are grouped under their network and sorted
// naturally (c2 before c10) inside a group, whatever order they come in.
type Grid struct {
	// Title heads the picture ("reach on vm"); a caption under it says how
	// many clients, targets and pairs of each outcome are drawn.
	Title string
	Rows  []GridRow
	Cols  []GridCol
	// Cells[r][c] is row r's measurement of column c; a zero cell (no
	// Look) is a pair that was not part of the matrix and is left blank.
	Cells [][]GridCell
}

// GridRow is a client.
type GridRow struct {
	Name string
	// Networks are those its namespace is on ("host" for --net host); the
	// row sits under a header naming them, " + " between (none: "none").
	// Groups of one network come first, then those of several, then host
	// and none, each kind in natural order.
	Networks []string
}

// Group is the header the row sits under.
func (r GridRow) Group() string {
	if len(r.Networks) == 0 {
		return "none"
	}
	nets := slices.Clone(r.Networks)
	slices.SortFunc(nets, natural.Compare)
	return strings.Join(slices.Compact(nets), " + ")
}

// GridCol is a target address, labelled "Name (Addr) @ Network" and
// grouped under Network.
type GridCol struct {
	Name, Addr, Network string
}

// Label is the column's full label.
func (c GridCol) Label() string {
	return c.Name + " (" + c.Addr + ") @ " + c.Network
}

// Look is what a measurement came to, as the matrix draws it.
type Look string

// Looks, one per outcome of a probe. Timeout and Unreachable are both
// "blocked", drawn apart: silence is Docker's isolation dropping the packet,
// unreachable an ICMP error that came back.
const (
	LookReached     Look = "reached"
	LookTimeout     Look = "timeout"
	LookUnreachable Look = "unreachable"
	LookNotMeasured Look = "not-measured"
	LookFailed      Look = "failed"
)

// GridCell is one client × target pair.
type GridCell struct {
	Look Look
	// Unexpected is set when the measurement contradicts the model: the
	// cell stands out whatever its Look.
	Unexpected bool
	// Tip is the cell's tooltip: the pair, what was measured and why the
	// model expects what it does.
	Tip string
}

// Outcome is the cell's data-outcome: its Look, or "unexpected".
func (c GridCell) Outcome() string {
	if c.Unexpected {
		return "unexpected"
	}
	return string(c.Look)
}

// The matrix's sizes, in pixels. Every text is mxFont high except the
// title: the sizes of cells are chosen so that a picture of up to about 50
// containers fits mxFitW×mxFitH with its text at least mxMinText high.
const (
	mxFont      = 12.0
	mxTitleFont = 16.0
	mxPad       = 16.0
	mxGap       = 6.0  // between a label and what it labels, and between groups
	mxMaxLabel  = 44   // runes; a longer label is shortened with … (the tooltip has it all)
	mxMinCellH  = 17.0 // a row holds mxFont text with a little air
	mxMaxCellH  = 24.0
	mxMinCellW  = 22.0 // a cell holds "!" and a mark side by side
	mxFitW      = 1920.0
	mxFitH      = 1080.0
	mxMinText   = 10.0
	mxLaneH     = mxFont * 1.75
)

// mxStyle is how a look is drawn.
type mxStyle struct {
	fill, stroke, ink string
	strokeW           float64
	dash              []float64
	mark              string // "check" or a glyph of the embedded font
	legend            string
}

var mxStyles = map[Look]mxStyle{
	// Okabe–Ito colours (safe for the common colour-vision deficiencies),
	// each look with a mark of its own so that colour is never the only cue.
	LookReached:     {fill: "#009E73", ink: "#FFFFFF", mark: "check", legend: "reached, as the model predicts"},
	LookTimeout:     {fill: "#D9D9D9", ink: "#222222", mark: "○", legend: "blocked as predicted: no reply (dropped silently, timeout)"},
	LookUnreachable: {fill: "#A6D4F2", ink: "#0B2E4A", mark: "×", legend: "blocked as predicted: ICMP unreachable came back"},
	LookNotMeasured: {fill: "#FFFFFF", stroke: "#8C8C8C", strokeW: 1, dash: []float64{3, 2}, ink: "#6E6E6E", mark: "–", legend: "not measured: no probe was sent (hover for why)"},
	LookFailed:      {fill: "#E69F00", ink: "#000000", mark: "?", legend: "could not run: the probe itself failed (hover for why)"},
}

// mxUnexpected is the look of a contradiction: strong red, a thick black
// border and "!" beside the mark of what was measured.
var mxUnexpected = mxStyle{fill: "#D7191C", stroke: "#000000", strokeW: 2.5, ink: "#FFFFFF"}

var mxUnexpectedLegend = map[Look]string{
	LookReached:     "UNEXPECTED: reached, but the model predicts blocked",
	LookTimeout:     "UNEXPECTED: no reply, but the model predicts reached",
	LookUnreachable: "UNEXPECTED: ICMP unreachable, but the model predicts reached",
}

// mxLegendOrder is the order of the legend's entries.
var mxLegendOrder = []Look{LookReached, LookTimeout, LookUnreachable, LookNotMeasured, LookFailed}

// RenderGrid draws the matrix as SVG or PNG, with netviz's own drawing
// layer (no Graphviz).
func RenderGrid(ctx context.Context, w io.Writer, g *Grid, f render.Format) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch f {
	case render.FormatSVG:
		return draw.WriteSVG(w, GridScene(g))
	case render.FormatPNG:
		return draw.WritePNGContext(ctx, w, GridScene(g), 1)
	}
	return fmt.Errorf("a matrix picture is svg or png, not %s", f)
}

// mxIndexed is a row or column with its place in the Grid.
type mxIndexed struct {
	idx         int
	label, full string // label as drawn, and in full
	group       string
	pos         float64 // top (rows) or left (columns), in pixels
}

// mxGroup is a run of rows or columns under one header.
type mxGroup struct {
	name       string
	start, end float64 // pixels
}

// GridScene lays the matrix out: a title and a caption with the counts;
// client names at the left of their rows under network headers; target
// labels turned −90° above their columns under network headers; separators
// between groups; and a legend of the looks that occur, beside or below the
// matrix, whichever lets the whole picture fit a 1920×1080 screen larger.
func GridScene(g *Grid) *draw.Scene {
	best := (*draw.Scene)(nil)
	bestFit := 0.0
	for _, below := range []bool{false, true} {
		s := mxLayout(g, below)
		if fit := mxFitScale(s.W, s.H); best == nil || fit > bestFit+1e-9 {
			best, bestFit = s, fit
		}
	}
	return best
}

// mxFitScale is the factor a W×H picture is scaled by to fit a 1920×1080
// screen whole.
func mxFitScale(w, h float64) float64 {
	return math.Min(mxFitW/w, mxFitH/h)
}

func mxLayout(g *Grid, legendBelow bool) *draw.Scene {
	rows := mxOrder(len(g.Rows), func(i int) (string, string) { return g.Rows[i].Group(), g.Rows[i].Name })
	cols := mxOrder(len(g.Cols), func(i int) (string, string) {
		return g.Cols[i].Network, g.Cols[i].Name + " (" + g.Cols[i].Addr + ")"
	})
	for _, r := range rows {
		r.full = g.Rows[r.idx].Name
		r.label = mxShorten(r.full, mxMaxLabel)
	}
	for _, c := range cols {
		c.full = g.Cols[c.idx].Label()
		c.label = mxColLabel(g.Cols[c.idx])
	}
	present := mxPresent(g)
	legend := mxLegendEntries(present)

	// Widths of what sits left of and above the cells.
	groupW := 0.0
	for _, r := range rows {
		groupW = max(groupW, draw.TextWidth(mxShorten(r.group, mxMaxLabel), mxFont, true))
	}
	rowLabelW := 0.0
	for _, r := range rows {
		rowLabelW = max(rowLabelW, draw.TextWidth(r.label, mxFont, false))
	}
	colLabelH := 0.0
	for _, c := range cols {
		colLabelH = max(colLabelH, draw.TextWidth(c.label, mxFont, false))
	}
	legendW, legendH := 0.0, 0.0
	for _, e := range legend {
		legendW = max(legendW, mxMinCellW+mxGap+draw.TextWidth(e.text, mxFont, false))
	}
	legendW = max(legendW, draw.TextWidth("Legend", mxFont, true))
	legendH = mxLaneH + float64(len(legend))*mxLegendStep

	title := g.Title
	nRowGroups, nColGroups := mxCountGroups(rows), mxCountGroups(cols)
	caption := mxCaption(present, len(rows), len(cols), nColGroups)
	y := mxPad
	titleY := y + draw.Ascent*mxTitleFont
	y += (draw.Ascent + draw.Descent) * mxTitleFont
	captionY := y + 4 + draw.Ascent*mxFont
	y = captionY + draw.Descent*mxFont + 2*mxGap
	lanesTop := y
	gridX := mxPad
	if groupW > 0 {
		gridX += groupW + 2*mxGap
	}
	gridX += rowLabelW + mxGap

	// Cell height: the tallest that keeps the picture within the screen's
	// height at mxMinText, between the bounds (one lane of column headers
	// assumed); cell width likewise, at least the height.
	fixedH := lanesTop + mxLaneH + mxGap + colLabelH + mxGap + float64(max(0, nRowGroups-1))*mxGap + mxPad
	if legendBelow {
		fixedH += 2*mxGap + legendH
	}
	budgetH := mxFitH * mxFont / mxMinText
	cellH := mxMinCellH
	if len(rows) > 0 {
		cellH = math.Max(mxMinCellH, math.Min(mxMaxCellH, math.Floor((budgetH-fixedH)/float64(len(rows)))))
	}
	fixedW := gridX + float64(max(0, nColGroups-1))*mxGap + mxPad
	if !legendBelow {
		fixedW += 3*mxGap + legendW
	}
	budgetW := mxFitW * mxFont / mxMinText
	cellW := math.Max(mxMinCellW, cellH)
	if len(cols) > 0 {
		cellW = math.Max(cellW, math.Min(1.5*cellH, math.Floor((budgetW-fixedW)/float64(len(cols)))))
	}

	colGroups := mxPlace(cols, gridX, cellW)
	lanes := mxLanes(colGroups, mxPad)
	nLanes := 1
	for _, l := range lanes {
		nLanes = max(nLanes, l+1)
	}
	labelsBottom := lanesTop + float64(nLanes)*mxLaneH + mxGap + colLabelH
	gridY := labelsBottom + mxGap
	rowGroups := mxPlace(rows, gridY, cellH)
	gridRight, gridBottom := gridX, gridY
	if len(cols) > 0 {
		gridRight = cols[len(cols)-1].pos + cellW
	}
	if len(rows) > 0 {
		gridBottom = rows[len(rows)-1].pos + cellH
	}

	s := &draw.Scene{Title: title}
	s.Add(&draw.Text{Attrs: draw.Attrs{Class: "title"}, X: mxPad, Y: titleY, S: title, Size: mxTitleFont, Bold: true})
	s.Add(&draw.Text{Attrs: draw.Attrs{Class: "caption"}, X: mxPad, Y: captionY, S: caption, Size: mxFont, Color: "#333333"})

	// Group separators, under everything else.
	sep := &draw.Group{Attrs: draw.Attrs{Class: "separators"}}
	for i := 1; i < len(colGroups); i++ {
		x := colGroups[i].start - mxGap/2
		sep.Add(&draw.Line{Pts: []draw.Pt{{X: x, Y: lanesTop + float64(nLanes)*mxLaneH}, {X: x, Y: gridBottom}}, Stroke: "#555555", W: 1.5})
	}
	for i := 1; i < len(rowGroups); i++ {
		y := rowGroups[i].start - mxGap/2
		sep.Add(&draw.Line{Pts: []draw.Pt{{X: mxPad, Y: y}, {X: gridRight, Y: y}}, Stroke: "#555555", W: 1.5})
	}
	s.Add(sep)

	// Column headers: the network's name over a bracket spanning its
	// columns, in the lowest lane where it overlaps no other header.
	hdr := &draw.Group{Attrs: draw.Attrs{Class: "col-groups"}}
	for i, cg := range colGroups {
		laneBottom := lanesTop + float64(nLanes-lanes[i])*mxLaneH
		t := mxHeaderText(cg, mxPad)
		t.Y = laneBottom - 5 - draw.Descent*mxFont
		hdr.Add(t)
		by := laneBottom - 2
		hdr.Add(&draw.Line{Pts: []draw.Pt{{X: cg.start + 1, Y: by + 2}, {X: cg.start + 1, Y: by}, {X: cg.end - 1, Y: by}, {X: cg.end - 1, Y: by + 2}}, Stroke: "#555555", W: 1.5})
	}
	s.Add(hdr)
	hdrRight := gridRight
	for _, it := range hdr.Items {
		if b, ok := mxBounds(it); ok {
			hdrRight = max(hdrRight, b.Right())
		}
	}

	// Row headers: the group's name at its first row, a bracket beside its
	// rows.
	rh := &draw.Group{Attrs: draw.Attrs{Class: "row-groups"}}
	for _, rg := range rowGroups {
		if groupW == 0 {
			break
		}
		t := &draw.Text{Attrs: draw.Attrs{Class: "row-group"}, X: mxPad, Y: rg.start + cellH/2 + mxBaseline, S: mxShorten(rg.name, mxMaxLabel), Size: mxFont, Bold: true, Color: "#222222"}
		if t.S != rg.name {
			t.Tip = rg.name
		}
		rh.Add(t)
		bx := mxPad + groupW + mxGap
		rh.Add(&draw.Line{Pts: []draw.Pt{{X: bx + 2, Y: rg.start + 1}, {X: bx, Y: rg.start + 1}, {X: bx, Y: rg.end - 1}, {X: bx + 2, Y: rg.end - 1}}, Stroke: "#555555", W: 1.5})
	}
	s.Add(rh)

	// Labels.
	lbl := &draw.Group{Attrs: draw.Attrs{Class: "labels"}}
	for _, r := range rows {
		t := &draw.Text{Attrs: draw.Attrs{Class: "row-label"}, X: gridX - mxGap, Y: r.pos + cellH/2 + mxBaseline, S: r.label, Size: mxFont, Anchor: draw.End}
		if r.label != r.full {
			t.Tip = r.full
		}
		lbl.Add(t)
	}
	for _, c := range cols {
		t := &draw.Text{Attrs: draw.Attrs{Class: "col-label"}, X: c.pos + cellW/2 + mxBaseline, Y: labelsBottom, S: c.label, Size: mxFont, Rotate: -90}
		if c.label != c.full {
			t.Tip = c.full
		}
		lbl.Add(t)
	}
	s.Add(lbl)

	// Cells.
	cells := &draw.Group{Attrs: draw.Attrs{Class: "cells"}}
	for _, r := range rows {
		for _, c := range cols {
			if r.idx >= len(g.Cells) || c.idx >= len(g.Cells[r.idx]) {
				continue
			}
			cell := g.Cells[r.idx][c.idx]
			if cell.Look == "" {
				continue
			}
			grp := mxCell(cell, c.pos, r.pos, cellW, cellH)
			col := g.Cols[c.idx]
			grp.Data = map[string]string{
				"client": g.Rows[r.idx].Name, "target": col.Name, "addr": col.Addr, "network": col.Network,
				"outcome": cell.Outcome(), "measured": string(cell.Look),
			}
			grp.Tip = cell.Tip
			cells.Add(grp)
		}
	}
	s.Add(cells)

	// Legend: only the looks that occur.
	lx, ly := hdrRight+3*mxGap, lanesTop
	if legendBelow {
		lx, ly = mxPad, gridBottom+2*mxGap
	}
	if len(legend) > 0 {
		lg := &draw.Group{Attrs: draw.Attrs{Class: "legend"}}
		lg.Add(&draw.Text{X: lx, Y: ly + draw.Ascent*mxFont, S: "Legend", Size: mxFont, Bold: true})
		for i, e := range legend {
			top := ly + mxLaneH + float64(i)*mxLegendStep
			sw := mxCell(GridCell{Look: e.look, Unexpected: e.unexpected}, lx, top, mxMinCellW, mxMinCellH)
			sw.Class = "legend-swatch node"
			sw.Data = map[string]string{"outcome": GridCell{Look: e.look, Unexpected: e.unexpected}.Outcome(), "measured": string(e.look)}
			it := &draw.Group{Attrs: draw.Attrs{Class: "legend-item"}}
			it.Add(sw, &draw.Text{X: lx + mxMinCellW + mxGap, Y: top + mxMinCellH/2 + mxBaseline, S: e.text, Size: mxFont, Color: "#222222"})
			lg.Add(it)
		}
		s.Add(lg)
	}

	// The picture is what was drawn, plus the margin.
	right, bottom := 0.0, 0.0
	s.Walk(func(it draw.Item) {
		if b, ok := mxBounds(it); ok {
			right, bottom = max(right, b.Right()), max(bottom, b.Bottom())
		}
	})
	s.W, s.H = math.Ceil(right+mxPad), math.Ceil(bottom+mxPad)
	return s
}

// mxBaseline is how far below a line's middle its baseline lies, so that
// the text's box is centred on it.
const mxBaseline = (draw.Ascent - draw.Descent) / 2 * mxFont

// mxLegendStep is the distance between legend entries.
const mxLegendStep = mxMinCellH + 5

// mxCell draws one cell (or a legend swatch) at x, y: a group of class
// "cell node" holding a rectangle in its look, a white gutter around, and
// its mark.
func mxCell(c GridCell, x, y, w, h float64) *draw.Group {
	st, ok := mxStyles[c.Look]
	if !ok {
		st = mxStyles[LookFailed]
	}
	// A "node" too: a box whose first item is its shape, its text inside
	// (the browser tests check every node so).
	g := &draw.Group{Attrs: draw.Attrs{Class: "cell node"}}
	cx, cy := x+w/2, y+h/2
	// The first rectangle is the cell's shape, a white gutter around it; a
	// border is drawn inside it.
	border := func(st mxStyle) *draw.Rect {
		in := 1 + st.strokeW/2
		return &draw.Rect{X: x + in, Y: y + in, W: w - 2*in, H: h - 2*in, Stroke: st.stroke, StrokeW: st.strokeW, Dash: st.dash}
	}
	if c.Unexpected {
		u := mxUnexpected
		g.Add(&draw.Rect{X: x + 1, Y: y + 1, W: w - 2, H: h - 2, Fill: u.fill}, border(u))
		bangW, markW := draw.TextWidth("!", mxFont, true), mxMarkWidth(st.mark)
		left := cx - (bangW+mxMarkSpace+markW)/2
		g.Add(&draw.Text{X: left + bangW/2, Y: cy + mxBaseline, S: "!", Size: mxFont, Bold: true, Color: u.ink, Anchor: draw.Middle})
		g.Add(mxMark(st.mark, left+bangW+mxMarkSpace+markW/2, cy, u.ink)...)
		return g
	}
	g.Add(&draw.Rect{X: x + 1, Y: y + 1, W: w - 2, H: h - 2, Fill: st.fill})
	if st.stroke != "" {
		g.Add(border(st))
	}
	g.Add(mxMark(st.mark, cx, cy, st.ink)...)
	return g
}

// mxMarkSpace is the room between "!" and the mark of an unexpected cell.
const mxMarkSpace = 2.0

// mxCheck is the check mark's points, relative to its centre, in font sizes.
var mxCheck = []draw.Pt{{X: -0.3, Y: 0.02}, {X: -0.08, Y: 0.26}, {X: 0.32, Y: -0.28}}

const mxCheckW = 2.2 // its stroke

// mxMarkWidth is how wide a mark is drawn.
func mxMarkWidth(mark string) float64 {
	if mark == "check" {
		return (mxCheck[2].X-mxCheck[0].X)*mxFont + mxCheckW
	}
	return draw.TextWidth(mark, mxFont, true)
}

// mxMark draws a look's mark centred at cx, cy: a drawn check mark (the
// embedded font has no ✓), or a glyph.
func mxMark(mark string, cx, cy float64, ink string) []draw.Item {
	if mark == "check" {
		pts := make([]draw.Pt, len(mxCheck))
		mid := (mxCheck[0].X + mxCheck[2].X) / 2
		for i, p := range mxCheck {
			pts[i] = draw.Pt{X: cx + (p.X-mid)*mxFont, Y: cy + p.Y*mxFont}
		}
		return []draw.Item{&draw.Line{Pts: pts, Stroke: ink, W: mxCheckW}}
	}
	return []draw.Item{&draw.Text{X: cx, Y: cy + mxBaseline, S: mark, Size: mxFont, Bold: true, Color: ink, Anchor: draw.Middle}}
}

// mxOrder sorts n rows or columns into groups (see GridRow.Networks for
// their order) and naturally by key inside a group.
func mxOrder(n int, at func(i int) (group, key string)) []*mxIndexed {
	out := make([]*mxIndexed, n)
	keys := make([]string, n)
	for i := range out {
		gname, key := at(i)
		out[i] = &mxIndexed{idx: i, group: gname}
		keys[i] = key
	}
	kind := func(group string) int {
		switch {
		case group == "none":
			return 3
		case group == "host":
			return 2
		case strings.Contains(group, " + "):
			return 1
		}
		return 0
	}
	slices.SortStableFunc(out, func(a, b *mxIndexed) int {
		if a.group != b.group {
			if ka, kb := kind(a.group), kind(b.group); ka != kb {
				return ka - kb
			}
			return natural.Compare(a.group, b.group)
		}
		return natural.Compare(keys[a.idx], keys[b.idx])
	})
	return out
}

// mxPlace sets each item's position along one axis from start, cell size
// apart, with a gap between groups, and returns the groups' spans.
func mxPlace(items []*mxIndexed, start, size float64) []mxGroup {
	var groups []mxGroup
	pos := start
	for i, it := range items {
		if i > 0 && it.group != items[i-1].group {
			pos += mxGap
		}
		if i == 0 || it.group != items[i-1].group {
			groups = append(groups, mxGroup{name: it.group, start: pos})
		}
		it.pos = pos
		pos += size
		groups[len(groups)-1].end = pos
	}
	return groups
}

func mxCountGroups(items []*mxIndexed) int {
	n := 0
	for i, it := range items {
		if i == 0 || it.group != items[i-1].group {
			n++
		}
	}
	return n
}

// mxHeaderText is a column group's header, centred over its span but not
// left of minX.
func mxHeaderText(cg mxGroup, minX float64) *draw.Text {
	label := mxShorten(cg.name, mxMaxLabel)
	w := draw.TextWidth(label, mxFont, true)
	x := max(minX, (cg.start+cg.end)/2-w/2)
	t := &draw.Text{Attrs: draw.Attrs{Class: "col-group"}, X: x, S: label, Size: mxFont, Bold: true, Color: "#222222"}
	if label != cg.name {
		t.Tip = cg.name
	}
	return t
}

// mxLanes gives each column header the lowest lane (0 nearest the labels)
// where it keeps clear of the headers already there.
func mxLanes(groups []mxGroup, minX float64) []int {
	var lastRight []float64
	out := make([]int, len(groups))
	for i, cg := range groups {
		b := draw.TextBox(mxHeaderText(cg, minX))
		left, right := min(b.X, cg.start), max(b.Right(), cg.end)
		lane := 0
		for lane < len(lastRight) && left < lastRight[lane]+mxGap {
			lane++
		}
		if lane == len(lastRight) {
			lastRight = append(lastRight, 0)
		}
		lastRight[lane] = right
		out[i] = lane
	}
	return out
}

// mxShorten cuts s to n runes with "…" in the middle: the start and the
// end of a name (where compose puts the replica number) both stay.
func mxShorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// mxColLabel is a column's drawn label, "Name (Addr)" — the network's
// header above the column names the network, and the tooltip has the full
// label — at most mxMaxLabel runes: a longer one keeps the address whole
// and shortens the name in its middle.
func mxColLabel(c GridCol) string {
	drawn := c.Name + " (" + c.Addr + ")"
	if len([]rune(drawn)) <= mxMaxLabel {
		return drawn
	}
	avail := mxMaxLabel - len([]rune(" ("+c.Addr+")"))
	if avail < mxMinPart {
		return mxShorten(drawn, mxMaxLabel)
	}
	return mxShorten(c.Name, avail) + " (" + c.Addr + ")"
}

// mxMinPart is the fewest runes a shortened network name keeps.
const mxMinPart = 10

type mxLegendEntry struct {
	look       Look
	unexpected bool
	text       string
}

// mxPresent is the set of cell looks that occur.
func mxPresent(g *Grid) map[GridCell]int {
	out := map[GridCell]int{}
	for r := range min(len(g.Cells), len(g.Rows)) {
		for _, c := range g.Cells[r][:min(len(g.Cells[r]), len(g.Cols))] {
			if c.Look != "" {
				if _, ok := mxStyles[c.Look]; !ok {
					c.Look = LookFailed
				}
				out[GridCell{Look: c.Look, Unexpected: c.Unexpected}]++
			}
		}
	}
	return out
}

// mxLegendEntries lists the looks present: contradictions first, then the
// rest in mxLegendOrder.
func mxLegendEntries(present map[GridCell]int) []mxLegendEntry {
	var out []mxLegendEntry
	for _, l := range mxLegendOrder {
		if present[GridCell{Look: l, Unexpected: true}] > 0 {
			text := mxUnexpectedLegend[l]
			if text == "" {
				text = "UNEXPECTED: " + string(l)
			}
			out = append(out, mxLegendEntry{l, true, text})
		}
	}
	for _, l := range mxLegendOrder {
		if present[GridCell{Look: l}] > 0 {
			out = append(out, mxLegendEntry{l, false, mxStyles[l].legend})
		}
	}
	return out
}

// mxCaption says what the picture holds: how many clients, targets and
// networks, and how many pairs came to each outcome.
func mxCaption(present map[GridCell]int, nRows, nCols, nNets int) string {
	count := func(l Look, unexpected bool) int { return present[GridCell{Look: l, Unexpected: unexpected}] }
	pairs := 0
	for _, n := range present {
		pairs += n
	}
	unexpected := count(LookReached, true) + count(LookTimeout, true) + count(LookUnreachable, true) + count(LookNotMeasured, true) + count(LookFailed, true)
	parts := []string{fmt.Sprintf("%d clients × %d target addresses on %d networks: %d pairs", nRows, nCols, nNets, pairs)}
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(unexpected, "UNEXPECTED")
	add(count(LookReached, false), "reached")
	add(count(LookTimeout, false), "blocked (no reply)")
	add(count(LookUnreachable, false), "blocked (ICMP unreachable)")
	add(count(LookNotMeasured, false), "not measured")
	add(count(LookFailed, false), "could not run")
	return strings.Join(parts, " · ")
}

// mxBounds is the box an item covers on the page: a Text's turned as it
// is drawn, a Line's with its width.
func mxBounds(it draw.Item) (draw.Box, bool) {
	switch v := it.(type) {
	case *draw.Text:
		if v.S == "" {
			return draw.Box{}, false
		}
		return mxTextBounds(v), true
	case *draw.Rect:
		return draw.Box{X: v.X - v.StrokeW/2, Y: v.Y - v.StrokeW/2, W: v.W + v.StrokeW, H: v.H + v.StrokeW}, true
	case *draw.Line:
		if len(v.Pts) == 0 {
			return draw.Box{}, false
		}
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range v.Pts {
			x0, y0, x1, y1 = min(x0, p.X), min(y0, p.Y), max(x1, p.X), max(y1, p.Y)
		}
		h := v.W / 2
		return draw.Box{X: x0 - h, Y: y0 - h, W: x1 - x0 + 2*h, H: y1 - y0 + 2*h}, true
	}
	return draw.Box{}, false
}

// mxTextBounds is the axis-aligned box a Text covers as drawn: its
// draw.TextBox turned by its Rotate about its anchor point.
func mxTextBounds(t *draw.Text) draw.Box {
	b := draw.TextBox(t)
	if t.Rotate == 0 {
		return b
	}
	a := t.Rotate * math.Pi / 180
	sin, cos := math.Sin(a), math.Cos(a)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range []draw.Pt{{X: b.X, Y: b.Y}, {X: b.Right(), Y: b.Y}, {X: b.X, Y: b.Bottom()}, {X: b.Right(), Y: b.Bottom()}} {
		dx, dy := p.X-t.X, p.Y-t.Y
		x, y := t.X+dx*cos-dy*sin, t.Y+dx*sin+dy*cos
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	return draw.Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}
