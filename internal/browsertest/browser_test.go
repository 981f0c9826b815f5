package browsertest_test

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/draw"
)

func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }

func svgOf(t *testing.T, s *draw.Scene) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := draw.WriteSVG(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func close(a, b float64) bool { return math.Abs(a-b) < 0.01 }

func TestGeometry(t *testing.T) {
	b := browsertest.New(t)
	// 960×540 fits 1920×1080 at exactly 2×
	s := &draw.Scene{W: 960, H: 540}
	outer := &draw.Group{Attrs: draw.Attrs{Class: "node cluster", Data: map[string]string{"obj": "net:front", "kind": "network"}}}
	outer.Add(&draw.Rect{X: 10, Y: 10, W: 400, H: 200, Fill: "#eee"})
	inner := &draw.Group{Attrs: draw.Attrs{Class: "node", ID: "web"}}
	inner.Add(&draw.Rect{X: 20, Y: 40, W: 100, H: 40, Fill: "#fff", Stroke: "#000"},
		&draw.Text{X: 30, Y: 65, S: "web", Size: 14, Bold: true, Attrs: draw.Attrs{Tip: "a tooltip is not text"}},
		&draw.Text{X: 30, Y: 95, S: "spills out", Size: 10})
	outer.Add(inner, &draw.Text{X: 20, Y: 30, S: "front", Size: 12})
	s.Add(outer,
		&draw.Group{Attrs: draw.Attrs{Class: "node", Data: map[string]string{"obj": "ctr:db"}}, Items: []draw.Item{&draw.Rect{X: 400, Y: 150, W: 100, H: 100}}},
		&draw.Line{Attrs: draw.Attrs{Data: map[string]string{"obj": "edge:x"}}, Pts: []draw.Pt{{X: 600, Y: 100}, {X: 700, Y: 100}}, Stroke: "#000", Arrow: true},
		&draw.Text{X: 800, Y: 300, S: "upwards", Size: 20, Rotate: -90})
	g, err := b.Geometry(svgOf(t, s))
	if err != nil {
		t.Fatal(err)
	}
	if g.Scale != 2 || g.Picture != (browsertest.Rect{X: 0, Y: 0, W: 1920, H: 1080}) {
		t.Errorf("scale %v picture %v, want 2 and the whole screen", g.Scale, g.Picture)
	}
	if len(g.Nodes) != 3 {
		t.Fatalf("%d nodes: %+v", len(g.Nodes), g.Nodes)
	}
	n0, n1, n2 := g.Nodes[0], g.Nodes[1], g.Nodes[2]
	if n0.Obj != "net:front" || n0.Data["kind"] != "network" || n0.Parent != -1 || n0.Shape != (browsertest.Rect{X: 20, Y: 20, W: 800, H: 400}) {
		t.Errorf("outer node %+v", n0)
	}
	if n1.ID != "web" || n1.Parent != 0 || n1.Shape != (browsertest.Rect{X: 40, Y: 80, W: 200, H: 80}) || !n1.HasShape {
		t.Errorf("inner node %+v", n1)
	}
	if n2.Obj != "ctr:db" || n2.Parent != -1 {
		t.Errorf("third node %+v", n2)
	}
	if len(g.Texts) != 4 {
		t.Fatalf("%d texts: %+v", len(g.Texts), g.Texts)
	}
	web := g.Texts[0]
	wb := draw.TextBox(&draw.Text{X: 30, Y: 65, S: "web", Size: 14, Bold: true})
	if web.S != "web" || web.Node != 1 || web.Weight != "700" || !close(web.Px, 28) ||
		!close(web.Box.X, 2*wb.X) || !close(web.Box.W, 2*wb.W) || math.Abs(web.Box.Y-2*wb.Y) > 0.5 || math.Abs(web.Box.H-2*wb.H) > 0.5 {
		t.Errorf("text web %+v, want box 2×%+v", web, wb)
	}
	if up := g.Texts[3]; up.Node != -1 || !close(up.Rotate, -90) || up.Box.W > up.Box.H {
		t.Errorf("rotated text %+v", up)
	}
	if g.Texts[2].Obj != "net:front" || g.Texts[2].Node != 0 {
		t.Errorf("text front %+v", g.Texts[2])
	}
	var edge bool
	for _, sh := range g.Shapes {
		if sh.Obj == "edge:x" && sh.Tag == "polyline" {
			edge = close(sh.Box.X, 1200) && close(sh.Box.W, 200)
		}
		if sh.Box.W == 1920 && sh.Box.H == 1080 {
			t.Errorf("the background is listed as a shape: %+v", sh)
		}
	}
	if !edge {
		t.Errorf("no polyline edge:x at x 1200..1400 in %+v", g.Shapes)
	}

	// the checks see what is wrong with it
	if p := browsertest.TextsInsideTheirNode(g); len(p) != 1 || !strings.Contains(p[0], `text "spills out"`) || !strings.Contains(p[0], `node #"web"`) {
		t.Errorf("TextsInsideTheirNode = %q", p)
	}
	if p := browsertest.NodesDoNotOverlap(g); len(p) != 1 || !strings.Contains(p[0], `node "net:front"`) || !strings.Contains(p[0], `node "ctr:db"`) {
		t.Errorf("NodesDoNotOverlap = %q", p)
	}
	if px, txt := browsertest.MinTextHeight(g); px != 20 || txt.S != "spills out" {
		t.Errorf("MinTextHeight = %v %+v", px, txt)
	}
	// the embedded font is what was drawn with
	if p := browsertest.EmbeddedFontUsed(g); len(p) != 0 {
		t.Errorf("EmbeddedFontUsed = %q", p)
	}
	if len(g.FontFaces) != 2 || len(g.Fonts) == 0 || !g.Fonts[0].Custom {
		t.Errorf("faces %+v fonts %+v", g.FontFaces, g.Fonts)
	}

	// a tall picture is fitted by its height and centred
	tall, err := b.Geometry(svgOf(t, &draw.Scene{W: 100, H: 2160, Items: []draw.Item{&draw.Rect{X: 0, Y: 0, W: 100, H: 10, Fill: "#000"}}}))
	if err != nil {
		t.Fatal(err)
	}
	if tall.Scale != 0.5 || tall.Picture != (browsertest.Rect{X: 935, Y: 0, W: 50, H: 1080}) || tall.Shapes[0].Box != (browsertest.Rect{X: 935, Y: 0, W: 50, H: 5}) {
		t.Errorf("tall: scale %v picture %v shapes %+v", tall.Scale, tall.Picture, tall.Shapes)
	}
	// what is not an SVG is an error, not a picture
	for _, bad := range []string{`<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>`, `<html xmlns="http://www.w3.org/1999/xhtml"/>`} {
		if _, err := b.Geometry([]byte(bad)); err == nil {
			t.Errorf("Geometry(%q) gave no error", bad)
		} else {
			t.Logf("Geometry(%q): %v", bad, err)
		}
	}
}

func TestScreenshot(t *testing.T) {
	b := browsertest.New(t)
	s := &draw.Scene{W: 201, H: 100}
	s.Add(&draw.Rect{X: 10, Y: 10, W: 50, H: 50, Fill: "#ff0000"}, &draw.Text{X: 100, Y: 60, S: "netviz", Size: 20, Bold: true})
	svg := svgOf(t, s)
	for _, scale := range []float64{1, 1.5, 2} {
		img, err := b.Screenshot(svg, scale)
		if err != nil {
			t.Fatal(err)
		}
		want := [2]int{int(math.Ceil(201 * scale)), int(math.Ceil(100 * scale))}
		if got := img.Bounds().Size(); got.X != want[0] || got.Y != want[1] {
			t.Errorf("scale %v: %v, want %v", scale, got, want)
		}
		r, g, bl, _ := img.At(int(30*scale), int(30*scale)).RGBA()
		if r>>8 != 255 || g>>8 != 0 || bl>>8 != 0 {
			t.Errorf("scale %v: red square is %d,%d,%d", scale, r>>8, g>>8, bl>>8)
		}
		r, g, bl, _ = img.At(int(150*scale), int(90*scale)).RGBA()
		if r>>8 != 255 || g>>8 != 255 || bl>>8 != 255 {
			t.Errorf("scale %v: background is %d,%d,%d", scale, r>>8, g>>8, bl>>8)
		}
		png, err := draw.Rasterize(s, scale)
		if err != nil {
			t.Fatal(err)
		}
		a, c := browsertest.InkAgreement(img, png, 1), browsertest.InkAgreement(png, img, 1)
		t.Logf("scale %v: ink agreement radius 1: %.4f / %.4f", scale, a, c)
		if a < 0.95 || c < 0.95 {
			t.Errorf("scale %v: screenshot and PNG agree %.3f / %.3f", scale, a, c)
			browsertest.SaveArtifact(t, "shot.png", img)
		}
	}
	if _, err := b.Screenshot(svg, 0); err == nil {
		t.Error("scale 0 gave no error")
	}
	if _, err := b.Screenshot([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000"/>`), 1); err == nil || !strings.Contains(err.Error(), "64 megapixels") {
		t.Errorf("a 81-megapixel screenshot: %v", err)
	}
}
