package draw

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	imgdraw "image/draw"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/colornames"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/netviz/netviz/internal/textsafe"
)

// MaxPixels is the largest raster WritePNG and Rasterize make (64
// megapixels, 256 MB of RGBA); a bigger Scene×scale is refused.
const MaxPixels = 64_000_000

// WritePNG rasterises s at scale (1: one pixel per scene unit) and writes
// it as a PNG. It paints what WriteSVG describes — the same shapes, dash
// patterns, joins, arrowheads, opacity and text in the same embedded font,
// glyph by glyph at the advances TextWidth measures — so the PNG and a
// browser's rendering of the SVG agree to a pixel or two. A scene that is
// empty, not finite, or larger than MaxPixels at scale is refused, as is an
// item with a non-finite number or a colour it cannot read.
func WritePNG(w io.Writer, s *Scene, scale float64) error {
	return WritePNGContext(context.Background(), w, s, scale)
}

// WritePNGContext is WritePNG giving up, with ctx's error and nothing
// written, once ctx is done (a big scene takes seconds to paint).
func WritePNGContext(ctx context.Context, w io.Writer, s *Scene, scale float64) error {
	img, err := RasterizeContext(ctx, s, scale)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if err := png.Encode(bw, img); err != nil {
		return fmt.Errorf("encode png: %w", err)
	}
	return bw.Flush()
}

// Rasterize paints s at scale onto a new opaque image, white background;
// WritePNG encodes its result.
func Rasterize(s *Scene, scale float64) (*image.RGBA, error) {
	return RasterizeContext(context.Background(), s, scale)
}

