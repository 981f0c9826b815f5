package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/browsertest"
	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

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
			t.Logf("picture %.0f×%.0f", s.W, s.H)
			b.CheckPicture(t, svg.Bytes(), 10)
			b.ComparePNG(t, svg.Bytes(), pngb.Bytes(), 0.9)
		})
	}
}

// TestStepFramesInBrowser writes the seed scenario's slideshow and checks
// every frame in Chromium: readable (≥ 9 px text at fit), nothing on top
// of anything, and every box exactly where the previous frame had it.
func TestStepFramesInBrowser(t *testing.T) {
	b := browsertest.New(t)
	sc, err := scenario.ParseShell(strings.NewReader(seedScript(t)), "seed.sh")
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
			g := b.CheckPicture(t, svg, 9)
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
