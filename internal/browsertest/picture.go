package browsertest

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

// CheckPicture loads svg scaled to fit 1920×1080 and fails t with every
// problem a projector would show: a text outside its box, boxes or texts
// on top of each other, the embedded font not used, a text under minPx.
// It returns the geometry for further checks.
func (b *Browser) CheckPicture(t testing.TB, svg []byte, minPx float64) *Geometry {
	t.Helper()
	g, err := b.Geometry(svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		check func(*Geometry) []string
	}{
		{"TextsInsideTheirNode", TextsInsideTheirNode},
		{"NodesDoNotOverlap", NodesDoNotOverlap},
		{"TextsDoNotOverlap", TextsDoNotOverlap},
		{"EmbeddedFontUsed", EmbeddedFontUsed},
		{"TextHeightAtLeast", func(g *Geometry) []string { return TextHeightAtLeast(g, minPx) }},
	} {
		if p := c.check(g); len(p) > 0 {
			t.Errorf("%s: %d problems:\n  %s", c.name, len(p), strings.Join(p[:min(len(p), 20)], "\n  "))
		}
	}
	px, _ := MinTextHeight(g)
	t.Logf("fit scale %.3f, %d nodes, %d texts, smallest text %.1f px", g.Scale, len(g.Nodes), len(g.Texts), px)
	return g
}

// ComparePNG fails t unless netviz's PNG of a picture and Chromium's
// screenshot of its SVG agree: the same size, and at least want of each
// one's ink within 2 px of ink in the other. Both images and their
// difference are kept as artifacts. It returns the two agreements.
func (b *Browser) ComparePNG(t testing.TB, svg, pngData []byte, want float64) (svgInPNG, pngInSVG float64) {
	t.Helper()
	shot, err := b.Screenshot(svg, 1)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatalf("netviz's PNG: %v", err)
	}
	SaveArtifact(t, "chromium.png", shot)
	SaveArtifact(t, "netviz.png", pngData)
	if shot.Bounds().Size() != img.Bounds().Size() {
		t.Errorf("screenshot %v, PNG %v", shot.Bounds().Size(), img.Bounds().Size())
	}
	svgInPNG, pngInSVG = InkAgreement(shot, img, 2), InkAgreement(img, shot, 2)
	t.Logf("ink within 2 px: %.1f%% of Chromium's is in the PNG, %.1f%% of the PNG's in Chromium's", 100*svgInPNG, 100*pngInSVG)
	if svgInPNG < want || pngInSVG < want {
		SaveArtifact(t, "diff.png", InkDiff(shot, img))
		t.Errorf("PNG and Chromium disagree: %.3f and %.3f of the ink match, want ≥ %.2f both ways", svgInPNG, pngInSVG, want)
	}
	return svgInPNG, pngInSVG
}
