package render

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/testkit"
)

// simulate runs a scenario text on a fresh simulated engine of a release.
func simulate(t testing.TB, name, text, version string) *graph.Model {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(text), name)
	if err != nil {
		t.Fatal(err)
	}
	e := sim.New(sim.Options{Hostname: "sim", EngineVersion: version})
	if err := e.Apply(sc); err != nil {
		t.Fatal(err)
	}
	return e.Model()
}

// seedScript is the seed curriculum in one script: the scenario package's
// seed-modes.sh (default bridge with --link and -p, host, none,
// container:, custom subnet, connect/disconnect, macvlan) then its
// seed-alias.sh (--net-alias alicek106), whose mybridge the first has made.
func seedScript(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, f := range []string{"seed-modes.sh", "seed-alias.sh"} {
		data, err := os.ReadFile(filepath.Join("..", "scenario", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.SplitAfter(string(data), "\n") {
			if f == "seed-alias.sh" && strings.HasPrefix(l, "docker network create --driver bridge mybridge") {
				continue
			}
			b.WriteString(l)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// manyContainers is n containers spread over nets user networks.
func manyContainers(n, nets int) string {
	var b strings.Builder
	for i := 1; i <= nets; i++ {
		fmt.Fprintf(&b, "docker network create net%d\n", i)
	}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "docker run -d --name c%d --net net%d busybox\n", i, i%nets+1)
	}
	return b.String()
}

// pictureModels are the hosts every picture test draws: the live seed
// model, the seed and s4 scenarios, every workshop lab, and 60 and 100
// containers.
func pictureModels(t testing.TB) map[string]*graph.Model {
	out := map[string]*graph.Model{"live-seed": testkit.SeedModel(t)}
	s4, err := os.ReadFile(filepath.Join("testdata", "pictures", "s4.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for f, text := range map[string]string{"seed.sh": seedScript(t), "s4.sh": string(s4)} {
		out[strings.TrimSuffix(f, ".sh")+"-20.10"] = simulate(t, f, text, "20.10")
		out[strings.TrimSuffix(f, ".sh")+"-29"] = simulate(t, f, text, sim.NewestEngineVersion)
	}
	labs, _ := filepath.Glob(filepath.Join("..", "lab", "labs", "*.sh"))
	for _, l := range labs {
		text, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		out["lab-"+strings.TrimSuffix(filepath.Base(l), ".sh")] = simulate(t, l, string(text), "20.10")
	}
	out["c60-2nets"] = simulate(t, "c60", manyContainers(60, 2), sim.NewestEngineVersion)
	out["c100-5nets"] = simulate(t, "c100", manyContainers(100, 5), sim.NewestEngineVersion)
	out["c100-1net"] = simulate(t, "c100-1", manyContainers(100, 1), sim.NewestEngineVersion)
	out["c100-12nets"] = simulate(t, "c100-12", manyContainers(100, 12), sim.NewestEngineVersion)
	out["c100-long-names"] = simulate(t, "c100-long", strings.ReplaceAll(manyContainers(100, 4), "--name c", "--name shop-frontend-service-replica-"), sim.NewestEngineVersion)
	multi := manyContainers(100, 5)
	for i := 1; i <= 100; i += 2 {
		multi += fmt.Sprintf("docker network connect net%d c%d\n", (i+2)%5+1, i)
	}
	out["c100-half-multi-homed"] = simulate(t, "c100-multi", multi, sim.NewestEngineVersion)
	return out
}

// fitTextPx is the smallest text's size in pixels (its font size, a
// little less than its box's height) when the picture is scaled to fit a
// 1920×1080 screen.
func fitTextPx(s *draw.Scene) float64 {
	fit := min(screenW/s.W, screenH/s.H)
	return draw.MinTextSize(s) * fit
}

// TestTopologyIsReadable draws every host at every detail and checks the
// picture by the font's metrics: every text inside its box, no two boxes
// or texts on top of each other, and at auto detail the smallest text at
// least 10 px high on a 1920×1080 screen.
func TestTopologyIsReadable(t *testing.T) {
	for name, m := range pictureModels(t) {
		for _, d := range []Detail{DetailAuto, DetailFull, DetailCompact} {
			t.Run(name+"/"+string(d), func(t *testing.T) {
				s := Topology(m, Options{Detail: d})
				for _, p := range draw.Lint(s) {
					t.Error(p)
				}
				s.Walk(func(it draw.Item) {
					if tx, ok := it.(*draw.Text); ok {
						if m := draw.Missing(tx.S, tx.Bold); len(m) > 0 {
							t.Errorf("text %q uses %q, which the embedded font lacks", tx.S, string(m))
						}
					}
				})
				if d == DetailAuto {
					t.Logf("%.0f×%.0f, smallest text %.1f px at fit to 1920×1080", s.W, s.H, fitTextPx(s))
					if px := fitTextPx(s); px < 10 {
						t.Errorf("%.0f×%.0f picture: smallest text %.1f px at fit to 1920×1080, want ≥ 10", s.W, s.H, px)
					}
				}
			})
		}
	}
}

// objects lists the model objects a scene draws as boxes (g.node data-obj)
// with their shapes.
func objects(s *draw.Scene) map[string]draw.Box {
	out := map[string]draw.Box{}
	s.Walk(func(it draw.Item) {
		g, ok := it.(*draw.Group)
		if !ok || g.Data["obj"] == "" || len(g.Items) == 0 {
			return
		}
		if r, ok := g.Items[0].(*draw.Rect); ok {
			out[g.Data["obj"]] = draw.Box{X: r.X, Y: r.Y, W: r.W, H: r.H}
		}
	})
	return out
}

// TestTopologyDrawsTheCurriculum checks each thing the seed notes teach
// is in the picture as a thing of its own, not only a word.
func TestTopologyDrawsTheCurriculum(t *testing.T) {
	seed := simulate(t, "seed.sh", seedScript(t), "20.10")
	s4text, err := os.ReadFile(filepath.Join("testdata", "pictures", "s4.sh"))
	if err != nil {
		t.Fatal(err)
	}
	s4 := simulate(t, "s4.sh", string(s4text), "20.10")
	classes := func(s *draw.Scene) map[string]int {
		out := map[string]int{}
		s.Walk(func(it draw.Item) {
			var a *draw.Attrs
			switch v := it.(type) {
			case *draw.Line:
				a = &v.Attrs
			case *draw.Group:
				a = &v.Attrs
			case *draw.Rect:
				a = &v.Attrs
			default:
				return
			}
			for _, c := range strings.Fields(a.Class) {
				out[c]++
			}
			if k := a.Data["kind"]; k != "" {
				out["legend:"+k]++
			}
		})
		return out
	}
	tests := []struct {
		name  string
		m     *graph.Model
		class string
		want  int
	}{
		{"--link wordpressdb:mysql is an edge", seed, "link", 1},
		{"legend explains --link", seed, "legend:link", 1},
		{"every non-internal bridge NATs", seed, "nat", 1},
		{"macvlan has its own legend entry", seed, "legend:macvlan", 1},
		{"internal and ICC off are badges", s4, "badge", 3}, // INTERNAL, ICC OFF, DEFAULT BRIDGE
		{"legend explains the internal frame", s4, "legend:internal", 1},
		{"no macvlan entry where there is none", s4, "legend:macvlan", 0},
		{"no link entry where there is none", s4, "legend:link", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classes(Topology(tt.m, Options{Detail: DetailFull}))[tt.class]
			if (tt.want == 0) != (got == 0) || got < tt.want {
				t.Errorf("%d items of class %q, want %d", got, tt.class, tt.want)
			}
		})
	}
	// The header counts the networks drawn.
	s := Topology(seed, Options{})
	var frames int
	var heading []string
	s.Walk(func(it draw.Item) {
		if g, ok := it.(*draw.Group); ok && g.Class == "net" && strings.HasPrefix(g.Data["obj"], "net:") {
			frames++
		}
		if tx, ok := it.(*draw.Text); ok && tx.Class == "heading" {
			heading = append(heading, tx.S)
		}
	})
	if want := fmt.Sprintf("%d networks", frames); !strings.Contains(strings.Join(heading, " "), want) {
		t.Errorf("heading %q does not say %q", heading, want)
	}
	// The alias is drawn once, as a note.
	if n := strings.Count(svgOf(t, s), ">alicek106<"); n != 1+3 { // the note, and a tag in each member
		t.Errorf("alicek106 appears %d times, want once as a note and once per member", n)
	}
}

func svgOf(t testing.TB, s *draw.Scene) string {
	var b bytes.Buffer
	if err := draw.WriteSVG(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestTopologyOrdersNaturally: c2 before c10, row by row.
func TestTopologyOrdersNaturally(t *testing.T) {
	s := Topology(simulate(t, "c", manyContainers(12, 1), "20.10"), Options{Detail: DetailCompact})
	obj := objects(s)
	var names []string
	for id := range obj {
		if strings.HasPrefix(id, "ns:") || strings.HasPrefix(id, "ctr:") {
			names = append(names, id)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		pa, pb := obj[a], obj[b]
		if pa.Y != pb.Y {
			return cmpInt(int(pa.Y), int(pb.Y))
		}
		return cmpInt(int(pa.X), int(pb.X))
	})
	var got []string
	for _, n := range names {
		got = append(got, n[strings.LastIndex(n, ":")+1:])
	}
	want := []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10", "c11", "c12"}
	if !slices.Equal(got, want) {
		t.Errorf("reading order %v, want %v", got, want)
	}
}

// TestSlideshowFramesStayStill plans the seed scenario's steps once: every
// object keeps its box and colour from the frame it appears in to the last,
// every frame is readable (≥ 9 px text at fit to 1920×1080), and what a
// step added is outlined.
func TestSlideshowFramesStayStill(t *testing.T) {
	sc, err := scenario.ParseShell(strings.NewReader(seedScript(t)), "seed.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := sim.New(sim.Options{Hostname: "sim", EngineVersion: "20.10"})
	var steps []sim.Step
	if err := e.Steps(sc, func(st sim.Step) error { steps = append(steps, st); return nil }); err != nil {
		t.Fatal(err)
	}
	models := make([]*graph.Model, len(steps))
	for i, st := range steps {
		models[i] = st.Model.Sorted()
	}
	plan := planTopology(models, DetailAuto)
	// A command longer than the picture is cut, not drawn past its edge.
	long := plan.scene(models[0], frameOpts{title: "step 1: docker run " + strings.Repeat("-e LONG_VARIABLE=value ", 30) + "busybox"})
	for _, p := range draw.Lint(long) {
		t.Errorf("a long command: %s", p)
	}
	seen := map[string]draw.Box{}
	moves := 0
	for i, st := range steps {
		fo := frameOpts{title: "step", added: toSet(st.AddedIDs), removed: toSet(st.RemovedIDs)}
		if i > 0 {
			fo.prev = models[i-1]
		}
		s := plan.scene(models[i], fo)
		if s.W != plan.W || s.H != plan.H {
			t.Errorf("step %d: picture %.0f×%.0f, want the plan's %.0f×%.0f", i+1, s.W, s.H, plan.W, plan.H)
		}
		for _, p := range draw.Lint(s) {
			t.Errorf("step %d: %s", i+1, p)
		}
		if px := fitTextPx(s); px < 9 {
			t.Errorf("step %d: smallest text %.1f px at fit, want ≥ 9", i+1, px)
		}
		for id, b := range objects(s) {
			if old, ok := seen[id]; ok && old != b {
				moves++
				t.Errorf("step %d: %s moved from %+v to %+v", i+1, id, old, b)
			}
			seen[id] = b
		}
		if len(st.AddedIDs) > 0 {
			marked := 0
			s.Walk(func(it draw.Item) {
				if r, ok := it.(*draw.Rect); ok && r.Class == "added" {
					marked++
				}
				if l, ok := it.(*draw.Line); ok && l.Class == "added" {
					marked++
				}
			})
			if marked == 0 {
				t.Errorf("step %d (%s) added %v but nothing is outlined", i+1, st.Command.Text, st.Added)
			}
		}
	}
	t.Logf("%d frames, %d objects, %d moves", len(steps), len(seen), moves)
}

// TestTopologyGolden pins the seed picture's SVG.
func TestTopologyGolden(t *testing.T) {
	for _, name := range []string{"live-seed", "c100-5nets"} {
		m := pictureModels(t)[name]
		var buf bytes.Buffer
		if err := RenderWith(context.Background(), &buf, m, FormatSVG, Options{}); err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join("testdata", "pictures", name+".svg.golden"), buf.Bytes())
	}
}

// TestNoLineToNothing: a frame draws no line from a bridge when nothing in
// it hangs off that bridge (the seed's my_custom after its only container
// left, while the plan keeps room for it).
func TestNoLineToNothing(t *testing.T) {
	sc, err := scenario.ParseShell(strings.NewReader(seedScript(t)), "seed.sh")
	if err != nil {
		t.Fatal(err)
	}
	e := sim.New(sim.Options{Hostname: "sim", EngineVersion: "20.10"})
	var models []*graph.Model
	if err := e.Steps(sc, func(st sim.Step) error { models = append(models, st.Model.Sorted()); return nil }); err != nil {
		t.Fatal(err)
	}
	plan := planTopology(models, DetailFull)
	last := models[len(models)-1]
	s := plan.scene(last, frameOpts{})
	custom := plan.blocks[graph.NewNetworkID("my_custom")]
	if custom == nil {
		t.Fatal("no frame for my_custom")
	}
	s.Walk(func(it draw.Item) {
		l, ok := it.(*draw.Line)
		if !ok || !strings.Contains(l.Class, "bus") {
			return
		}
		for _, pt := range l.Pts {
			if (draw.Box{X: custom.box.X, Y: custom.box.Y, W: custom.box.W, H: custom.box.H}).Contains(draw.Box{X: pt.X, Y: pt.Y}, 0) {
				t.Errorf("a bus line in my_custom's frame at %+v, with nothing on it", l.Pts)
				return
			}
		}
	})
}
