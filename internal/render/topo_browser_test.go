package render

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

// checkInBrowser loads a picture in Chromium scaled to fit 1920×1080 and
// reports what a projector would show wrong: text outside its box, boxes
// or texts on top of each other, the embedded font not used, text under
// minPx. It returns the geometry.
func checkInBrowser(t *testing.T, b *browsertest.Browser, svg []byte, minPx float64) *browsertest.Geometry {
	t.Helper()
	g, err := b.Geometry(svg)
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	problems = append(problems, browsertest.TextsInsideTheirNode(g)...)
	problems = append(problems, browsertest.NodesDoNotOverlap(g)...)
	problems = append(problems, browsertest.TextsDoNotOverlap(g)...)
	problems = append(problems, browsertest.EmbeddedFontUsed(g)...)
	problems = append(problems, browsertest.TextHeightAtLeast(g, minPx)...)
	for _, p := range problems {
		t.Error(p)
	}
	px, _ := browsertest.MinTextHeight(g)
	t.Logf("fit scale %.3f, %d nodes, %d texts, smallest text %.1f px", g.Scale, len(g.Nodes), len(g.Texts), px)
	return g
}

// TestTopologyInBrowser draws the workshop hosts and checks them in
// Chromium: geometry at fit to 1920×1080 (text ≥ 10 px), and the PNG
// netviz writes against Chromium's screenshot of the SVG (≥ 90% of the
// ink within 2 px, both ways). Screenshots are kept as artifacts.
func TestTopologyInBrowser(t *testing.T) {
	b := browsertest.New(t)
	models := pictureModels(t)
	for _, name := range []string{"live-seed", "seed-20.10", "seed-29", "s4-20.10", "lab-multi-homed", "lab-macvlan", "c60-2nets", "c100-5nets"} {
		t.Run(name, func(t *testing.T) {
			s := Topology(models[name], Options{})
			var svg, pngb bytes.Buffer
			if err := draw.WriteSVG(&svg, s); err != nil {
				t.Fatal(err)
			}
			if err := draw.WritePNG(&pngb, s, 1); err != nil {
				t.Fatal(err)
			}
			checkInBrowser(t, b, svg.Bytes(), 10)
			shot, err := b.Screenshot(svg.Bytes(), 1)
			if err != nil {
				t.Fatal(err)
			}
			ours, err := png.Decode(bytes.NewReader(pngb.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			browsertest.SaveArtifact(t, "chromium.png", shot)
			browsertest.SaveArtifact(t, "netviz.png", pngb.Bytes())
			inSVG, inPNG := browsertest.InkAgreement(shot, ours, 2), browsertest.InkAgreement(ours, shot, 2)
			t.Logf("%.0f×%.0f: %.1f%% of the SVG's ink is in the PNG, %.1f%% of the PNG's in the SVG", s.W, s.H, 100*inSVG, 100*inPNG)
			if inSVG < 0.9 || inPNG < 0.9 {
				browsertest.SaveArtifact(t, "diff.png", browsertest.InkDiff(shot, ours))
				t.Errorf("PNG and SVG disagree: %.1f%% / %.1f%% of the ink matches, want ≥ 90%%", 100*inSVG, 100*inPNG)
			}
		})
	}
}

// TestStepFramesInBrowser writes the seed scenario's slideshow and checks
// every frame in Chromium: readable (≥ 9 px text at fit), nothing on top
// of anything, and every box exactly where the previous frame had it.
func TestStepFramesInBrowser(t *testing.T) {
	b := browsertest.New(t)
	text, err := os.ReadFile(filepath.Join("testdata", "pictures", "seed.sh"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.ParseShell(bytes.NewReader(text), "seed.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := sim.New(sim.Options{Hostname: "sim", EngineVersion: "20.10"})
	dir := t.TempDir()
	n, err := WriteSlideshow(t.Context(), dir, "seed.sh", DetailAuto, func(yield func(Frame) error) error {
		return e.Steps(sc, func(st sim.Step) error {
			return yield(Frame{Model: st.Model, Highlight: st.AddedIDs, Gone: st.RemovedIDs, Slide: Slide{Command: st.Command.Text}})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	var prev *browsertest.Geometry
	moves := 0
	for i := 1; i <= n; i++ {
		svg, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("step-%03d.svg", i)))
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprintf("step-%03d", i), func(t *testing.T) {
			g := checkInBrowser(t, b, svg, 9)
			if prev != nil {
				for _, m := range browsertest.NodeMoves(prev, g, 0.5) {
					moves++
					t.Error(m)
				}
			}
			prev = g
			if i == n || i == 10 {
				shot, err := b.Screenshot(svg, 1)
				if err != nil {
					t.Fatal(err)
				}
				browsertest.SaveArtifact(t, "chromium.png", shot)
			}
		})
	}
	t.Logf("%d frames, %d node moves", n, moves)
}

var _ = graph.SourceSim
