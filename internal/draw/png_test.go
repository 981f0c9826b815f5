package draw

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func rasterT(t *testing.T, s *Scene, scale float64) *image.RGBA {
	t.Helper()
	img, err := Rasterize(s, scale)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func rgb(img *image.RGBA, x, y int) [3]int {
	c := img.RGBAAt(x, y)
	return [3]int{int(c.R), int(c.G), int(c.B)}
}

// near reports whether got is within tol of want on every channel.
func near(got, want [3]int, tol int) bool {
	for i := range got {
		if d := got[i] - want[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

var (
	white = [3]int{255, 255, 255}
	black = [3]int{0, 0, 0}
)

func expect(t *testing.T, img *image.RGBA, x, y int, want [3]int, tol int, what string) {
	t.Helper()
	if got := rgb(img, x, y); !near(got, want, tol) {
		t.Errorf("%s: pixel (%d,%d) is %v, want %v ±%d", what, x, y, got, want, tol)
	}
}

// inkBox is the bounding box of img's non-white pixels.
func inkBox(img *image.RGBA) image.Rectangle {
	var r image.Rectangle
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := img.RGBAAt(x, y); c.R < 200 || c.G < 200 || c.B < 200 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

func TestRasterizeSizeAndBackground(t *testing.T) {
	img := rasterT(t, &Scene{W: 10.5, H: 4}, 2)
	if got := img.Bounds().Size(); got != (image.Point{21, 8}) {
		t.Errorf("size %v, want 21×8 (10.5×4 at scale 2)", got)
	}
	for i, v := range img.Pix {
		if v != 0xff {
			t.Fatalf("byte %d of an empty scene is %d, want white", i, v)
		}
	}
	var buf bytes.Buffer
	if err := WritePNG(&buf, &Scene{W: 3, H: 2}, 1); err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Bounds().Size() != (image.Point{3, 2}) {
		t.Errorf("PNG is %v", dec.Bounds())
	}
	if r, g, b, a := dec.At(1, 1).RGBA(); r != 0xffff || g != 0xffff || b != 0xffff || a != 0xffff {
		t.Errorf("PNG pixel %v %v %v %v, want opaque white", r, g, b, a)
	}
}

func TestRasterizeRefuses(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name  string
		s     *Scene
		scale float64
		want  string
	}{
		{"nil", nil, 1, "no scene"},
		{"zero width", &Scene{W: 0, H: 10}, 1, "must be positive"},
		{"negative height", &Scene{W: 10, H: -1}, 1, "must be positive"},
		{"NaN width", &Scene{W: nan, H: 10}, 1, "must be positive"},
		{"infinite height", &Scene{W: 10, H: math.Inf(1)}, 1, "must be positive"},
		{"zero scale", &Scene{W: 10, H: 10}, 0, "scale"},
		{"NaN scale", &Scene{W: 10, H: 10}, nan, "scale"},
		{"over 64 MP", &Scene{W: 8001, H: 8000}, 1, "64-megapixel"},
		{"over 64 MP by scale", &Scene{W: 1000, H: 1000}, 9, "64-megapixel"},
		{"overflow", &Scene{W: 1e300, H: 1e300}, 1e300, "64-megapixel"},
		{"NaN point", &Scene{W: 10, H: 10, Items: []Item{&Line{Attrs: Attrs{Data: map[string]string{"obj": "edge:a-b"}}, Pts: []Pt{{0, 0}, {nan, 1}}, Stroke: "#000"}}}, 1, `line "edge:a-b": point 1 is not a number`},
		{"Inf rect", &Scene{W: 10, H: 10, Items: []Item{&Group{Items: []Item{&Rect{Attrs: Attrs{ID: "r1"}, W: math.Inf(1), H: 1}}}}}, 1, `rect "r1": a coordinate`},
		{"NaN text", &Scene{W: 10, H: 10, Items: []Item{&Text{S: "x", Size: nan}}}, 1, "text: a coordinate"},
		{"bad colour", &Scene{W: 10, H: 10, Items: []Item{&Rect{Attrs: Attrs{Data: map[string]string{"obj": "ctr:web"}}, W: 1, H: 1, Fill: "#12345"}}}, 1, `rect "ctr:web": fill colour "#12345"`},
		{"colour name", &Scene{W: 10, H: 10, Items: []Item{&Text{S: "x", Size: 5, Color: "blurple"}}}, 1, `colour "blurple"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Rasterize(c.s, c.scale)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
			var buf bytes.Buffer
			if err := WritePNG(&buf, c.s, c.scale); err == nil || buf.Len() > 0 {
				t.Errorf("WritePNG: error %v, %d bytes written; want an error and nothing written", err, buf.Len())
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v to refuse", d)
			}
		})
	}
}

func TestColours(t *testing.T) {
	for _, c := range []struct {
		in   string
		want [3]int
	}{
		{"#ff0000", [3]int{255, 0, 0}},
		{"#0F0", [3]int{0, 255, 0}},
		{"#0000ff80", [3]int{127, 127, 255}}, // half blue over white
		{"#00f8", [3]int{119, 119, 255}},
		{"black", black},
		{"White", white},
		{"steelblue", [3]int{70, 130, 180}},
		{"none", white},
		{"", white},
		{"transparent", white},
	} {
		img := rasterT(t, &Scene{W: 4, H: 4, Items: []Item{&Rect{W: 4, H: 4, Fill: c.in}}}, 1)
		expect(t, img, 2, 2, c.want, 1, "fill "+c.in)
	}
}

func TestRectFillStrokeRounded(t *testing.T) {
	s := &Scene{W: 100, H: 100}
	s.Add(&Rect{X: 10, Y: 10, W: 80, H: 60, R: 12, Fill: "#00ff00", Stroke: "#000000", StrokeW: 4})
	img := rasterT(t, s, 1)
	expect(t, img, 50, 40, [3]int{0, 255, 0}, 0, "inside")
	expect(t, img, 50, 10, black, 0, "top edge (stroke centred on it)")
	expect(t, img, 50, 7, white, 0, "above the stroke")
	expect(t, img, 89, 40, black, 0, "right edge")
	// the corner is rounded: the rectangle's own corner is outside it
	expect(t, img, 10, 10, white, 0, "rounded-off corner")
	expect(t, img, 11, 69, white, 0, "rounded-off corner")
	// a corner of radius 12 passes 12(1-1/√2) ≈ 3.5 in from the corner
	expect(t, img, 13, 13, black, 60, "corner arc")
	// at scale 2 everything doubles
	img2 := rasterT(t, s, 2)
	expect(t, img2, 100, 80, [3]int{0, 255, 0}, 0, "inside at 2×")
	expect(t, img2, 100, 20, black, 0, "top edge at 2×")
	expect(t, img2, 100, 15, white, 0, "above the stroke at 2×")
	// no area, nothing drawn (as in SVG)
	empty := rasterT(t, &Scene{W: 10, H: 10, Items: []Item{&Rect{W: 0, H: 10, Stroke: "#000", Fill: "#000"}}}, 1)
	if !inkBox(empty).Empty() {
		t.Errorf("a zero-width rect drew %v", inkBox(empty))
	}
}

func TestDashes(t *testing.T) {
	s := &Scene{W: 100, H: 60}
	s.Add(&Line{Pts: []Pt{{0, 10}, {100, 10}}, Stroke: "#000", W: 4, Dash: []float64{10, 10}})
	// an odd pattern repeats: 5 on 5 off 5 on …
	s.Add(&Line{Pts: []Pt{{0, 30}, {100, 30}}, Stroke: "#000", W: 2, Dash: []float64{5}})
	img := rasterT(t, s, 1)
	for x := 0; x < 100; x++ {
		on := x%20 < 10
		want := white
		if on {
			want = black
		}
		if x%10 == 0 || x%10 == 9 {
			continue // edges are anti-aliased
		}
		expect(t, img, x, 10, want, 0, "dash [10 10]")
		on5 := x%10 < 5
		if x%5 == 0 || x%5 == 4 {
			continue
		}
		if on5 {
			expect(t, img, x, 30, black, 0, "dash [5]")
		} else {
			expect(t, img, x, 30, white, 0, "gap of dash [5]")
		}
	}
	// the pattern carries on round a corner: 15 along, then down
	c := rasterT(t, &Scene{W: 40, H: 60, Items: []Item{&Line{Pts: []Pt{{0, 10}, {15, 10}, {15, 60}}, Stroke: "#000", W: 4, Dash: []float64{10, 10}}}}, 1)
	expect(t, c, 5, 10, black, 0, "first dash")
	expect(t, c, 12, 10, white, 0, "gap before the corner")
	expect(t, c, 15, 13, white, 0, "gap after the corner")
	expect(t, c, 15, 20, black, 0, "second dash, below the corner")
	expect(t, c, 15, 30, white, 0, "second gap")
	expect(t, c, 15, 40, black, 0, "third dash")
	// a dashed rectangle starts its pattern at the top left corner
	r := rasterT(t, &Scene{W: 60, H: 60, Items: []Item{&Rect{X: 10, Y: 10, W: 40, H: 40, Stroke: "#000", StrokeW: 2, Dash: []float64{10, 10}}}}, 1)
	expect(t, r, 15, 10, black, 0, "rect: first dash along the top")
	expect(t, r, 25, 10, white, 0, "rect: first gap")
	expect(t, r, 35, 10, black, 0, "rect: second dash")
	expect(t, r, 45, 10, white, 0, "rect: second gap")
	expect(t, r, 50, 15, black, 0, "rect: the right side starts with a dash (40 along)")
	expect(t, r, 50, 25, white, 0, "rect: then a gap")
	// patterns SVG ignores draw solid
	for _, d := range [][]float64{{0, 0}, {5, -1}, {math.NaN(), 3}} {
		img := rasterT(t, &Scene{W: 40, H: 10, Items: []Item{&Line{Pts: []Pt{{0, 5}, {40, 5}}, Stroke: "#000", W: 4, Dash: d}}}, 1)
		for x := 1; x < 39; x++ {
			expect(t, img, x, 5, black, 0, "solid despite a dash pattern SVG rejects")
		}
	}
}

func TestRoundJoinsAndButtCaps(t *testing.T) {
	s := &Scene{W: 60, H: 60}
	s.Add(&Line{Pts: []Pt{{10, 10}, {40, 10}, {40, 50}}, Stroke: "#000", W: 10})
	img := rasterT(t, s, 1)
	// butt cap: nothing before the first point
	expect(t, img, 7, 10, white, 0, "before the butt cap")
	expect(t, img, 11, 10, black, 0, "just after the start")
	expect(t, img, 40, 52, white, 0, "after the end")
	// round join: the outer corner is cut round (a miter would fill it)
	expect(t, img, 44, 6, white, 0, "outer corner of the round join")
	expect(t, img, 42, 7, black, 0, "inside the round join")
	// a polygon is closed: all three corners joined, filled inside
	p := rasterT(t, &Scene{W: 60, H: 60, Items: []Item{&Line{Pts: []Pt{{10, 10}, {50, 10}, {30, 50}}, Closed: true, Fill: "#ff0000", Stroke: "#000", W: 2}}}, 1)
	expect(t, p, 30, 25, [3]int{255, 0, 0}, 0, "polygon inside")
	expect(t, p, 30, 10, black, 0, "polygon edge")
	expect(t, p, 10, 10, black, 80, "polygon corner (joined)")
	// an open line is not filled even with a Fill
	o := rasterT(t, &Scene{W: 60, H: 60, Items: []Item{&Line{Pts: []Pt{{10, 10}, {50, 10}, {30, 50}}, Fill: "#ff0000", Stroke: "#000", W: 2}}}, 1)
	expect(t, o, 30, 25, white, 0, "open polyline inside")
}

func TestArrowHeadAsSVG(t *testing.T) {
	pts := []Pt{{10, 50}, {60, 30}, {90, 50}}
	with := rasterT(t, &Scene{W: 100, H: 100, Items: []Item{&Line{Pts: pts, Stroke: "#c00", W: 2, Arrow: true}}}, 2)
	h := arrowHead(pts, 2)
	without := rasterT(t, &Scene{W: 100, H: 100, Items: []Item{
		&Line{Pts: pts, Stroke: "#c00", W: 2},
		&Line{Pts: h, Closed: true, Fill: "#c00"},
	}}, 2)
	if !bytes.Equal(with.Pix, without.Pix) {
		t.Error("an arrow differs from its line plus the polygon arrowHead computes")
	}
	// the head is there: its tip at the last point, 9 units long (5+2w)
	expect(t, with, 2*87, 2*48, [3]int{204, 0, 0}, 40, "in the arrowhead")
	b := inkBox(rasterT(t, &Scene{W: 100, H: 100, Items: []Item{&Line{Pts: []Pt{{10, 50}, {90, 50}}, Stroke: "#000", W: 2, Arrow: true}}}, 1))
	if b.Max.X != 90 || b.Min.Y != 46 || b.Max.Y != 54 {
		t.Errorf("arrow ink %v, want to end at x=90 and span y 46..54 (half-width 4.05)", b)
	}
}

func TestOpacity(t *testing.T) {
	s := &Scene{W: 100, H: 40}
	s.Add(&Rect{X: 0, Y: 0, W: 20, H: 20, Fill: "#000", Opacity: 0.5})
	// a group is faded as one: overlapping members do not darken
	g := &Group{Opacity: 0.5}
	g.Add(&Rect{X: 30, Y: 0, W: 20, H: 20, Fill: "#000"}, &Rect{X: 40, Y: 0, W: 20, H: 20, Fill: "#000"})
	s.Add(g)
	// so is a rect's stroke over its fill
	s.Add(&Rect{X: 70, Y: 5, W: 20, H: 20, Fill: "#000", Stroke: "#000", StrokeW: 4, Opacity: 0.5})
	// 0 means 1; values round to two decimals like the SVG's
	s.Add(&Rect{X: 0, Y: 25, W: 10, H: 10, Fill: "#000", Opacity: 0})
	s.Add(&Rect{X: 20, Y: 25, W: 10, H: 10, Fill: "#000", Opacity: 0.004})
	s.Add(&Rect{X: 40, Y: 25, W: 10, H: 10, Fill: "#000", Opacity: -1})
	s.Add(&Line{Pts: []Pt{{60, 30}, {90, 30}}, Stroke: "#000", W: 6, Opacity: 0.25, Arrow: true})
	img := rasterT(t, s, 1)
	half := [3]int{128, 128, 128}
	expect(t, img, 10, 10, half, 1, "rect at 0.5")
	expect(t, img, 35, 10, half, 1, "group at 0.5, one member")
	expect(t, img, 45, 10, half, 1, "group at 0.5, both members")
	expect(t, img, 80, 5, half, 1, "stroke over fill at 0.5")
	expect(t, img, 5, 30, black, 0, "opacity 0 means 1")
	expect(t, img, 25, 30, white, 0, "opacity 0.004 writes as 0")
	expect(t, img, 45, 30, white, 0, "negative opacity")
	expect(t, img, 70, 30, [3]int{191, 191, 191}, 1, "line at 0.25")
	expect(t, img, 87, 30, [3]int{191, 191, 191}, 1, "line and its arrowhead faded as one")
}

func TestTextPlacement(t *testing.T) {
	const size = 40
	str := "HIH"
	w := TextWidth(str, size, true)
	// H's side bearing: ink starts a little after the pen
	for _, c := range []struct {
		a          Anchor
		lo, hi     float64 // where the ink's left and right must lie
		name       string
		x, y, size float64
	}{
		{Start, 100, 100 + w, "start", 100, 60, size},
		{Middle, 100 - w/2, 100 + w/2, "middle", 100, 60, size},
		{End, 100 - w, 100, "end", 100, 60, size},
	} {
		img := rasterT(t, &Scene{W: 250, H: 80, Items: []Item{&Text{X: c.x, Y: c.y, S: str, Size: c.size, Bold: true, Anchor: c.a}}}, 1)
		b := inkBox(img)
		if float64(b.Min.X) < c.lo || float64(b.Min.X) > c.lo+0.12*size || float64(b.Max.X) > c.hi+1 || float64(b.Max.X) < c.hi-0.12*size {
			t.Errorf("%s: ink x %d..%d, want inside %.1f..%.1f and near its ends", c.name, b.Min.X, b.Max.X, c.lo, c.hi)
		}
		// H stands on the baseline, cap height ≈ 0.7 em
		if b.Max.Y < 59 || b.Max.Y > 61 || b.Min.Y < 60-size*0.8 || b.Min.Y > 60-size*0.6 {
			t.Errorf("%s: ink y %d..%d, want from about %d to the baseline 60", c.name, b.Min.Y, b.Max.Y, 60-int(size*0.7))
		}
	}
	// rotated −90° about (X, Y): reads bottom to top, ink above and left
	img := rasterT(t, &Scene{W: 100, H: 200, Items: []Item{&Text{X: 50, Y: 150, S: str, Size: size, Bold: true, Rotate: -90}}}, 1)
	b := inkBox(img)
	if b.Max.X > 51 || b.Min.X < 50-int(size*0.8) || b.Max.Y > 151 || float64(b.Min.Y) < 150-w-1 || float64(b.Min.Y) > 150-w+0.12*size {
		t.Errorf("rotated: ink %v, want x %d..50, y %.0f..150", b, 50-int(size*0.7), 150-w)
	}
	// rotated +90°: reads top to bottom, ink below and left
	img = rasterT(t, &Scene{W: 100, H: 200, Items: []Item{&Text{X: 50, Y: 20, S: str, Size: size, Bold: true, Rotate: 90}}}, 1)
	if b := inkBox(img); b.Min.X < 49 || b.Max.X > 50+int(size*0.8) || b.Min.Y < 19 || float64(b.Max.Y) > 20+w+1 {
		t.Errorf("rotated +90: ink %v", b)
	}
	// colour, and bold is darker than regular
	red := rasterT(t, &Scene{W: 100, H: 60, Items: []Item{&Text{X: 10, Y: 50, S: "I", Size: 50, Bold: true, Color: "#ff0000"}}}, 1)
	if b := inkBox(red); !b.Empty() {
		c := red.RGBAAt((b.Min.X+b.Max.X)/2, (b.Min.Y+b.Max.Y)/2)
		if c != (color.RGBA{255, 0, 0, 255}) {
			t.Errorf("red text's middle is %v", c)
		}
	} else {
		t.Error("no ink for red text")
	}
	if ink(rasterT(t, &Scene{W: 200, H: 30, Items: []Item{&Text{X: 5, Y: 20, S: "netviz", Size: 16, Bold: true}}}, 1)) <=
		ink(rasterT(t, &Scene{W: 200, H: 30, Items: []Item{&Text{X: 5, Y: 20, S: "netviz", Size: 16}}}, 1)) {
		t.Error("bold text has no more ink than regular")
	}
}

// differ counts the bytes of a and b more than 2 apart (rounding aside).
func differ(a, b *image.RGBA) int {
	n := 0
	for i := range a.Pix {
		if d := int(a.Pix[i]) - int(b.Pix[i]); d > 2 || d < -2 {
			n++
		}
	}
	return n
}

// ink is how much darkness img has.
func ink(img *image.RGBA) int {
	n := 0
	for i := 0; i < len(img.Pix); i += 4 {
		n += 255 - int(img.Pix[i])
	}
	return n
}

func TestTextAdvancesAsMeasured(t *testing.T) {
	// Drawing a string and drawing its two halves one after the other at
	// the measured width must give the same pixels: the glyphs sit at the
	// advances TextWidth adds up (no kerning), here "AV" and "To" which
	// a kerning renderer would pull together.
	const size = 30
	for _, s := range []string{"AVAV To", "02:42:ac:11:00:02", "br-1592a8003a3c"} {
		half := len(s) / 2
		whole := rasterT(t, &Scene{W: 400, H: 50, Items: []Item{&Text{X: 5, Y: 40, S: s, Size: size}}}, 1)
		parts := rasterT(t, &Scene{W: 400, H: 50, Items: []Item{
			&Text{X: 5, Y: 40, S: s[:half], Size: size},
			&Text{X: 5 + TextWidth(s[:half], size, false), Y: 40, S: s[half:], Size: size},
		}}, 1)
		if diff := differ(whole, parts); diff > 0 {
			t.Errorf("%q drawn whole and in two halves differs in %d bytes", s, diff)
		}
	}
}

func TestMissingGlyphs(t *testing.T) {
	if got := string(Missing("a⇄b 한글 →…⇄", false)); got != "⇄한글" {
		t.Errorf("Missing = %q, want ⇄한글", got)
	}
	if got := Missing("02:42:ac ↔ → … — é ü", true); len(got) != 0 {
		t.Errorf("Missing = %q, want none", string(got))
	}
	// they take their place (the .notdef advance) but draw nothing
	a := rasterT(t, &Scene{W: 200, H: 40, Items: []Item{&Text{X: 5, Y: 30, S: "a한b", Size: 20}}}, 1)
	b := rasterT(t, &Scene{W: 200, H: 40, Items: []Item{
		&Text{X: 5, Y: 30, S: "a", Size: 20},
		&Text{X: 5 + TextWidth("a한", 20, false), Y: 30, S: "b", Size: 20},
	}}, 1)
	if n := differ(a, b); n > 0 {
		t.Errorf("a missing glyph draws something, or does not advance by its measured width: %d bytes differ", n)
	}
}

// TestOddScenes throws odd values at the rasteriser: it must not panic,
// must not hang, and must say what is wrong when it refuses.
func TestOddScenes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	nums := []float64{0, -0.0, 1, -1, 0.5, 1e-9, 3, 63.5, 64, 1e6, -1e6, 1e12, -1e12, 1e300, -1e300, math.SmallestNonzeroFloat64, math.MaxFloat64, math.NaN(), math.Inf(-1)}
	num := func() float64 {
		if rng.IntN(3) == 0 {
			return nums[rng.IntN(len(nums))]
		}
		return rng.Float64()*80 - 8
	}
	colours := []string{"", "none", "#000", "#ff000080", "white", "#abc", "#12345678", "rgb(1,2,3)"}
	strs := []string{"", " ", "a", "⇄→…", "한글", "\x00\t\n", "\xff\xfe", strings.Repeat("W", 500), "\u202eevil"}
	var item func(depth int) Item
	item = func(depth int) Item {
		switch rng.IntN(4) {
		case 0:
			return &Rect{X: num(), Y: num(), W: num(), H: num(), R: num(), Fill: colours[rng.IntN(len(colours))],
				Stroke: colours[rng.IntN(len(colours))], StrokeW: num(), Dash: []float64{num(), num(), num()}[:rng.IntN(4)], Opacity: num()}
		case 1:
			pts := make([]Pt, rng.IntN(6))
			for i := range pts {
				pts[i] = Pt{num(), num()}
			}
			if len(pts) > 2 && rng.IntN(3) == 0 {
				pts[2] = pts[1]
			}
			return &Line{Pts: pts, Stroke: colours[rng.IntN(len(colours))], W: num(), Dash: []float64{num(), num()}[:rng.IntN(3)],
				Arrow: rng.IntN(2) == 0, Closed: rng.IntN(2) == 0, Fill: colours[rng.IntN(len(colours))], Opacity: num()}
		case 2:
			return &Text{X: num(), Y: num(), S: strs[rng.IntN(len(strs))], Size: num(), Bold: rng.IntN(2) == 0,
				Color: colours[rng.IntN(len(colours))], Anchor: Anchor(rng.IntN(4)), Rotate: num() * 7}
		default:
			g := &Group{Opacity: num()}
			if depth < 3 {
				for range rng.IntN(4) {
					g.Add(item(depth + 1))
				}
			}
			if rng.IntN(5) == 0 {
				g.Add(nil)
			}
			return g
		}
	}
	start := time.Now()
	var drawn, refused int
	for i := 0; i < 600; i++ {
		s := &Scene{W: 1 + rng.Float64()*63, H: 1 + rng.Float64()*63}
		for range 1 + rng.IntN(5) {
			s.Add(item(0))
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("scene %d: panic %v", i, p)
				}
			}()
			t0 := time.Now()
			if _, err := Rasterize(s, 0.5+rng.Float64()*2); err != nil {
				refused++
				if !strings.HasPrefix(err.Error(), "draw: ") {
					t.Errorf("scene %d: error %q does not say where it comes from", i, err)
				}
			} else {
				drawn++
			}
			if d := time.Since(t0); d > 2*time.Second {
				t.Errorf("scene %d took %v", i, d)
			}
		}()
	}
	t.Logf("%d odd scenes drawn, %d refused, in %v", drawn, refused, time.Since(start).Round(time.Millisecond))
	if drawn == 0 {
		t.Error("every odd scene was refused")
	}
}

func TestBigSceneStaysBounded(t *testing.T) {
	// A tall picture (like the 100-container strips), with a shape as big
	// as the canvas and a long finely dashed line: quick, and painted.
	s := &Scene{W: 1000, H: 4000}
	s.Add(&Rect{X: 5, Y: 5, W: 990, H: 3990, R: 10, Fill: "#eef", Stroke: "#000", Dash: []float64{4, 2}})
	s.Add(&Line{Pts: []Pt{{250.5, 0}, {250.5, 4000}}, Stroke: "#000", Dash: []float64{0.001, 0.001}})
	s.Add(&Line{Pts: []Pt{{-1e12, 2000}, {1e12, 2001}}, Stroke: "#f00", W: 3, Dash: []float64{3, 3}})
	start := time.Now()
	img := rasterT(t, s, 1)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	expect(t, img, 500, 1000, [3]int{238, 238, 255}, 0, "inside the big rect")
	expect(t, img, 250, 1000, [3]int{119, 119, 127}, 30, "a dash finer than a pixel draws at its share of ink")
	reds := 0
	for x := 0; x < 1000; x++ {
		if c := img.RGBAAt(x, 2000); c.R > 200 && c.G < 60 {
			reds++
		}
	}
	if reds < 400 || reds > 600 {
		t.Errorf("the line from far away is dashed across the picture in %d red pixels of 1000, want about half", reds)
	}
	t.Logf("1000×4000 in %v", time.Since(start).Round(time.Millisecond))
}

// TestWritePNGGivesUpWhenCancelled: a cancelled context stops the painting
// with its error and nothing written (netviz stops within a second of
// Ctrl-C, however big the picture).
func TestWritePNGGivesUpWhenCancelled(t *testing.T) {
	s := &Scene{W: 400, H: 300}
	for i := range 200 {
		s.Add(&Group{Items: []Item{&Rect{X: float64(i), Y: 10, W: 50, H: 50, Fill: "#123456"}}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := WritePNGContext(ctx, &buf, s, 1); !errors.Is(err, context.Canceled) || buf.Len() > 0 {
		t.Errorf("cancelled: err %v, %d bytes written; want context.Canceled and nothing", err, buf.Len())
	}
	if err := WritePNGContext(context.Background(), &buf, s, 1); err != nil || buf.Len() == 0 {
		t.Errorf("not cancelled: err %v, %d bytes", err, buf.Len())
	}
}
