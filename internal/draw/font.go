package draw

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The font netviz measures and draws with: Go Regular and Go Bold
// (golang.org/x/image/font/gofont, BSD licence), in the binary. The SVG
// writer embeds the glyphs a picture uses, so what a browser draws is what
// was measured here; the PNG rasteriser uses the same outlines.
var (
	// FontFamily is the CSS family name the SVG declares for the embedded
	// font. A viewer that ignores @font-face (rsvg) falls back through
	// the stack: Liberation Sans, Arimo, Arial and Helvetica run 0–3%
	// narrower than Go (measured over names, MACs and addresses), DejaVu
	// Sans Condensed about as wide; plain DejaVu Sans, 13–25% wider,
	// comes last.
	FontFamily = "netviz-go"
	fontStack  = `"netviz-go", "Go", "Liberation Sans", Arimo, Arial, Helvetica, "DejaVu Sans Condensed", sans-serif`
)

// Font metrics, as fractions of the font size.
const (
	// Ascent and Descent of Go Regular (its metrics), used for text boxes.
	Ascent  = 0.945
	Descent = 0.211
)

type face struct {
	once sync.Once
	data []byte
	f    *sfnt.Font
	err  error
	// adv caches advances at 1000 units per em, by rune.
	mu  sync.Mutex
	adv map[rune]float64
}

var faces = [2]*face{{data: goregular.TTF}, {data: gobold.TTF}}

func fontFace(bold bool) *face {
	f := faces[0]
	if bold {
		f = faces[1]
	}
	f.once.Do(func() {
		f.f, f.err = sfnt.Parse(f.data)
		f.adv = map[rune]float64{}
	})
	return f
}

// FontData is the TrueType file of the regular or bold face.
func FontData(bold bool) []byte { return fontFace(bold).data }

// advance is r's advance at size 1000; a rune the font lacks measures as
// the font's .notdef glyph, which is what is drawn for it.
func (f *face) advance(r rune) float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.adv[r]; ok {
		return a
	}
	var buf sfnt.Buffer
	g, err := f.f.GlyphIndex(&buf, r)
	if err != nil {
		g = 0
	}
	a, err := f.f.GlyphAdvance(&buf, g, fixed.I(1000), font.HintingNone)
	if err != nil {
		a = fixed.I(600)
	}
	v := float64(a) / 64
	f.adv[r] = v
	return v
}

// TextWidth is the width in pixels of s set at size px, regular or bold,
// without kerning (the SVG turns kerning off so browsers agree).
func TextWidth(s string, size float64, bold bool) float64 {
	f := fontFace(bold)
	if f.err != nil {
		return float64(len([]rune(s))) * size * 0.6
	}
	w := 0.0
	for _, r := range s {
		w += f.advance(r)
	}
	return w * size / 1000
}

// TextBox is the box a Text occupies: its advance width by ascent plus
// descent, placed at its anchor (unrotated).
func TextBox(t *Text) Box {
	w := TextWidth(t.S, t.Size, t.Bold)
	x := t.X
	switch t.Anchor {
	case Middle:
		x -= w / 2
	case End:
		x -= w
	}
	return Box{X: x, Y: t.Y - Ascent*t.Size, W: w, H: (Ascent + Descent) * t.Size}
}

// Fit shortens s with "…" until it is at most width wide at size px.
func Fit(s string, size float64, bold bool, width float64) string {
	if TextWidth(s, size, bold) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; TextWidth(t, size, bold) <= width {
			return t
		}
	}
	return "…"
}
