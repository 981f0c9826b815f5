package probeview_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/overlay"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/render/probeview"
)

// TestProbePictureInChromium loads the probe pictures of the seed into
// Chromium fitted to 1920×1080 and checks what it drew: every text inside
// its node, no two nodes or texts overlapping, every text ≥ 10 px and set
// in the embedded font, every node and text of the scene there; then
// compares netviz's PNG with Chromium's screenshot of the SVG, pixel for
// pixel within 2 px, both ways (≥ 0.9). Pictures, screenshots and diffs
// are kept as artifacts ($NETVIZ_ARTIFACTS).
func TestProbePictureInChromium(t *testing.T) {
	b := browsertest.New(t)
	m := probeSeedModel(t)
	for _, tc := range []struct {
		name string
		rep  *probe.Report
	}{
		{"seed-like", seedLike(t, m, true)},
		{"seed-4x3", seed4x3(t, m)},
		{"no-capture", seedLike(t, m, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := probeview.ProbePicture(overlay.Probe(m, tc.rep))
			var svg bytes.Buffer
			if err := draw.WriteSVG(&svg, sc); err != nil {
				t.Fatal(err)
			}
			browsertest.SaveArtifact(t, "probe.svg", svg.Bytes())
			g := b.CheckPicture(t, svg.Bytes(), 10)
			px, small := browsertest.MinTextHeight(g)
			t.Logf("%gx%g fitted at %.3f: smallest text %s %.1f px", sc.W, sc.H, g.Scale, small.Name(), px)
			if n := len(sceneNodes(t, sc)); len(g.Nodes) != n {
				t.Errorf("Chromium drew %d nodes, the scene has %d", len(g.Nodes), n)
			}
			if n := len(sceneTexts(sc)); len(g.Texts) != n {
				t.Errorf("Chromium drew %d texts, the scene has %d", len(g.Texts), n)
			}
			// Every hop where the scene put it.
			scene := map[string]draw.Box{}
			for _, nd := range sceneNodes(t, sc) {
				if d := nd.g.Data; d["kind"] == "hop" {
					scene[d["client"]+" "+d["addr"]+" "+d["hop"]] = rectBox(nd.shape)
				}
			}
			for _, nd := range g.Nodes {
				want, ok := scene[nd.Data["client"]+" "+nd.Data["addr"]+" "+nd.Data["hop"]]
				if nd.Data["kind"] != "hop" || !ok {
					continue
				}
				x, y := g.Picture.X+want.X*g.Scale, g.Picture.Y+want.Y*g.Scale
				if d := max(math.Abs(nd.Shape.X-x), math.Abs(nd.Shape.Y-y), math.Abs(nd.Shape.W-want.W*g.Scale)); d > 1.5 {
					t.Errorf("%s drawn at %v, the scene says (%.1f,%.1f %.1f wide)", nd.Name(), nd.Shape, x, y, want.W*g.Scale)
				}
			}

			var png bytes.Buffer
			if err := probeview.RenderProbe(&png, overlay.Probe(m, tc.rep), render.FormatPNG); err != nil {
				t.Fatal(err)
			}
			b.ComparePNG(t, svg.Bytes(), png.Bytes(), 0.9)
		})
	}
}
