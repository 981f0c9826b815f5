package draw_test

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/draw"
)

// One Chromium for the whole test binary.
func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

// node is a box of class "node": a rounded rect and lines of text inside
// it, sized to them with draw.TextBox.
func node(obj string, x, y float64, lines ...*draw.Text) *draw.Group {
	const pad = 8
	w, h := 0.0, float64(pad)
	for _, t := range lines {
		b := draw.TextBox(t)
		w = max(w, b.W)
		h += b.H + 2
	}
	w += 2 * pad
	h += pad - 2
	g := &draw.Group{Attrs: draw.Attrs{Class: "node", Data: map[string]string{"obj": obj}}}
	g.Add(&draw.Rect{X: x, Y: y, W: w, H: h, R: 6, Fill: "#eef3ff", Stroke: "#35508a", StrokeW: 1.5})
	cy := y + pad
	for _, t := range lines {
		cy += draw.Ascent * t.Size
		t.Y = cy
		switch t.Anchor {
		case draw.Middle:
			t.X = x + w/2
		case draw.End:
			t.X = x + w - pad
		default:
			t.X = x + pad
		}
		cy += draw.Descent*t.Size + 2
		g.Add(t)
	}
	return g
}

func shape(g *draw.Group) *draw.Rect { return g.Items[0].(*draw.Rect) }

// representative is a picture with what netviz draws: nested boxes with
// bold and regular text, dashed and solid lines with arrowheads, rotated
// text, opacity, and characters the Go fonts lack (⇄, Korean).
func representative() *draw.Scene {
	s := &draw.Scene{W: 900, H: 540, Title: "representative"}
	s.Add(&draw.Text{X: 450, Y: 28, S: "host docker-1 — 3 networks, 4 containers…", Size: 18, Bold: true, Anchor: draw.Middle})

	net := &draw.Group{Attrs: draw.Attrs{Class: "node cluster", Data: map[string]string{"obj": "net:frontend"}}}
	net.Add(&draw.Rect{X: 20, Y: 50, W: 560, H: 300, R: 10, Fill: "#f6f8fb", Stroke: "#7a869a", StrokeW: 1, Dash: []float64{6, 3}})
	net.Add(&draw.Text{X: 32, Y: 72, S: "frontend  bridge br-1592a8003a3c  172.18.0.0/16", Size: 13, Bold: true, Color: "#334"})
	web := node("ctr:web", 40, 90,
		&draw.Text{S: "web", Size: 14, Bold: true},
		&draw.Text{S: "02:42:ac:12:00:02", Size: 11},
		&draw.Text{S: "172.18.0.2 ⇄ :8080→80", Size: 11})
	db := node("ctr:db", 330, 90,
		&draw.Text{S: "db (alias: mysql)", Size: 14, Bold: true, Anchor: draw.Middle},
		&draw.Text{S: "02:42:ac:12:00:03", Size: 11, Anchor: draw.Middle},
		&draw.Text{S: "메모: 한글 노트", Size: 11, Anchor: draw.Middle})
	cache := node("ctr:cache", 40, 230,
		&draw.Text{S: "cache", Size: 14, Bold: true, Anchor: draw.End},
		&draw.Text{S: "ICC off — internal", Size: 11, Color: "#a00", Anchor: draw.End})
	net.Add(web, db, cache)
	s.Add(net)

	// a removed container, drawn faded
	gone := node("ctr:old", 330, 230, &draw.Text{S: "old (removed)", Size: 14, Bold: true}, &draw.Text{S: "was 172.18.0.9", Size: 11})
	gone.Opacity = 0.4
	net.Add(gone)

	wr, dr, cr := shape(web), shape(db), shape(cache)
	// --link web → db: solid, arrow
	s.Add(&draw.Line{Pts: []draw.Pt{{X: wr.X + wr.W, Y: wr.Y + 20}, {X: dr.X, Y: dr.Y + 20}}, Stroke: "#2a7", W: 2, Arrow: true})
	// NAT: dashed with a bend and an arrow
	s.Add(&draw.Line{Pts: []draw.Pt{{X: cr.X + cr.W/2, Y: cr.Y + cr.H}, {X: cr.X + cr.W/2, Y: 420}, {X: 700, Y: 420}, {X: 700, Y: 300}},
		Stroke: "#c60", W: 1.5, Dash: []float64{5, 3}, Arrow: true})
	s.Add(&draw.Text{X: 560, Y: 412, S: "NAT 0.0.0.0:8080", Size: 11, Color: "#c60"})
	// macvlan: dotted, semi-transparent
	s.Add(&draw.Line{Pts: []draw.Pt{{X: 20, Y: 470}, {X: 300, Y: 470}, {X: 340, Y: 500}}, Stroke: "#5a2d82", W: 3, Dash: []float64{1, 3}, Opacity: 0.7})

	host := node("host:eth0", 620, 200, &draw.Text{S: "eth0", Size: 14, Bold: true}, &draw.Text{S: "192.168.1.10/24", Size: 11})
	s.Add(host)

	// a reach matrix header: rotated labels
	for i, n := range []string{"web", "db", "cache", "alicek106"} {
		s.Add(&draw.Text{X: 640 + float64(i)*22, Y: 170, S: n, Size: 12, Rotate: -90})
	}
	s.Add(&draw.Text{X: 760, Y: 120, S: "tilted", Size: 12, Rotate: 30, Color: "#0a0"})

	// legend: a filled polygon, a half-transparent rect, colour forms
	s.Add(&draw.Line{Pts: []draw.Pt{{X: 620, Y: 470}, {X: 632, Y: 458}, {X: 644, Y: 470}, {X: 632, Y: 482}}, Closed: true, Fill: "#fc0", Stroke: "black", W: 1})
	s.Add(&draw.Text{X: 652, Y: 474, S: "reached", Size: 12})
	s.Add(&draw.Rect{X: 740, Y: 460, W: 20, H: 20, Fill: "#e0000080", Stroke: "#000", StrokeW: 1})
	s.Add(&draw.Text{X: 768, Y: 474, S: "UNEXPECTED", Size: 12, Bold: true, Color: "#e00"})
	s.Add(&draw.Rect{X: 740, Y: 500, W: 20, H: 20, Fill: "white", Stroke: "#555", StrokeW: 2, Dash: []float64{2, 2}, Opacity: 0.5})
	s.Add(&draw.Text{X: 768, Y: 514, S: "not measured", Size: 12, Color: "#555"})
	return s
}

