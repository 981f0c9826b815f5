package browsertest

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTextsInsideTheirNode(t *testing.T) {
	g := &Geometry{
		Nodes: []Node{
			{Obj: "ctr:web", Shape: Rect{10, 10, 100, 40}, HasShape: true, Parent: -1},
			{Obj: "ctr:db", Shape: Rect{200, 10, 100, 40}, HasShape: true, Parent: -1},
		},
		Texts: []Text{
			{S: "inside", Box: Rect{12, 12, 90, 20}, Node: 0},
			{S: "within slack", Box: Rect{9.2, 12, 101.5, 20}, Node: 0},
			{S: "02:42:ac:11:00:02", Box: Rect{205, 20, 110, 14}, Node: 1},
			{S: "free", Box: Rect{500, 500, 100, 40}, Node: -1},
			{S: "above", Box: Rect{12, 5, 20, 10}, Node: 0},
		},
	}
	got := TextsInsideTheirNode(g)
	want := []string{
		`text "02:42:ac:11:00:02" (205.0,20.0 110.0×14.0) sticks out of node "ctr:db" (200.0,10.0 100.0×40.0): right by 15.0px`,
		`text "above" (12.0,5.0 20.0×10.0) sticks out of node "ctr:web" (10.0,10.0 100.0×40.0): top by 5.0px`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNodesDoNotOverlap(t *testing.T) {
	g := &Geometry{Nodes: []Node{
		{Obj: "net:a", Shape: Rect{0, 0, 500, 300}, Parent: -1},
		{Obj: "ctr:1", Shape: Rect{10, 10, 100, 50}, Parent: 0},
		{Obj: "ctr:2", Shape: Rect{110, 10, 100, 50}, Parent: 0}, // touches ctr:1
		{Obj: "ctr:3", Shape: Rect{150, 40, 100, 50}, Parent: 0}, // overlaps ctr:2
		{Obj: "port:1", Shape: Rect{20, 20, 10, 10}, Parent: 1},  // inside ctr:1, nested deeper
		{Obj: "net:b", Shape: Rect{480, 0, 300, 300}, Parent: -1},
		{Obj: "ctr:4", Shape: Rect{490, 10, 50, 50}, Parent: 5}, // in net:b, overlaps net:a
	}}
	got := NodesDoNotOverlap(g)
	want := []string{
		`node "ctr:2" (110.0,10.0 100.0×50.0) overlaps node "ctr:3" (150.0,40.0 100.0×50.0) by 60.0×20.0px`,
		`node "net:a" (0.0,0.0 500.0×300.0) overlaps node "ctr:4" (490.0,10.0 50.0×50.0) by 10.0×50.0px`,
		`node "net:a" (0.0,0.0 500.0×300.0) overlaps node "net:b" (480.0,0.0 300.0×300.0) by 20.0×300.0px`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// a parent loop does not hang the check
	loop := &Geometry{Nodes: []Node{{Obj: "a", Shape: Rect{0, 0, 10, 10}, Parent: 1}, {Obj: "b", Shape: Rect{5, 5, 10, 10}, Parent: 0}}}
	if p := NodesDoNotOverlap(loop); len(p) != 0 {
		t.Errorf("nested both ways: %v", p)
	}
}

func TestTextsDoNotOverlapAndSizes(t *testing.T) {
	g := &Geometry{Texts: []Text{
		{S: "NAT", Box: Rect{100, 100, 30, 12}, Px: 11},
		{S: "NAT", Box: Rect{110, 104, 30, 12}, Px: 11},
		{S: "frontend", Box: Rect{130, 100, 60, 12}, Px: 13}, // touches the first
		{S: "web", Box: Rect{300, 0, 12, 40}, Px: 9.5, Rotate: -90},
		{S: "  ", Box: Rect{0, 0, 1, 1}, Px: 1},
	}}
	got := TextsDoNotOverlap(g)
	want := []string{
		`text "NAT" (100.0,100.0 30.0×12.0) overlaps text "NAT" (110.0,104.0 30.0×12.0) by 20.0×8.0px`,
		`text "NAT" (110.0,104.0 30.0×12.0) overlaps text "frontend" (130.0,100.0 60.0×12.0) by 10.0×8.0px`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	px, txt := MinTextHeight(g)
	if px != 9.5 || txt == nil || txt.S != "web" {
		t.Errorf("MinTextHeight = %v, %+v; want 9.5 for web (blank text ignored)", px, txt)
	}
	if px, txt := MinTextHeight(&Geometry{}); px != 0 || txt != nil {
		t.Errorf("MinTextHeight of nothing = %v, %v", px, txt)
	}
	if got := TextHeightAtLeast(g, 10); len(got) != 1 || !strings.Contains(got[0], `text "web" is 9.50px high`) {
		t.Errorf("TextHeightAtLeast(10) = %q", got)
	}
}

func TestEmbeddedFontUsed(t *testing.T) {
	good := &Geometry{
		FontFaces: []FontFace{{"netviz-go", "400", "loaded"}},
		Texts:     []Text{{S: "web", Fonts: []FontUse{{Family: "Go", Custom: true, Glyphs: 3}}}},
	}
	if p := EmbeddedFontUsed(good); len(p) != 0 {
		t.Errorf("good: %v", p)
	}
	bad := &Geometry{
		FontFaces: []FontFace{{"netviz-go", "400", "loaded"}, {"netviz-go", "700", "error"}},
		Texts: []Text{{S: "a ⇄ b", Fonts: []FontUse{{Family: "Go", Custom: true, Glyphs: 4},
			{Family: "DejaVu Sans", Glyphs: 1}}}},
	}
	want := []string{`@font-face "netviz-go" weight 700: error`, `text "a ⇄ b": 1 glyph(s) drawn with system font "DejaVu Sans", not the embedded one`}
	if got := EmbeddedFontUsed(bad); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := EmbeddedFontUsed(&Geometry{Texts: []Text{{S: "x"}}}); len(got) != 1 {
		t.Errorf("no @font-face: %q", got)
	}
}

func TestNodeMoves(t *testing.T) {
	a := &Geometry{Nodes: []Node{{Obj: "ctr:web", Shape: Rect{10, 10, 50, 20}}, {Obj: "ctr:db", Shape: Rect{100, 10, 50, 20}}}}
	b := &Geometry{Nodes: []Node{{Obj: "ctr:web", Shape: Rect{10.2, 10, 50, 20}}, {Obj: "ctr:db", Shape: Rect{100, 40, 50, 20}}, {Obj: "ctr:new", Shape: Rect{0, 0, 1, 1}}}}
	got := NodeMoves(a, b, 0.5)
	if len(got) != 1 || !strings.HasPrefix(got[0], `node "ctr:db" moved`) {
		t.Errorf("NodeMoves = %q", got)
	}
}

// img is a w×h white image with black pixels where ink says.
func img(w, h int, ink func(x, y int) bool) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if ink(x, y) {
				c = color.RGBA{0, 0, 0, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func TestInkAgreement(t *testing.T) {
	line := func(at int) *image.RGBA {
		return img(50, 50, func(x, y int) bool { return y == at && x >= 10 && x < 40 })
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if v := InkAgreement(line(20), line(20), 0); !near(v, 1) {
		t.Errorf("same image: %v", v)
	}
	if v := InkAgreement(line(20), line(22), 1); !near(v, 0) {
		t.Errorf("2px apart, radius 1: %v", v)
	}
	if v := InkAgreement(line(20), line(22), 2); !near(v, 1) {
		t.Errorf("2px apart, radius 2: %v", v)
	}
	half := img(50, 50, func(x, y int) bool { return y == 20 && x >= 10 && x < 25 })
	if v := InkAgreement(line(20), half, 0); !near(v, 0.5) {
		t.Errorf("half the line: %v", v)
	}
	if v := InkAgreement(half, line(20), 0); !near(v, 1) {
		t.Errorf("half the line, other way: %v", v)
	}
	blank := img(50, 50, func(x, y int) bool { return false })
	if v := InkAgreement(blank, line(20), 2); !near(v, 1) {
		t.Errorf("no ink in ref: %v", v)
	}
	// pale fills are not ink; a strong colour is; transparency is paper
	pale := image.NewNRGBA(image.Rect(0, 0, 4, 1))
	pale.SetNRGBA(0, 0, color.NRGBA{238, 238, 255, 255})
	pale.SetNRGBA(1, 0, color.NRGBA{200, 0, 0, 255})
	pale.SetNRGBA(2, 0, color.NRGBA{0, 0, 0, 0})
	pale.SetNRGBA(3, 0, color.NRGBA{0, 0, 0, 128})
	_, _, ink := inkMap(pale)
	if !slices.Equal(ink, []bool{false, true, false, true}) {
		t.Errorf("ink of pale, red, transparent, half black = %v", ink)
	}
	// other image types, different sizes, offset bounds
	gray := image.NewGray(image.Rect(5, 5, 15, 15))
	for i := range gray.Pix {
		gray.Pix[i] = 255
	}
	gray.SetGray(5, 5, color.Gray{0})
	small := img(1, 1, func(x, y int) bool { return true })
	if v := InkAgreement(small, gray, 0); !near(v, 1) {
		t.Errorf("gray at an offset: %v", v)
	}
	d := InkDiff(line(20), half)
	if c := d.At(30, 20); c != (color.RGBA{230, 0, 0, 255}) {
		t.Errorf("diff where only ref has ink: %v", c)
	}
}

// fakeTB records a skip or a failure and stops, as testing.T does.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

type stop struct{}

func (f *fakeTB) Helper()                   {}
func (f *fakeTB) Skip(args ...any)          { f.skipped = fmt.Sprint(args...); panic(stop{}) }
func (f *fakeTB) Fatal(args ...any)         { f.failed = fmt.Sprint(args...); panic(stop{}) }
func (f *fakeTB) Fatalf(s string, a ...any) { f.failed = fmt.Sprintf(s, a...); panic(stop{}) }

func run(f *fakeTB, fn func()) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(stop); !ok {
				panic(p)
			}
		}
	}()
	fn()
}

func TestNewWithoutChromium(t *testing.T) {
	oldPlaces, oldNames := places, names
	t.Cleanup(func() { places, names = oldPlaces, oldNames })
	places, names = []string{filepath.Join(t.TempDir(), "no-chromium")}, []string{"netviz-no-such-browser"}
	t.Setenv("NETVIZ_CHROMIUM", "")

	t.Setenv("NETVIZ_E2E", "")
	f := &fakeTB{TB: t}
	run(f, func() { New(f) })
	if !strings.Contains(f.skipped, "needs Chromium") || f.failed != "" {
		t.Errorf("without NETVIZ_E2E: skipped %q, failed %q; want a skip saying Chromium is needed", f.skipped, f.failed)
	}

	t.Setenv("NETVIZ_E2E", "1")
	f = &fakeTB{TB: t}
	run(f, func() { New(f) })
	if !strings.Contains(f.failed, "NETVIZ_E2E=1 but no Chromium") || f.skipped != "" {
		t.Errorf("with NETVIZ_E2E=1: skipped %q, failed %q; want a failure", f.skipped, f.failed)
	}

	// a browser named but not there is a mistake, not a missing package
	t.Setenv("NETVIZ_E2E", "")
	t.Setenv("NETVIZ_CHROMIUM", filepath.Join(t.TempDir(), "chrome"))
	f = &fakeTB{TB: t}
	run(f, func() { New(f) })
	if !strings.Contains(f.failed, "not a program") {
		t.Errorf("NETVIZ_CHROMIUM wrong: skipped %q, failed %q", f.skipped, f.failed)
	}
}

func TestSaveArtifact(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("NETVIZ_ARTIFACTS", filepath.Join(dir, "out"))
	p := SaveArtifact(t, "pic ture.png", img(2, 2, func(x, y int) bool { return x == y }))
	if filepath.Dir(p) != filepath.Join(dir, "out") || filepath.Base(p) != "TestSaveArtifact-pic_ture.png" {
		t.Errorf("saved as %s", p)
	}
	b, err := os.ReadFile(p)
	if err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Errorf("not a PNG: %v", err)
	}
	q := SaveArtifact(t, "../x.svg", []byte("<svg/>"))
	if filepath.Dir(q) != filepath.Join(dir, "out") {
		t.Errorf("a name with .. saved outside the directory: %s", q)
	}
}
