package matrix

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/draw"
)

// TestGridInBrowser loads matrix SVGs into Chromium scaled to fit a
// 1920×1080 screen and checks what it drew: no text over another, every
// mark inside its cell, no two cells overlapping, every text where netviz
// measured it and in the embedded font, nothing off the picture, and — at
// 40 containers — no text under 10 px. Then the PNG netviz writes must hold
// what Chromium draws of the SVG at its own size, and the other way round
// (≥ 0.9 of the ink within 2 px). Screenshots, PNGs and their difference
// are kept as artifacts ($NETVIZ_ARTIFACTS).
func TestGridInBrowser(t *testing.T) {
	b := browsertest.New(t)
	for _, tc := range []struct {
		name    string
		g       *Grid
		minText float64
	}{
		{"small", smallGrid(), 10},
		{"long-names", longGrid(), 10},
		{"40-containers", synthGrid(40), 10},
		{"50-containers", synthGrid(50), 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := GridScene(tc.g)
			var svg bytes.Buffer
			if err := draw.WriteSVG(&svg, s); err != nil {
				t.Fatal(err)
			}
			browsertest.SaveArtifact(t, "matrix.svg", svg.Bytes())
			g := b.CheckPicture(t, svg.Bytes(), tc.minText)
			if want := mxFitScale(s.W, s.H); math.Abs(g.Scale-want) > 1e-6 {
				t.Errorf("fit scale %v, want %v", g.Scale, want)
			}
			px, small := browsertest.MinTextHeight(g)
			t.Logf("%gx%g picture, fit ×%.3f, %d cells, %d texts; smallest text %s %.2fpx on a 1920×1080 screen",
				s.W, s.H, g.Scale, len(cellGroups(s)), len(g.Texts), small.Name(), px)

			// Chromium draws each text where netviz measured it: the box
			// it reports is mxTextBounds, on the screen.
			texts := sceneTexts(s)
			if len(texts) != len(g.Texts) {
				t.Fatalf("the scene has %d texts, Chromium drew %d", len(texts), len(g.Texts))
			}
			worst, at := 0.0, ""
			for i, tx := range texts {
				want := mxTextBounds(tx)
				got := g.Texts[i].Box
				for _, d := range []float64{
					got.X - (g.Picture.X + want.X*g.Scale), got.Y - (g.Picture.Y + want.Y*g.Scale),
					got.Right() - (g.Picture.X + want.Right()*g.Scale), got.Bottom() - (g.Picture.Y + want.Bottom()*g.Scale),
				} {
					if math.Abs(d) > worst {
						worst, at = math.Abs(d), fmt.Sprintf("%s drawn at %s, measured %+v", g.Texts[i].Name(), got, want)
					}
				}
				if !strings.Contains(g.Texts[i].S, tx.S) {
					t.Errorf("text %d: Chromium has %q, the scene %q", i, g.Texts[i].S, tx.S)
				}
				if g.Texts[i].Box.X < g.Picture.X-1 || g.Texts[i].Box.Y < g.Picture.Y-1 || g.Texts[i].Box.Right() > g.Picture.Right()+1 || g.Texts[i].Box.Bottom() > g.Picture.Bottom()+1 {
					t.Errorf("%s %s is off the picture %s", g.Texts[i].Name(), g.Texts[i].Box, g.Picture)
				}
			}
			t.Logf("texts are drawn within %.2fpx of where they were measured (worst: %s)", worst, at)
			if worst > 1.5 {
				t.Errorf("a text is drawn %.2fpx from where it was measured: %s", worst, at)
			}

			var png bytes.Buffer
			if err := draw.WritePNG(&png, s, 1); err != nil {
				t.Fatal(err)
			}
			b.ComparePNG(t, svg.Bytes(), png.Bytes(), 0.9)
		})
	}
}