func TestBrowserAgreesWithPNG(t *testing.T) {
	b := browsertest.New(t)
	s := representative()
	var svg bytes.Buffer
	if err := draw.WriteSVG(&svg, s); err != nil {
		t.Fatal(err)
	}
	browsertest.SaveArtifact(t, "picture.svg", svg.Bytes())

	start := time.Now()
	g, err := b.Geometry(svg.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("geometry in %v: fit scale %.3f, %d nodes, %d texts, %d shapes", time.Since(start).Round(time.Millisecond), g.Scale, len(g.Nodes), len(g.Texts), len(g.Shapes))
	if want := min(1920/s.W, 1080/s.H); abs(g.Scale-want) > 1e-6 {
		t.Errorf("fit scale %v, want %v", g.Scale, want)
	}
	for _, c := range []struct {
		name  string
		check func(*browsertest.Geometry) []string
	}{
		{"TextsInsideTheirNode", browsertest.TextsInsideTheirNode},
		{"NodesDoNotOverlap", browsertest.NodesDoNotOverlap},
		{"TextsDoNotOverlap", browsertest.TextsDoNotOverlap},
	} {
		if p := c.check(g); len(p) > 0 {
			t.Errorf("%s:\n  %s", c.name, strings.Join(p, "\n  "))
		}
	}
	px, small := browsertest.MinTextHeight(g)
	t.Logf("smallest text %s: %.2fpx at the fit", small.Name(), px)
	if want := 11 * g.Scale; abs(px-want) > 0.01 {
		t.Errorf("smallest text %.2fpx, want %.2fpx (11 units × %.3f)", px, want, g.Scale)
	}
	// The embedded font draws everything it has glyphs for; only ⇄ and
	// the Korean text come from elsewhere.
	var fallback []string
	for _, p := range browsertest.EmbeddedFontUsed(g) {
		if !strings.Contains(p, "⇄") && !strings.Contains(p, "한글") {
			fallback = append(fallback, p)
		}
	}
	if len(fallback) > 0 {
		t.Errorf("EmbeddedFontUsed:\n  %s", strings.Join(fallback, "\n  "))
	}
	t.Logf("fonts drawn: %+v; faces: %+v", g.Fonts, g.FontFaces)

	for _, scale := range []float64{1, 2} {
		t.Run(fmt.Sprintf("scale%v", scale), func(t *testing.T) {
			start := time.Now()
			shot, err := b.Screenshot(svg.Bytes(), scale)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			start = time.Now()
			img, err := draw.Rasterize(s, scale)
			if err != nil {
				t.Fatal(err)
			}
			raster := time.Since(start)
			if shot.Bounds().Size() != img.Bounds().Size() {
				t.Errorf("screenshot %v, PNG %v", shot.Bounds().Size(), img.Bounds().Size())
			}
			missed := browsertest.InkAgreement(shot, img, 2)
			added := browsertest.InkAgreement(img, shot, 2)
			exact := browsertest.InkAgreement(shot, img, 0)
			t.Logf("screenshot %v, rasterize %v; ink agreement radius 2: browser→png %.4f, png→browser %.4f (radius 0: %.4f)",
				took.Round(time.Millisecond), raster.Round(time.Millisecond), missed, added, exact)
			browsertest.SaveArtifact(t, "browser.png", shot)
			browsertest.SaveArtifact(t, "netviz.png", img)
			browsertest.SaveArtifact(t, "diff.png", browsertest.InkDiff(shot, img))
			if missed < 0.90 || added < 0.90 {
				t.Errorf("PNG and browser disagree: %.3f of the browser's ink is in the PNG, %.3f of the PNG's in the browser's (want ≥ 0.90 both)", missed, added)
			}
		})
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestBrowserAgreesOnOddCases draws what the SVG writer leaves to the
// browser's rules — an arrow with no stroke colour, opacity that rounds
// to 0, a stroke width of 0, a corner radius past half the box, dash
// patterns SVG rejects or repeats, zero-length dashes, self-crossing
// polygons — one case to a cell, and compares the PNG with Chromium cell
// by cell.
func TestBrowserAgreesOnOddCases(t *testing.T) {
	b := browsertest.New(t)
	const cw, ch = 120, 80
	type cell struct {
		name  string
		items []draw.Item
	}
	line := func(x0, y0, x1, y1 float64) []draw.Pt { return []draw.Pt{{X: x0, Y: y0}, {X: x1, Y: y1}} }
	cells := []cell{
		{"arrow without stroke colour", []draw.Item{&draw.Line{Pts: line(10, 40, 100, 40), W: 2, Arrow: true}}},
		{"arrow with stroke none", []draw.Item{&draw.Line{Pts: line(10, 40, 100, 40), Stroke: "none", W: 2, Arrow: true}}},
		{"opacity 0.004", []draw.Item{&draw.Rect{X: 10, Y: 10, W: 100, H: 60, Fill: "#000", Opacity: 0.004}}},
		{"opacity -1", []draw.Item{&draw.Rect{X: 10, Y: 10, W: 100, H: 60, Fill: "#000", Opacity: -1}}},
		{"opacity 2", []draw.Item{&draw.Rect{X: 10, Y: 10, W: 100, H: 60, Fill: "#000", Opacity: 2}}},
		{"stroke width 0", []draw.Item{&draw.Rect{X: 10, Y: 10, W: 100, H: 60, Stroke: "#000"}}},
		{"stroke width -2", []draw.Item{&draw.Line{Pts: line(10, 40, 100, 40), Stroke: "#000", W: -2}}},
		{"radius past half", []draw.Item{&draw.Rect{X: 10, Y: 20, W: 100, H: 40, R: 50, Fill: "#36c", Stroke: "#000", StrokeW: 2}}},
		{"odd dash", []draw.Item{&draw.Line{Pts: line(10, 40, 110, 40), Stroke: "#000", W: 3, Dash: []float64{7, 3, 2}}}},
		{"zero dashes", []draw.Item{&draw.Line{Pts: line(10, 40, 110, 40), Stroke: "#000", W: 3, Dash: []float64{0, 4}}}},
		{"negative dash", []draw.Item{&draw.Line{Pts: line(10, 40, 110, 40), Stroke: "#000", W: 3, Dash: []float64{4, -1}}}},
		{"dashed rounded rect", []draw.Item{&draw.Rect{X: 10, Y: 10, W: 100, H: 60, R: 15, Stroke: "#000", StrokeW: 2, Dash: []float64{9, 4}}}},
		{"hairpin round join", []draw.Item{&draw.Line{Pts: []draw.Pt{{X: 10, Y: 20}, {X: 100, Y: 30}, {X: 100, Y: 30}, {X: 10, Y: 40}}, Stroke: "#000", W: 6}}},
		{"self-crossing star", []draw.Item{&draw.Line{Pts: []draw.Pt{{X: 60, Y: 5}, {X: 85, Y: 75}, {X: 20, Y: 30}, {X: 100, Y: 30}, {X: 35, Y: 75}}, Closed: true, Fill: "#c00"}}},
		{"colour forms", []draw.Item{&draw.Rect{X: 5, Y: 10, W: 25, H: 60, Fill: "#0a08"}, &draw.Rect{X: 35, Y: 10, W: 25, H: 60, Fill: "steelblue"},
			&draw.Rect{X: 65, Y: 10, W: 25, H: 60, Fill: "#33000080"}, &draw.Rect{X: 95, Y: 10, W: 20, H: 60, Fill: "BLACK"}}},
		{"text size 0, colour none", []draw.Item{&draw.Text{X: 10, Y: 40, S: "zero", Size: 0}, &draw.Text{X: 10, Y: 60, S: "none", Size: 14, Color: "none"}}},
		{"text turned 45 about its middle", []draw.Item{&draw.Text{X: 60, Y: 45, S: "diagonal", Size: 14, Anchor: draw.Middle, Rotate: 45}}},
		{"text end anchor, bold", []draw.Item{&draw.Text{X: 110, Y: 45, S: "…end→", Size: 16, Bold: true, Anchor: draw.End}}},
		{"group in group opacity", []draw.Item{&draw.Group{Opacity: 0.5, Items: []draw.Item{&draw.Rect{X: 10, Y: 10, W: 60, H: 60, Fill: "#000"},
			&draw.Group{Opacity: 0.5, Items: []draw.Item{&draw.Rect{X: 40, Y: 20, W: 60, H: 40, Fill: "#00f", Stroke: "#000", StrokeW: 4}}}}}}},
		{"thin lines off the pixel grid", []draw.Item{&draw.Line{Pts: line(10.3, 20.5, 110.7, 22.1), Stroke: "#000", W: 0.6},
			&draw.Line{Pts: line(10, 50.25, 110, 50.25), Stroke: "#000", W: 1}, &draw.Line{Pts: line(60.5, 5, 60.5, 75), Stroke: "#000", W: 1.5}}},
	}
	const cols = 5
	s := &draw.Scene{W: cols * cw, H: float64((len(cells)+cols-1)/cols) * ch}
	for i, c := range cells {
		g := &draw.Group{Attrs: draw.Attrs{ID: fmt.Sprintf("case%d", i)}}
		for _, it := range c.items {
			shift(it, float64(i%cols)*cw, float64(i/cols)*ch)
			g.Add(it)
		}
		s.Add(g)
	}
	var svg bytes.Buffer
	if err := draw.WriteSVG(&svg, s); err != nil {
		t.Fatal(err)
	}
	shot, err := b.Screenshot(svg.Bytes(), 2)
	if err != nil {
		t.Fatal(err)
	}
	img, err := draw.Rasterize(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	type sub interface {
		SubImage(image.Rectangle) image.Image
	}
	bad := false
	for i, c := range cells {
		r := image.Rect(i%cols*cw*2, i/cols*ch*2, (i%cols+1)*cw*2, (i/cols+1)*ch*2)
		bs, ps := shot.(sub).SubImage(r), img.SubImage(r)
		missed, added := browsertest.InkAgreement(bs, ps, 2), browsertest.InkAgreement(ps, bs, 2)
		if missed < 0.95 || added < 0.95 {
			t.Errorf("%s: %.3f of the browser's ink in the PNG, %.3f of the PNG's in the browser's", c.name, missed, added)
			bad = true
		}
	}
	if bad || testing.Verbose() {
		browsertest.SaveArtifact(t, "browser.png", shot)
		browsertest.SaveArtifact(t, "netviz.png", img)
		browsertest.SaveArtifact(t, "diff.png", browsertest.InkDiff(shot, img))
	}
}

// shift moves an item by (dx, dy).
func shift(it draw.Item, dx, dy float64) {
	switch v := it.(type) {
	case *draw.Rect:
		v.X, v.Y = v.X+dx, v.Y+dy
	case *draw.Line:
		for i := range v.Pts {
			v.Pts[i].X, v.Pts[i].Y = v.Pts[i].X+dx, v.Pts[i].Y+dy
		}
	case *draw.Text:
		v.X, v.Y = v.X+dx, v.Y+dy
	case *draw.Group:
		for _, m := range v.Items {
			shift(m, dx, dy)
		}
	}
}
