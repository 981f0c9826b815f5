package browsertest

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// InkLevel is the darkest channel value (0–255, over white) above which a
// pixel counts as paper, not ink: pale fills are background, lines, text
// and strong colours are ink.
var InkLevel uint8 = 208

// inkMap is which pixels of img have ink, row by row from img's origin.
func inkMap(img image.Image) (w, h int, ink []bool) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	ink = make([]bool, w*h)
	isInk := func(r, g, bl, a uint32) bool {
		// over white: c' = c + (1-a) (premultiplied, 16 bit)
		m := min(r, g, bl) + (0xffff - a)
		return m>>8 < uint32(InkLevel)
	}
	switch im := img.(type) {
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := im.Pix[im.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				p := row[4*x : 4*x+4]
				ink[y*w+x] = isInk(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, uint32(p[3])*0x101)
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := im.Pix[im.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				p := row[4*x : 4*x+4]
				a := uint32(p[3])
				ink[y*w+x] = isInk(uint32(p[0])*a*0x101/0xff, uint32(p[1])*a*0x101/0xff, uint32(p[2])*a*0x101/0xff, a*0x101)
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				ink[y*w+x] = isInk(r, g, bl, a)
			}
		}
	}
	return w, h, ink
}

// InkAgreement is the share of ref's ink pixels (darker than InkLevel)
// that have ink in got within radius pixels (a square window), the two
// images laid over each other at their top-left corners; 1 when ref has no
// ink. Call it both ways round: ref→got finds what got misses, got→ref
// what got adds.
func InkAgreement(ref, got image.Image, radius int) float64 {
	rw, rh, rink := inkMap(ref)
	gw, gh, gink := inkMap(got)
	radius = max(0, radius)
	// summed-area table of got's ink, (gw+1)×(gh+1)
	sat := make([]int32, (gw+1)*(gh+1))
	for y := 0; y < gh; y++ {
		var run int32
		for x := 0; x < gw; x++ {
			if gink[y*gw+x] {
				run++
			}
			sat[(y+1)*(gw+1)+x+1] = sat[y*(gw+1)+x+1] + run
		}
	}
	count := func(x0, y0, x1, y1 int) int32 { // ink in [x0,x1)×[y0,y1), clipped
		x0, y0 = max(x0, 0), max(y0, 0)
		x1, y1 = min(x1, gw), min(y1, gh)
		if x0 >= x1 || y0 >= y1 {
			return 0
		}
		return sat[y1*(gw+1)+x1] - sat[y0*(gw+1)+x1] - sat[y1*(gw+1)+x0] + sat[y0*(gw+1)+x0]
	}
	total, hit := 0, 0
	for y := 0; y < rh; y++ {
		for x := 0; x < rw; x++ {
			if !rink[y*rw+x] {
				continue
			}
			total++
			if count(x-radius, y-radius, x+radius+1, y+radius+1) > 0 {
				hit++
			}
		}
	}
	if total == 0 {
		return 1
	}
	return float64(hit) / float64(total)
}

// InkDiff is an image of where ref and got disagree: black where both have
// ink, red where only ref has it (got misses it), blue where only got has
// it, white elsewhere — to save next to a failing comparison.
func InkDiff(ref, got image.Image) image.Image {
	rw, rh, rink := inkMap(ref)
	gw, gh, gink := inkMap(got)
	w, h := max(rw, gw), max(rh, gh)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r := x < rw && y < rh && rink[y*rw+x]
			g := x < gw && y < gh && gink[y*gw+x]
			p := out.Pix[out.PixOffset(x, y):]
			c := [4]uint8{255, 255, 255, 255}
			switch {
			case r && g:
				c = [4]uint8{0, 0, 0, 255}
			case r:
				c = [4]uint8{230, 0, 0, 255}
			case g:
				c = [4]uint8{0, 60, 230, 255}
			}
			copy(p[:4], c[:])
		}
	}
	return out
}

// ArtifactDir is where SaveArtifact writes: $NETVIZ_ARTIFACTS (made if
// need be), else a directory of t's that goes when t ends.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("NETVIZ_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("NETVIZ_ARTIFACTS: %v", err)
		}
		return d
	}
	return t.TempDir()
}

// SaveArtifact writes data — an image.Image (as PNG) or []byte as it is —
// to ArtifactDir as <test name>-<name>, logs where, and returns the path.
func SaveArtifact(t testing.TB, name string, data any) string {
	t.Helper()
	var b []byte
	switch v := data.(type) {
	case []byte:
		b = v
	case image.Image:
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, v); err != nil {
			t.Fatalf("artifact %s: %v", name, err)
		}
		b = buf.Bytes()
	default:
		t.Fatalf("artifact %s: cannot save a %T (want image.Image or []byte)", name, data)
	}
	p := filepath.Join(ArtifactDir(t), safeName(t.Name())+"-"+safeName(name))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatalf("artifact %s: %v", name, err)
	}
	t.Logf("artifact %s", p)
	return p
}

// safeName keeps letters, digits, '.', '-' and '_' of s; the rest become '_'.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "artifact"
	}
	return strings.TrimLeft(b.String(), ".")
}
