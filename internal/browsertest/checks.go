package browsertest

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Slack is how far, in screen pixels, a text may stick out of its node
// before TextsInsideTheirNode calls it a problem; Overlap how deep two
// boxes may overlap before the overlap checks do (so boxes that merely
// touch pass).
var (
	Slack   = 1.0
	Overlap = 0.5
)

// TextsInsideTheirNode lists every text of a g.node that is not inside
// that node's shape (within Slack), saying by how much it sticks out.
func TextsInsideTheirNode(g *Geometry) []string {
	var out []string
	for i := range g.Texts {
		t := &g.Texts[i]
		if t.Node < 0 || t.Node >= len(g.Nodes) {
			continue
		}
		n := &g.Nodes[t.Node]
		s, b := n.Shape, t.Box
		var sides []string
		for _, d := range []struct {
			name string
			by   float64
		}{{"left", s.X - b.X}, {"top", s.Y - b.Y}, {"right", b.Right() - s.Right()}, {"bottom", b.Bottom() - s.Bottom()}} {
			if d.by > Slack {
				sides = append(sides, fmt.Sprintf("%s by %.1fpx", d.name, d.by))
			}
		}
		if len(sides) > 0 {
			out = append(out, fmt.Sprintf("%s %s sticks out of %s %s: %s", t.Name(), b, n.Name(), s, strings.Join(sides, ", ")))
		}
	}
	return out
}

// within reports whether node i lies in node j (at any depth).
func within(g *Geometry, i, j int) bool {
	for k, steps := g.Nodes[i].Parent, 0; k >= 0 && k < len(g.Nodes) && steps <= len(g.Nodes); k, steps = g.Nodes[k].Parent, steps+1 {
		if k == j {
			return true
		}
	}
	return false
}

// overlapping calls f for every pair of boxes that overlap by more than
// Overlap on both axes (a sweep along x).
func overlapping(boxes []Rect, f func(i, j int, dx, dy float64)) {
	idx := make([]int, len(boxes))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return boxes[idx[a]].X < boxes[idx[b]].X })
	for a, i := range idx {
		for _, j := range idx[a+1:] {
			if boxes[j].X >= boxes[i].Right()-Overlap {
				break
			}
			if dx, dy := boxes[i].overlap(boxes[j]); dx > Overlap && dy > Overlap {
				if i < j {
					f(i, j, dx, dy)
				} else {
					f(j, i, dx, dy)
				}
			}
		}
	}
}

// NodesDoNotOverlap lists every two g.node shapes that overlap, except a
// node and a node inside it.
func NodesDoNotOverlap(g *Geometry) []string {
	boxes := make([]Rect, len(g.Nodes))
	for i := range g.Nodes {
		boxes[i] = g.Nodes[i].Shape
	}
	var out []string
	overlapping(boxes, func(i, j int, dx, dy float64) {
		if within(g, i, j) || within(g, j, i) {
			return
		}
		a, b := &g.Nodes[i], &g.Nodes[j]
		out = append(out, fmt.Sprintf("%s %s overlaps %s %s by %.1f×%.1fpx", a.Name(), a.Shape, b.Name(), b.Shape, dx, dy))
	})
	sort.Strings(out)
	return out
}

// TextsDoNotOverlap lists every two texts whose boxes overlap (rotated
// ones by their bounding box on the screen).
func TextsDoNotOverlap(g *Geometry) []string {
	boxes := make([]Rect, len(g.Texts))
	for i := range g.Texts {
		boxes[i] = g.Texts[i].Box
	}
	var out []string
	overlapping(boxes, func(i, j int, dx, dy float64) {
		a, b := &g.Texts[i], &g.Texts[j]
		out = append(out, fmt.Sprintf("%s %s overlaps %s %s by %.1f×%.1fpx", a.Name(), a.Box, b.Name(), b.Box, dx, dy))
	})
	sort.Strings(out)
	return out
}

// MinTextHeight is the smallest font size of any text on the screen, in
// pixels (the em height: what CSS calls the text's size), and that text;
// 0 and nil when there is none.
func MinTextHeight(g *Geometry) (float64, *Text) {
	var min *Text
	for i := range g.Texts {
		t := &g.Texts[i]
		if strings.TrimSpace(t.S) == "" {
			continue
		}
		if min == nil || t.Px < min.Px {
			min = t
		}
	}
	if min == nil {
		return 0, nil
	}
	return min.Px, min
}

// EmbeddedFontUsed lists what shows the picture's own font was not what
// Chromium drew with: an @font-face that did not load, a text set in
// another family, a glyph drawn from a system font (a character the
// embedded font lacks) — each naming the text.
func EmbeddedFontUsed(g *Geometry) []string {
	var out []string
	if len(g.FontFaces) == 0 && len(g.Texts) > 0 {
		out = append(out, "the document declares no @font-face")
	}
	for _, f := range g.FontFaces {
		if f.Status != "loaded" {
			out = append(out, fmt.Sprintf("@font-face %s weight %s: %s", quote(f.Family), f.Weight, f.Status))
		}
	}
	for i := range g.Texts {
		t := &g.Texts[i]
		for _, f := range t.Fonts {
			if !f.Custom && f.Glyphs > 0 {
				out = append(out, fmt.Sprintf("%s: %d glyph(s) drawn with system font %s, not the embedded one", t.Name(), f.Glyphs, quote(f.Family)))
			}
		}
	}
	return out
}

// TextHeightAtLeast lists every text smaller than px on the screen.
func TextHeightAtLeast(g *Geometry, px float64) []string {
	var out []string
	for i := range g.Texts {
		t := &g.Texts[i]
		if strings.TrimSpace(t.S) != "" && t.Px < px-1e-9 {
			out = append(out, fmt.Sprintf("%s is %.2fpx high on a %d×%d screen, under %.4gpx", t.Name(), t.Px, ScreenW, ScreenH, px))
		}
	}
	return out
}

// NodeMoves lists the nodes, matched by data-obj, whose shape differs
// between a and b by more than tol screen pixels on any side — for step
// frames, which must keep every object in place. Nodes in only one of
// them are not moves.
func NodeMoves(a, b *Geometry, tol float64) []string {
	at := map[string]Rect{}
	for _, n := range a.Nodes {
		if n.Obj != "" {
			at[n.Obj] = n.Shape
		}
	}
	var out []string
	for _, n := range b.Nodes {
		r, ok := at[n.Obj]
		if !ok || n.Obj == "" {
			continue
		}
		s := n.Shape
		if math.Abs(r.X-s.X) > tol || math.Abs(r.Y-s.Y) > tol || math.Abs(r.Right()-s.Right()) > tol || math.Abs(r.Bottom()-s.Bottom()) > tol {
			out = append(out, fmt.Sprintf("%s moved from %s to %s", n.Name(), r, s))
		}
	}
	return out
}
