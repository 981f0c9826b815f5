package draw

import (
	"fmt"
	"strings"
)

// Lint checks a scene for what makes a picture unreadable, from the
// font's own metrics (the browser tests check the same in Chromium): text
// of a "node" group outside its shape, two node shapes overlapping (one
// inside another is nesting, not overlap), two unrotated texts on top of
// each other, anything outside the picture. It returns one line per
// problem, naming the objects.
func Lint(s *Scene) []string {
	var problems []string
	type placed struct {
		box  Box
		what string
	}
	var nodes, texts []placed
	type seg struct {
		a, b Pt
		what string
	}
	var segs []seg
	var visit func(items []Item, owner string, shape *Box)
	visit = func(items []Item, owner string, shape *Box) {
		for i, it := range items {
			switch v := it.(type) {
			case *Group:
				name := v.ID
				if o := v.Data["obj"]; o != "" {
					name = o
				}
				if hasClass(v.Class, "node") && len(v.Items) > 0 {
					r, ok := v.Items[0].(*Rect)
					if !ok {
						problems = append(problems, fmt.Sprintf("node %s: first item is not its shape", name))
						continue
					}
					b := Box{r.X, r.Y, r.W, r.H}
					nodes = append(nodes, placed{b, "node " + name})
					visit(v.Items[1:], "node "+name, &b)
					continue
				}
				visit(v.Items, owner, shape)
			case *Text:
				if v.S == "" {
					continue
				}
				b := TextBox(v)
				what := fmt.Sprintf("text %q", v.S)
				if owner != "" {
					what += " in " + owner
				}
				if v.Rotate == 0 {
					if shape != nil && !shape.Contains(b, 1) {
						problems = append(problems, fmt.Sprintf("%s sticks out of its box (%.1f,%.1f %.1fx%.1f vs %.1f,%.1f %.1fx%.1f)", what, b.X, b.Y, b.W, b.H, shape.X, shape.Y, shape.W, shape.H))
					}
					texts = append(texts, placed{b, what})
				}
				if v.Rotate == 0 && !(Box{0, 0, s.W, s.H}).Contains(b, 1) {
					problems = append(problems, what+" lies outside the picture")
				}
			case *Line:
				what := "a line"
				if v.Data["obj"] != "" {
					what += " of " + v.Data["obj"]
				} else if v.Class != "" {
					what += " (" + v.Class + ")"
				}
				for k := 0; k+1 < len(v.Pts); k++ {
					segs = append(segs, seg{v.Pts[k], v.Pts[k+1], what})
				}
			case *Rect:
				if !(Box{0, 0, s.W, s.H}).Contains(Box{v.X, v.Y, v.W, v.H}, 1) {
					problems = append(problems, fmt.Sprintf("a rectangle (%s, item %d) lies outside the picture", owner, i))
				}
			}
		}
	}
	visit(s.Items, "", nil)
	for i := range nodes {
		for j := i + 1; j < len(nodes); j++ {
			a, b := nodes[i].box, nodes[j].box
			if a.Overlaps(b) && !a.Contains(b, 0) && !b.Contains(a, 0) {
				problems = append(problems, nodes[i].what+" overlaps "+nodes[j].what)
			}
		}
	}
	// A line may end on a box's border, never run through it.
	for _, sg := range segs {
		for _, n := range nodes {
			in := Box{n.box.X + 2, n.box.Y + 2, n.box.W - 4, n.box.H - 4}
			if in.W > 0 && in.H > 0 && segmentCrosses(sg.a, sg.b, in) {
				problems = append(problems, fmt.Sprintf("%s runs through %s", sg.what, n.what))
			}
		}
	}
	for i := range texts {
		for j := i + 1; j < len(texts); j++ {
			if shrink(texts[i].box).Overlaps(shrink(texts[j].box)) {
				problems = append(problems, texts[i].what+" overlaps "+texts[j].what)
			}
		}
	}
	return problems
}

// shrink trims a text box to its ink's usual extent: the line gap of a
// font's ascent and descent is not ink.
func shrink(b Box) Box {
	d := b.H * 0.12
	return Box{b.X + 0.5, b.Y + d, b.W - 1, b.H - 2*d}
}

func hasClass(classes, c string) bool {
	for _, f := range strings.Fields(classes) {
		if f == c {
			return true
		}
	}
	return false
}

// MinTextSize is the smallest font size of any text in s.
func MinTextSize(s *Scene) float64 {
	m := 0.0
	s.Walk(func(it Item) {
		if t, ok := it.(*Text); ok && t.S != "" && (m == 0 || t.Size < m) {
			m = t.Size
		}
	})
	return m
}

// segmentCrosses reports whether the segment a–b enters the box b
// (Liang–Barsky clipping).
func segmentCrosses(a, c Pt, b Box) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := c.X-a.X, c.Y-a.Y
	for _, e := range [4][2]float64{{-dx, a.X - b.X}, {dx, b.Right() - a.X}, {-dy, a.Y - b.Y}, {dy, b.Bottom() - a.Y}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}