// RasterizeContext is Rasterize giving up with ctx's error once ctx is
// done; it looks between items.
func RasterizeContext(ctx context.Context, s *Scene, scale float64) (*image.RGBA, error) {
	if s == nil {
		return nil, errors.New("draw: no scene")
	}
	if !finite(scale) || scale <= 0 {
		return nil, fmt.Errorf("draw: scale %v: must be a positive number", scale)
	}
	if !finite(s.W) || !finite(s.H) || s.W <= 0 || s.H <= 0 {
		return nil, fmt.Errorf("draw: scene size %v×%v: width and height must be positive numbers", s.W, s.H)
	}
	fw, fh := math.Ceil(s.W*scale-1e-9), math.Ceil(s.H*scale-1e-9)
	if !finite(fw) || !finite(fh) || fw*fh > MaxPixels {
		return nil, fmt.Errorf("draw: scene %v×%v at scale %v is %.0f×%.0f pixels, more than the %d-megapixel limit",
			s.W, s.H, scale, fw, fh, MaxPixels/1_000_000)
	}
	img := image.NewRGBA(image.Rect(0, 0, max(1, int(fw)), max(1, int(fh))))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	r := &raster{scale: scale, ctx: ctx}
	if err := r.items(img, s.Items); err != nil {
		return nil, err
	}
	return img, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// vec is a point in device pixels.
type vec struct{ x, y float64 }

func (a vec) add(b vec) vec       { return vec{a.x + b.x, a.y + b.y} }
func (a vec) sub(b vec) vec       { return vec{a.x - b.x, a.y - b.y} }
func (a vec) mul(k float64) vec   { return vec{a.x * k, a.y * k} }
func (a vec) dot(b vec) float64   { return a.x*b.x + a.y*b.y }
func (a vec) cross(b vec) float64 { return a.x*b.y - a.y*b.x }
func (a vec) len() float64        { return math.Hypot(a.x, a.y) }

// contour is a closed polygon in device pixels.
type contour []vec

// raster paints items onto RGBA images. When measuring, it paints nothing
// and grows bb instead (to size an opacity layer).
type raster struct {
	ctx     context.Context // nil: never done
	scale   float64
	z       vector.Rasterizer
	measure bool
	bb      image.Rectangle
}

func (r *raster) items(dst *image.RGBA, items []Item) error {
	for _, it := range items {
		if r.ctx != nil {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		if err := r.item(dst, it); err != nil {
			return err
		}
	}
	return nil
}

// alpha is an Opacity as the SVG writer writes it: 0 means 1, rounded to
// two decimals, clamped to [0, 1].
func alpha(o float64) float64 {
	if o == 0 || math.IsNaN(o) {
		return 1
	}
	o = math.Round(o*100) / 100
	return math.Max(0, math.Min(1, o))
}

// layer runs f onto dst at opacity a: directly when a is 1, else into a
// transparent image covering what f paints, composited at a (SVG's
// element and group opacity).
func (r *raster) layer(dst *image.RGBA, a float64, f func(*raster, *image.RGBA) error) error {
	if r.measure {
		return f(r, dst)
	}
	if a <= 0 {
		return nil
	}
	if a >= 1 {
		return f(r, dst)
	}
	m := &raster{scale: r.scale, measure: true, ctx: r.ctx}
	if err := f(m, dst); err != nil {
		return err
	}
	b := m.bb.Intersect(dst.Bounds())
	if b.Empty() {
		return nil
	}
	l := image.NewRGBA(b)
	if err := f(&raster{scale: r.scale, ctx: r.ctx}, l); err != nil {
		return err
	}
	mask := image.NewUniform(color.Alpha16{A: uint16(math.Round(a * 0xffff))})
	imgdraw.DrawMask(dst, b, l, b.Min, mask, image.Point{}, imgdraw.Over)
	return nil
}

func (r *raster) item(dst *image.RGBA, it Item) error {
	switch v := it.(type) {
	case *Rect:
		return r.layer(dst, alpha(v.Opacity), func(r *raster, d *image.RGBA) error { return r.rect(d, v) })
	case *Line:
		return r.layer(dst, alpha(v.Opacity), func(r *raster, d *image.RGBA) error { return r.line(d, v) })
	case *Text:
		return r.text(dst, v)
	case *Group:
		return r.layer(dst, alpha(v.Opacity), func(r *raster, d *image.RGBA) error { return r.items(d, v.Items) })
	case nil:
		return nil
	default:
		return fmt.Errorf("draw: unknown item type %T", it)
	}
}

// name is how an error names an item: its data-obj, id, or kind.
func name(kind string, a *Attrs) string {
	if o := a.Data["obj"]; o != "" {
		return kind + " " + textsafe.Quote(o)
	}
	if a.ID != "" {
		return kind + " " + textsafe.Quote(a.ID)
	}
	return kind
}

// paint is a colour to fill with; ok false means none.
type paint struct {
	c  color.NRGBA
	ok bool
}

// parseColor reads a colour as the scenes write them: "#RGB", "#RGBA",
// "#RRGGBB", "#RRGGBBAA", a CSS colour name, or "none"/"transparent"/""
// for no paint.
func parseColor(s string) (paint, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "none", "transparent":
		return paint{}, nil
	}
	if c, ok := colornames.Map[s]; ok {
		return paint{color.NRGBA{c.R, c.G, c.B, 0xff}, true}, nil
	}
	if !strings.HasPrefix(s, "#") {
		return paint{}, fmt.Errorf("colour %s: not #RGB, #RRGGBB, #RRGGBBAA or a colour name", textsafe.Quote(s))
	}
	h := s[1:]
	if len(h) == 3 || len(h) == 4 {
		var b strings.Builder
		for _, c := range h {
			b.WriteRune(c)
			b.WriteRune(c)
		}
		h = b.String()
	}
	if len(h) == 6 {
		h += "ff"
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if len(h) != 8 || err != nil {
		return paint{}, fmt.Errorf("colour %s: not #RGB, #RRGGBB, #RRGGBBAA or a colour name", textsafe.Quote(s))
	}
	c := color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}
	return paint{c, c.A > 0}, nil
}

// fill paints the union of cs (nonzero winding) in p.
func (r *raster) fill(dst *image.RGBA, cs []contour, p paint) {
	if !p.ok || len(cs) == 0 {
		return
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	ok := cs[:0:0]
	for _, c := range cs {
		if len(c) < 3 || !finiteContour(c) {
			continue // overflowed at scale: nothing a browser would draw either
		}
		ok = append(ok, c)
	}
	cs = ok
	for _, c := range cs {
		for _, v := range c {
			minX, maxX = math.Min(minX, v.x), math.Max(maxX, v.x)
			minY, maxY = math.Min(minY, v.y), math.Max(maxY, v.y)
		}
	}
	db := dst.Bounds()
	clamp := func(f float64, lo, hi int) int {
		if f < float64(lo) {
			return lo
		}
		if f > float64(hi) {
			return hi
		}
		return int(f)
	}
	b := image.Rect(clamp(math.Floor(minX), db.Min.X, db.Max.X), clamp(math.Floor(minY), db.Min.Y, db.Max.Y),
		clamp(math.Ceil(maxX)+1, db.Min.X, db.Max.X), clamp(math.Ceil(maxY)+1, db.Min.Y, db.Max.Y))
	if b.Empty() {
		return
	}
	if r.measure {
		r.bb = r.bb.Union(b)
		return
	}
	// Tile by tile, so the rasterizer's buffers stay small (it keeps two
	// numbers a pixel) however big the shape.
	src := image.NewUniform(p.c)
	for ty := b.Min.Y; ty < b.Max.Y; ty += tile {
		for tx := b.Min.X; tx < b.Max.X; tx += tile {
			t := image.Rect(tx, ty, min(tx+tile, b.Max.X), min(ty+tile, b.Max.Y))
			r.fillTile(dst, t, cs, src)
		}
	}
}

// tile is the side of the squares fill rasterises one at a time.
const tile = 1024

func (r *raster) fillTile(dst *image.RGBA, t image.Rectangle, cs []contour, src image.Image) {
	// Clip to a pixel beyond the tile: the rasterizer walks every row a
	// line spans, so a far-away point would cost time; clipping keeps the
	// winding inside the tile unchanged.
	clip := [4]float64{float64(t.Min.X - 1), float64(t.Min.Y - 1), float64(t.Max.X + 1), float64(t.Max.Y + 1)}
	ox, oy := float64(t.Min.X), float64(t.Min.Y)
	drawn := false
	for _, c := range cs {
		c = clipContour(c, clip)
		if len(c) < 3 {
			continue
		}
		if !drawn {
			r.z.Reset(t.Dx(), t.Dy())
			drawn = true
		}
		r.z.MoveTo(float32(c[0].x-ox), float32(c[0].y-oy))
		for _, v := range c[1:] {
			r.z.LineTo(float32(v.x-ox), float32(v.y-oy))
		}
		r.z.ClosePath()
	}
	if drawn {
		r.z.Draw(dst, t, src, image.Point{})
	}
}

func finiteContour(c contour) bool {
	for _, v := range c {
		if !finite(v.x) || !finite(v.y) {
			return false
		}
	}
	return true
}

// clipContour is c clipped to the rectangle (x0, y0, x1, y1)
// (Sutherland–Hodgman).
func clipContour(c contour, r [4]float64) contour {
	inside := true
	for _, v := range c {
		if v.x < r[0] || v.y < r[1] || v.x > r[2] || v.y > r[3] {
			inside = false
			break
		}
	}
	if inside {
		return c
	}
	out := c
	for edge := 0; edge < 4; edge++ {
		in := out
		if len(in) == 0 {
			return nil
		}
		out = make(contour, 0, len(in)+4)
		keep := func(v vec) bool {
			switch edge {
			case 0:
				return v.x >= r[0]
			case 1:
				return v.y >= r[1]
			case 2:
				return v.x <= r[2]
			default:
				return v.y <= r[3]
			}
		}
		cut := func(a, b vec) vec {
			var t float64
			switch edge {
			case 0:
				t = (r[0] - a.x) / (b.x - a.x)
			case 1:
				t = (r[1] - a.y) / (b.y - a.y)
			case 2:
				t = (r[2] - a.x) / (b.x - a.x)
			default:
				t = (r[3] - a.y) / (b.y - a.y)
			}
			v := a.add(b.sub(a).mul(t))
			switch edge { // exactly on the edge despite rounding
			case 0:
				v.x = r[0]
			case 1:
				v.y = r[1]
			case 2:
				v.x = r[2]
			default:
				v.y = r[3]
			}
			return v
		}
		prev := in[len(in)-1]
		for _, cur := range in {
			switch ci, pi := keep(cur), keep(prev); {
			case ci && pi:
				out = append(out, cur)
			case ci:
				out = append(out, cut(prev, cur), cur)
			case pi:
				out = append(out, cut(prev, cur))
			}
			prev = cur
		}
	}
	return out
}

// positive is c turning the positive way (so that stroke pieces add up,
// never cancel, in the rasterizer's winding sum).
func positive(c contour) contour {
	a := 0.0
	for i := range c {
		a += c[i].cross(c[(i+1)%len(c)])
	}
	if a < 0 {
		for i, j := 0, len(c)-1; i < j; i, j = i+1, j-1 {
			c[i], c[j] = c[j], c[i]
		}
	}
	return c
}

// tolerance is how far, in device pixels, a flattened curve may stray.
const tolerance = 0.05

// arcSteps is how many chords approximate an arc of angle a at radius rad.
func arcSteps(rad, a float64) int {
	if rad <= tolerance {
		return 2
	}
	step := 2 * math.Acos(1-tolerance/rad)
	return min(256, max(2, int(math.Ceil(math.Abs(a)/step))))
}

func circle(c vec, rad float64) contour {
	n := max(8, arcSteps(rad, 2*math.Pi))
	out := make(contour, n)
	for i := range out {
		a := 2 * math.Pi * float64(i) / float64(n)
		out[i] = vec{c.x + rad*math.Cos(a), c.y + rad*math.Sin(a)}
	}
	return out
}

// Joins.
const (
	joinMiter = iota // SVG's default, rectangles
	joinRound        // lines (stroke-linejoin="round")
)

// stroke is the outline of the polyline pts at width w with butt caps and
// the given join, as pieces whose union is the stroke.
func stroke(pts []vec, closed bool, w float64, join int) []contour {
	// drop repeated points: they have no direction
	q := make([]vec, 0, len(pts))
	for _, p := range pts {
		if len(q) == 0 || p.sub(q[len(q)-1]).len() > 1e-9 {
			q = append(q, p)
		}
	}
	if closed && len(q) > 1 && q[0].sub(q[len(q)-1]).len() <= 1e-9 {
		q = q[:len(q)-1]
	}
	if len(q) < 2 || w <= 0 {
		return nil
	}
	hw := w / 2
	n := len(q) - 1
	if closed {
		n = len(q)
	}
	var out []contour
	dir := func(i int) vec { // direction of segment i, q[i] → q[i+1]
		d := q[(i+1)%len(q)].sub(q[i])
		return d.mul(1 / d.len())
	}
	for i := 0; i < n; i++ {
		a, b := q[i], q[(i+1)%len(q)]
		d := dir(i)
		nv := vec{-d.y * hw, d.x * hw}
		out = append(out, positive(contour{a.add(nv), b.add(nv), b.sub(nv), a.sub(nv)}))
	}
	// joins at interior vertices (every vertex of a closed path)
	for i := 0; i < len(q); i++ {
		var in, outd vec
		switch {
		case closed:
			in, outd = dir((i-1+len(q))%len(q)), dir(i)
		case i == 0 || i == len(q)-1:
			continue
		default:
			in, outd = dir(i-1), dir(i)
		}
		v := q[i]
		if join == joinRound {
			out = append(out, circle(v, hw))
			continue
		}
		cr := in.cross(outd)
		if math.Abs(cr) < 1e-12 && in.dot(outd) > 0 {
			continue // straight on
		}
		s := -1.0
		if cr < 0 {
			s = 1
		}
		n1 := vec{-in.y, in.x}.mul(s * hw)
		n2 := vec{-outd.y, outd.x}.mul(s * hw)
		cosT := in.dot(outd)
		// miter length / stroke width = 1/cos(θ/2); SVG's limit is 4
		if 1+cosT > 2.0/16 {
			m := v.add(n1.add(n2).mul(1 / (1 + cosT)))
			out = append(out, positive(contour{v, v.add(n1), m, v.add(n2)}))
		} else {
			out = append(out, positive(contour{v, v.add(n1), v.add(n2)}))
		}
	}
	return out
}

// maxDashes bounds the dashes one line makes; a finer pattern is drawn
// solid (it would look solid anyway).
const maxDashes = 200_000

// dashPattern is d as SVG uses it, in device pixels: nil for a solid line
// (no pattern, a negative or non-finite entry, or all zero); an odd count
// repeated twice.
func dashPattern(d []float64, scale float64) []float64 {
	if len(d) == 0 {
		return nil
	}
	sum := 0.0
	for _, v := range d {
		if !finite(v) || v < 0 {
			return nil
		}
		sum += v
	}
	if sum <= 0 {
		return nil
	}
	p := make([]float64, 0, 2*len(d))
	for _, v := range d {
		p = append(p, v*scale)
	}
	if len(d)%2 == 1 {
		p = append(p, p...)
	}
	return p
}

// dashes cuts the polyline pts into the "on" pieces of pattern, skipping
// what lies outside view (but keeping the pattern's phase along it).
func dashes(pts []vec, closed bool, pattern []float64, view [4]float64) ([][]vec, bool) {
	segs := len(pts) - 1
	if closed {
		segs = len(pts)
	}
	period := 0.0
	for _, v := range pattern {
		period += v
	}
	// first pass: how long is the visible part?
	visible := 0.0
	for i := 0; i < segs; i++ {
		a, b := pts[i], pts[(i+1)%len(pts)]
		if t0, t1, ok := clipSegment(a, b, view); ok {
			visible += (t1 - t0) * b.sub(a).len()
		}
	}
	if visible/period*float64(len(pattern)) > maxDashes {
		return nil, false
	}
	var out [][]vec
	var cur []vec
	flush := func() {
		if len(cur) > 1 {
			out = append(out, cur)
		}
		cur = nil
	}
	k, left := 0, pattern[0] // interval index, length left in it
	advance := func(d float64) {
		d = math.Mod(d, period)
		for d > 0 {
			if d < left {
				left -= d
				return
			}
			d -= left
			k = (k + 1) % len(pattern)
			left = pattern[k]
		}
	}
	for i := 0; i < segs; i++ {
		a, b := pts[i], pts[(i+1)%len(pts)]
		l := b.sub(a).len()
		if l == 0 {
			continue
		}
		t0, t1, ok := clipSegment(a, b, view)
		if !ok {
			flush()
			advance(l)
			continue
		}
		if t0 > 0 {
			flush()
			advance(t0 * l)
		}
		pos, end := t0*l, t1*l
		at := func(p float64) vec { return a.add(b.sub(a).mul(p / l)) }
		for pos < end {
			step := math.Min(left, end-pos)
			if k%2 == 0 {
				if len(cur) == 0 {
					cur = append(cur, at(pos))
				}
				cur = append(cur, at(pos+step))
			}
			pos += step
			left -= step
			if left <= 1e-12 {
				if k%2 == 0 {
					flush()
				}
				k = (k + 1) % len(pattern)
				left = pattern[k]
			}
		}
		if t1 < 1 {
			flush()
			advance((1 - t1) * l)
		}
	}
	flush()
	return out, true
}

// clipSegment is the part [t0, t1] of a→b inside the rectangle r
// (Liang–Barsky).
func clipSegment(a, b vec, r [4]float64) (t0, t1 float64, ok bool) {
	t0, t1 = 0, 1
	d := b.sub(a)
	for _, e := range [4][2]float64{{-d.x, a.x - r[0]}, {d.x, r[2] - a.x}, {-d.y, a.y - r[1]}, {d.y, r[3] - a.y}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
	}
	return t0, t1, t0 < t1
}

// strokePath strokes pts (device pixels) at width w, dashed by d (scene
// units), clipped to what dst can show.
func (r *raster) strokePath(dst *image.RGBA, pts []vec, closed bool, w float64, d []float64, join int, p paint) {
	if !p.ok || len(pts) < 2 {
		return
	}
	pattern := dashPattern(d, r.scale)
	if pattern == nil {
		r.fill(dst, stroke(pts, closed, w, join), p)
		return
	}
	b := dst.Bounds()
	m := w + 2
	view := [4]float64{float64(b.Min.X) - m, float64(b.Min.Y) - m, float64(b.Max.X) + m, float64(b.Max.Y) + m}
	parts, ok := dashes(pts, closed, pattern, view)
	if !ok { // finer than a pixel: solid, at the pattern's share of ink
		on, all := 0.0, 0.0
		for i, v := range pattern {
			if i%2 == 0 {
				on += v
			}
			all += v
		}
		p.c.A = uint8(math.Round(float64(p.c.A) * on / all))
		r.fill(dst, stroke(pts, closed, w, join), p)
		return
	}
	var cs []contour
	for _, part := range parts {
		cs = append(cs, stroke(part, false, w, join)...)
	}
	r.fill(dst, cs, p)
}

func (r *raster) pt(p Pt) vec { return vec{p.X * r.scale, p.Y * r.scale} }

// strokeWidth is a stroke width as the SVG writer writes it: 0 (and any
// value a browser would reject) means 1.
func strokeWidth(w float64) float64 {
	if w <= 0 || !finite(w) {
		return 1
	}
	return w
}

func (r *raster) rect(dst *image.RGBA, v *Rect) error {
	for _, f := range []float64{v.X, v.Y, v.W, v.H, v.R, v.StrokeW} {
		if !finite(f) {
			return fmt.Errorf("draw: %s: a coordinate is not a number", name("rect", &v.Attrs))
		}
	}
	fill, err := parseColor(v.Fill)
	if err != nil {
		return fmt.Errorf("draw: %s: fill %w", name("rect", &v.Attrs), err)
	}
	var st paint
	if v.Stroke != "" {
		if st, err = parseColor(v.Stroke); err != nil {
			return fmt.Errorf("draw: %s: stroke %w", name("rect", &v.Attrs), err)
		}
	}
	if v.W <= 0 || v.H <= 0 {
		return nil // SVG draws no rectangle without area
	}
	s := r.scale
	x, y, w, h := v.X*s, v.Y*s, v.W*s, v.H*s
	rx, ry := math.Min(math.Max(v.R, 0)*s, w/2), math.Min(math.Max(v.R, 0)*s, h/2)
	// The outline as SVG defines it: from (x+rx, y) clockwise.
	var c contour
	if rx <= 0 || ry <= 0 {
		c = contour{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}
	} else {
		n := arcSteps(math.Max(rx, ry), math.Pi/2)
		corner := func(cx, cy, a0 float64) {
			for i := 0; i <= n; i++ {
				a := a0 + math.Pi/2*float64(i)/float64(n)
				c = append(c, vec{cx + rx*math.Cos(a), cy + ry*math.Sin(a)})
			}
		}
		corner(x+w-rx, y+ry, -math.Pi/2)
		corner(x+w-rx, y+h-ry, 0)
		corner(x+rx, y+h-ry, math.Pi/2)
		corner(x+rx, y+ry, math.Pi)
		// start at (x+rx, y) like SVG, for the dash phase
		c = append(contour{{x + rx, y}}, c[:len(c)-1]...)
	}
	r.fill(dst, []contour{c}, fill)
	r.strokePath(dst, c, true, strokeWidth(v.StrokeW)*s, v.Dash, joinMiter, st)
	return nil
}

func (r *raster) line(dst *image.RGBA, v *Line) error {
	if len(v.Pts) < 2 {
		return nil
	}
	if !finite(v.W) {
		return fmt.Errorf("draw: %s: width is not a number", name("line", &v.Attrs))
	}
	pts := make([]vec, len(v.Pts))
	for i, p := range v.Pts {
		if !finite(p.X) || !finite(p.Y) {
			return fmt.Errorf("draw: %s: point %d is not a number", name("line", &v.Attrs), i)
		}
		pts[i] = r.pt(p)
	}
	var fill, st paint
	var err error
	if v.Closed {
		if fill, err = parseColor(v.Fill); err != nil {
			return fmt.Errorf("draw: %s: fill %w", name("line", &v.Attrs), err)
		}
	}
	if v.Stroke != "" {
		if st, err = parseColor(v.Stroke); err != nil {
			return fmt.Errorf("draw: %s: stroke %w", name("line", &v.Attrs), err)
		}
	}
	if v.Closed {
		r.fill(dst, []contour{pts}, fill)
	}
	r.strokePath(dst, pts, v.Closed, strokeWidth(v.W)*r.scale, v.Dash, joinRound, st)
	if v.Arrow {
		// The SVG fills the head with the stroke colour; an empty one is
		// no colour at all there, which SVG paints black.
		head := st
		if v.Stroke == "" {
			head = paint{color.NRGBA{0, 0, 0, 0xff}, true}
		}
		h := arrowHead(v.Pts, v.W)
		r.fill(dst, []contour{{r.pt(h[0]), r.pt(h[1]), r.pt(h[2])}}, head)
	}
	return nil
}

// glyphs caches glyph outlines in font units (y down), by face and glyph.
var glyphs struct {
	sync.Mutex
	m map[glyphKey]sfnt.Segments
}

type glyphKey struct {
	bold bool
	g    sfnt.GlyphIndex
}

// glyph is r's outline; none when the face lacks r: the SVG's embedded
// subset has an empty .notdef (github.com/tdewolff/font empties it), so a
// browser draws nothing there either — or a system font's glyph, see
// Missing.
func glyph(bold bool, f *face, r rune) (sfnt.Segments, error) {
	var buf sfnt.Buffer
	g, err := f.f.GlyphIndex(&buf, r)
	if err != nil || g == 0 {
		return nil, nil
	}
	glyphs.Lock()
	defer glyphs.Unlock()
	k := glyphKey{bold, g}
	if s, ok := glyphs.m[k]; ok {
		return s, nil
	}
	segs, err := f.f.LoadGlyph(&buf, g, fixed.I(int(f.f.UnitsPerEm())), nil)
	if err != nil {
		return nil, fmt.Errorf("glyph %d: %w", g, err)
	}
	segs = append(sfnt.Segments(nil), segs...)
	if glyphs.m == nil {
		glyphs.m = map[glyphKey]sfnt.Segments{}
	}
	glyphs.m[k] = segs
	return segs, nil
}

func (r *raster) text(dst *image.RGBA, t *Text) error {
	if t.S == "" {
		return nil
	}
	for _, f := range []float64{t.X, t.Y, t.Size, t.Rotate} {
		if !finite(f) {
			return fmt.Errorf("draw: %s: a coordinate is not a number", name("text", &t.Attrs))
		}
	}
	col, err := parseColor(orBlack(t.Color))
	if err != nil {
		return fmt.Errorf("draw: %s: colour %w", name("text", &t.Attrs), err)
	}
	if !col.ok || t.Size <= 0 {
		return nil
	}
	f := fontFace(t.Bold)
	if f.err != nil {
		return fmt.Errorf("draw: font: %w", f.err)
	}
	x := 0.0
	switch t.Anchor {
	case Middle:
		x = -TextWidth(t.S, t.Size, t.Bold) / 2
	case End:
		x = -TextWidth(t.S, t.Size, t.Bold)
	}
	// font units → device pixels: scale, turn about (X, Y), move there
	u := t.Size / float64(f.f.UnitsPerEm())
	sin, cos := math.Sincos(t.Rotate * math.Pi / 180)
	ox, oy := t.X*r.scale, t.Y*r.scale
	var cs []contour
	for _, ru := range t.S {
		segs, err := glyph(t.Bold, f, ru)
		if err != nil {
			return fmt.Errorf("draw: %s: %w", name("text", &t.Attrs), err)
		}
		gx := x
		dev := func(p fixed.Point26_6) vec {
			lx := (gx + float64(p.X)/64*u) * r.scale
			ly := float64(p.Y) / 64 * u * r.scale
			return vec{ox + cos*lx - sin*ly, oy + sin*lx + cos*ly}
		}
		var c contour
		var pen vec
		for _, s := range segs {
			switch s.Op {
			case sfnt.SegmentOpMoveTo:
				if len(c) > 2 {
					cs = append(cs, c)
				}
				pen = dev(s.Args[0])
				c = contour{pen}
			case sfnt.SegmentOpLineTo:
				pen = dev(s.Args[0])
				c = append(c, pen)
			case sfnt.SegmentOpQuadTo:
				p1, p2 := dev(s.Args[0]), dev(s.Args[1])
				c = quadTo(c, pen, p1, p2)
				pen = p2
			case sfnt.SegmentOpCubeTo:
				p1, p2, p3 := dev(s.Args[0]), dev(s.Args[1]), dev(s.Args[2])
				c = cubeTo(c, pen, p1, p2, p3)
				pen = p3
			}
		}
		if len(c) > 2 {
			cs = append(cs, c)
		}
		x += f.advance(ru) * t.Size / 1000
	}
	r.fill(dst, cs, col)
	return nil
}

func quadTo(c contour, p0, p1, p2 vec) contour {
	dev := p0.sub(p1.mul(2)).add(p2).len() / 4
	n := min(64, max(1, int(math.Ceil(math.Sqrt(dev/tolerance)))))
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		mt := 1 - t
		c = append(c, p0.mul(mt*mt).add(p1.mul(2*mt*t)).add(p2.mul(t*t)))
	}
	return c
}

func cubeTo(c contour, p0, p1, p2, p3 vec) contour {
	dev := 0.75 * math.Max(p0.sub(p1.mul(2)).add(p2).len(), p1.sub(p2.mul(2)).add(p3).len())
	n := min(64, max(1, int(math.Ceil(math.Sqrt(dev/tolerance)))))
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		mt := 1 - t
		c = append(c, p0.mul(mt*mt*mt).add(p1.mul(3*mt*mt*t)).add(p2.mul(3*mt*t*t)).add(p3.mul(t*t*t)))
	}
	return c
}

// Missing lists the characters of s, each once, that the embedded font
// (regular or bold) has no glyph for. Both writers draw nothing for them
// (measured as the font's .notdef advance), but a browser may fill them in
// from a system font, machine by machine: Korean on a machine with a CJK
// font, ⇄ from DejaVu Sans. A picture that must look the same everywhere
// uses characters Missing does not list (↔ rather than ⇄).
func Missing(s string, bold bool) []rune {
	f := fontFace(bold)
	if f.err != nil {
		return nil
	}
	var out []rune
	var buf sfnt.Buffer
	for _, r := range s {
		if g, err := f.f.GlyphIndex(&buf, r); (err != nil || g == 0) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
