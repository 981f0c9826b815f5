// Package draw is netviz's drawing surface: a Scene of rectangles, lines
// and text in pixel coordinates, measured with a font embedded in the
// binary, written as SVG (the same font embedded in the file, so every
// browser draws text at the width it was measured at) and rasterised to PNG
// from the same Scene, so the two agree. Layout lives in internal/render;
// this package only draws what it is given.
package draw

// Scene is one picture: W×H pixels, white background, items painted in
// order (later on top).
type Scene struct {
	W, H float64
	// Title is the document's title (the SVG <title>, a tooltip).
	Title string
	Items []Item
}

// Item is something a Scene draws: *Rect, *Line, *Text or *Group.
type Item interface{ item() }

// Pt is a point in pixels, y growing downwards.
type Pt struct{ X, Y float64 }

// Attrs are what every item may carry: an id, CSS classes, a tooltip, and
// data-* attributes (the browser tests and the live page read them), e.g.
// Data{"obj": "ctr:web"} names the model object drawn.
type Attrs struct {
	ID    string
	Class string
	Tip   string
	Data  map[string]string
}

// Rect is a rectangle with rounded corners R; Fill or Stroke "" paints
// none. Dash is a stroke dash pattern (nil: solid).
type Rect struct {
	Attrs
	X, Y, W, H, R float64
	Fill, Stroke  string
	StrokeW       float64
	Dash          []float64
	// Opacity of the whole rectangle, 0 meaning 1.
	Opacity float64
}

// Line is an open polyline (Closed: a polygon, filled with Fill).
// Arrow draws a filled arrowhead at the last point.
type Line struct {
	Attrs
	Pts     []Pt
	Stroke  string
	W       float64
	Dash    []float64
	Arrow   bool
	Closed  bool
	Fill    string
	Opacity float64
}

// Anchor is where a Text's X lies along it.
type Anchor int

// Anchors.
const (
	Start Anchor = iota
	Middle
	End
)

// Text is one line of text; (X, Y) is its baseline point at Anchor.
// Size is the font size in pixels.
type Text struct {
	Attrs
	X, Y   float64
	S      string
	Size   float64
	Bold   bool
	Color  string
	Anchor Anchor
	// Rotate turns the text by this many degrees about (X, Y), clockwise
	// (−90 reads bottom to top).
	Rotate float64
}

// Group gathers items under one id/class/tooltip. By convention a group
// of class "node" is a box: its first item is the *Rect that is its shape,
// and all its text lies inside that shape (the browser tests check it).
type Group struct {
	Attrs
	Items []Item
	// Opacity of the whole group, 0 meaning 1.
	Opacity float64
}

func (*Rect) item()  {}
func (*Line) item()  {}
func (*Text) item()  {}
func (*Group) item() {}

// Add appends items to the group.
func (g *Group) Add(items ...Item) { g.Items = append(g.Items, items...) }

// Add appends items to the scene.
func (s *Scene) Add(items ...Item) { s.Items = append(s.Items, items...) }

// Box is an axis-aligned rectangle.
type Box struct{ X, Y, W, H float64 }

// Right is X+W, Bottom Y+H.
func (b Box) Right() float64  { return b.X + b.W }
func (b Box) Bottom() float64 { return b.Y + b.H }

// Overlaps reports whether b and o share more than a hairline of area.
func (b Box) Overlaps(o Box) bool {
	const eps = 0.5
	return b.X+eps < o.Right() && o.X+eps < b.Right() && b.Y+eps < o.Bottom() && o.Y+eps < b.Bottom()
}

// Contains reports whether o lies inside b (with slack eps).
func (b Box) Contains(o Box, eps float64) bool {
	return o.X >= b.X-eps && o.Y >= b.Y-eps && o.Right() <= b.Right()+eps && o.Bottom() <= b.Bottom()+eps
}

// Translate moves an item (a group with everything in it) by dx, dy, in
// place, and returns it: how one picture is placed inside another.
func Translate(it Item, dx, dy float64) Item {
	switch v := it.(type) {
	case *Rect:
		v.X, v.Y = v.X+dx, v.Y+dy
	case *Line:
		for i := range v.Pts {
			v.Pts[i].X, v.Pts[i].Y = v.Pts[i].X+dx, v.Pts[i].Y+dy
		}
	case *Text:
		v.X, v.Y = v.X+dx, v.Y+dy
	case *Group:
		for _, c := range v.Items {
			Translate(c, dx, dy)
		}
	}
	return it
}
