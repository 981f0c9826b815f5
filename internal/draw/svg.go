package draw

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	tdfont "github.com/tdewolff/font"
)

// WriteSVG writes s as a standalone SVG document. Text is set in the
// embedded font: the file carries the glyphs it uses (a WOFF2 subset of Go
// Regular and Go Bold as @font-face data), kerning off, and each text's
// measured width as its textLength, so a viewer without the embedded font
// still fits it into the space it was given.
func WriteSVG(w io.Writer, s *Scene) error {
	bw := bufio.NewWriter(w)
	sw := &svgWriter{w: bw}
	used := [2]map[rune]bool{{}, {}}
	walk(s.Items, func(it Item) {
		if t, ok := it.(*Text); ok {
			for _, r := range t.S {
				used[b2i(t.Bold)][r] = true
			}
		}
	})
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s">`+"\n", num(s.W), num(s.H), num(s.W), num(s.H))
	if s.Title != "" {
		fmt.Fprintf(bw, "<title>%s</title>\n", html.EscapeString(s.Title))
	}
	bw.WriteString("<style>\n")
	for i, weight := range []string{"400", "700"} {
		if len(used[i]) == 0 {
			continue
		}
		data, err := subsetWOFF2(i == 1, used[i])
		if err != nil {
			return fmt.Errorf("embed font: %w", err)
		}
		fmt.Fprintf(bw, "@font-face{font-family:%q;font-weight:%s;src:url(data:font/woff2;base64,%s) format(\"woff2\")}\n", FontFamily, weight, base64.StdEncoding.EncodeToString(data))
	}
	fmt.Fprintf(bw, "text{font-family:%s;font-kerning:none;font-variant-ligatures:none;white-space:pre}\n", fontStack)
	bw.WriteString("</style>\n")
	fmt.Fprintf(bw, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for _, it := range s.Items {
		sw.item(it, 0)
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

type svgWriter struct{ w *bufio.Writer }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// walk calls f for every item, groups' members included.
func walk(items []Item, f func(Item)) {
	for _, it := range items {
		f(it)
		if g, ok := it.(*Group); ok {
			walk(g.Items, f)
		}
	}
}

// Walk calls f for every item of s, depth first, groups before their members.
func (s *Scene) Walk(f func(Item)) { walk(s.Items, f) }

func num(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func num2(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

func attr(b *strings.Builder, name, val string) {
	if val == "" {
		return
	}
	b.WriteString(" " + name + `="` + html.EscapeString(val) + `"`)
}

func (a *Attrs) write(b *strings.Builder) {
	attr(b, "id", a.ID)
	attr(b, "class", a.Class)
	keys := make([]string, 0, len(a.Data))
	for k := range a.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		attr(b, "data-"+k, a.Data[k])
	}
}

func dash(d []float64) string {
	if len(d) == 0 {
		return ""
	}
	parts := make([]string, len(d))
	for i, v := range d {
		parts[i] = num2(v)
	}
	return strings.Join(parts, " ")
}

func opacity(o float64) string {
	if o == 0 || o == 1 {
		return ""
	}
	return num2(o)
}

func (sw *svgWriter) tip(t string, b *strings.Builder) {
	if t != "" {
		b.WriteString("<title>" + html.EscapeString(t) + "</title>")
	}
}

func (sw *svgWriter) item(it Item, depth int) {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", depth))
	switch v := it.(type) {
	case *Rect:
		b.WriteString("<rect")
		v.Attrs.write(&b)
		attr(&b, "x", num2(v.X))
		attr(&b, "y", num2(v.Y))
		attr(&b, "width", num2(v.W))
		attr(&b, "height", num2(v.H))
		if v.R > 0 {
			attr(&b, "rx", num2(v.R))
		}
		attr(&b, "fill", orNone(v.Fill))
		if v.Stroke != "" {
			attr(&b, "stroke", v.Stroke)
			attr(&b, "stroke-width", num2(orOne(v.StrokeW)))
			attr(&b, "stroke-dasharray", dash(v.Dash))
		}
		attr(&b, "opacity", opacity(v.Opacity))
		sw.closeTag(&b, "rect", v.Tip)
	case *Line:
		if len(v.Pts) < 2 {
			return
		}
		tag := "polyline"
		if v.Closed {
			tag = "polygon"
		}
		pts := make([]string, len(v.Pts))
		for i, p := range v.Pts {
			pts[i] = num2(p.X) + "," + num2(p.Y)
		}
		var ab strings.Builder
		if v.Arrow {
			ab.WriteString(`<polygon points="`)
			for i, p := range arrowHead(v.Pts, v.W) {
				if i > 0 {
					ab.WriteString(" ")
				}
				ab.WriteString(num2(p.X) + "," + num2(p.Y))
			}
			ab.WriteString(`" fill="` + html.EscapeString(v.Stroke) + `"/>`)
			b.WriteString("<g")
			v.Attrs.write(&b)
			attr(&b, "opacity", opacity(v.Opacity))
			b.WriteString(">")
			sw.tip(v.Tip, &b)
			b.WriteString("<" + tag)
		} else {
			b.WriteString("<" + tag)
			v.Attrs.write(&b)
			attr(&b, "opacity", opacity(v.Opacity))
		}
		attr(&b, "points", strings.Join(pts, " "))
		if v.Closed {
			attr(&b, "fill", orNone(v.Fill))
		} else {
			attr(&b, "fill", "none")
		}
		if v.Stroke != "" {
			attr(&b, "stroke", v.Stroke)
			attr(&b, "stroke-width", num2(orOne(v.W)))
			attr(&b, "stroke-dasharray", dash(v.Dash))
			attr(&b, "stroke-linejoin", "round")
		}
		if v.Arrow {
			b.WriteString("/>" + ab.String() + "</g>")
			sw.w.WriteString(b.String() + "\n")
			return
		}
		sw.closeTag(&b, tag, v.Tip)
	case *Text:
		if v.S == "" {
			return
		}
		b.WriteString("<text")
		v.Attrs.write(&b)
		attr(&b, "x", num2(v.X))
		attr(&b, "y", num2(v.Y))
		attr(&b, "font-size", num2(v.Size))
		if v.Bold {
			attr(&b, "font-weight", "700")
		}
		attr(&b, "fill", orBlack(v.Color))
		switch v.Anchor {
		case Middle:
			attr(&b, "text-anchor", "middle")
		case End:
			attr(&b, "text-anchor", "end")
		}
		if v.Rotate != 0 {
			attr(&b, "transform", "rotate("+num2(v.Rotate)+" "+num2(v.X)+" "+num2(v.Y)+")")
		}
		attr(&b, "textLength", num2(TextWidth(v.S, v.Size, v.Bold)))
		attr(&b, "lengthAdjust", "spacingAndGlyphs")
		b.WriteString(">")
		sw.tip(v.Tip, &b)
		b.WriteString(html.EscapeString(v.S) + "</text>")
		sw.w.WriteString(b.String() + "\n")
	case *Group:
		b.WriteString("<g")
		v.Attrs.write(&b)
		attr(&b, "opacity", opacity(v.Opacity))
		b.WriteString(">")
		sw.tip(v.Tip, &b)
		sw.w.WriteString(b.String() + "\n")
		for _, c := range v.Items {
			sw.item(c, depth+1)
		}
		sw.w.WriteString(strings.Repeat(" ", depth) + "</g>\n")
	}
}

func (sw *svgWriter) closeTag(b *strings.Builder, tag, tip string) {
	if tip == "" {
		b.WriteString("/>")
	} else {
		b.WriteString(">")
		sw.tip(tip, b)
		b.WriteString("</" + tag + ">")
	}
	sw.w.WriteString(b.String() + "\n")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func orBlack(s string) string {
	if s == "" {
		return "#000000"
	}
	return s
}

func orOne(f float64) float64 {
	if f == 0 {
		return 1
	}
	return f
}

// arrowHead is the triangle at the end of pts for a line of width w; the
// polyline's last segment gives its direction.
func arrowHead(pts []Pt, w float64) []Pt {
	a, b := pts[len(pts)-2], pts[len(pts)-1]
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return []Pt{b, b, b}
	}
	dx, dy = dx/l, dy/l
	size := 5 + 2*orOne(w)
	half := size * 0.45
	base := Pt{b.X - dx*size, b.Y - dy*size}
	return []Pt{b, {base.X - dy*half, base.Y + dx*half}, {base.X + dy*half, base.Y - dx*half}}
}

var subsetCache sync.Map // key string → []byte

// subsetWOFF2 is the bold or regular face cut down to the runes used, as
// WOFF2.
func subsetWOFF2(bold bool, runes map[rune]bool) ([]byte, error) {
	rs := make([]rune, 0, len(runes))
	for r := range runes {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	key := fmt.Sprint(bold, string(rs))
	if v, ok := subsetCache.Load(key); ok {
		return v.([]byte), nil
	}
	f, err := tdfont.ParseFont(FontData(bold), 0)
	if err != nil {
		return nil, err
	}
	ids := []uint16{0}
	for _, r := range rs {
		if g := f.GlyphIndex(r); g != 0 && !slices.Contains(ids, g) {
			ids = append(ids, g)
		}
	}
	sub, err := f.Subset(ids, tdfont.SubsetOptions{Tables: tdfont.KeepAllTables})
	if err != nil {
		return nil, err
	}
	data, err := sub.WriteWOFF2()
	if err != nil {
		return nil, err
	}
	subsetCache.Store(key, data)
	return data, nil
}
