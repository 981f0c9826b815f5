package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

// stepModels are the models after each command of a scenario.
func stepModels(t testing.TB, name, text, version string) []*graph.Model {
	t.Helper()
	sc, err := scenario.ParseShell(strings.NewReader(text), name)
	if err != nil {
		t.Fatal(err)
	}
	e := sim.New(sim.Options{Hostname: "sim", EngineVersion: version})
	var out []*graph.Model
	if err := e.Steps(sc, func(st sim.Step) error { out = append(out, st.Model.Sorted()); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// churn grows a host, removes every third container and a network, and
// grows it again: what a workshop does to a live view.
func churn() string {
	var b strings.Builder
	for n := 1; n <= 3; n++ {
		fmt.Fprintf(&b, "docker network create net%d\n", n)
	}
	for i := 1; i <= 24; i++ {
		fmt.Fprintf(&b, "docker run -d --name c%d --net net%d busybox\n", i, i%3+1)
	}
	for i := 3; i <= 24; i += 3 {
		fmt.Fprintf(&b, "docker rm -f c%d\n", i)
	}
	b.WriteString("docker network create net4\n")
	for i := 25; i <= 36; i++ {
		fmt.Fprintf(&b, "docker run -d --name c%d --net net%d busybox\n", i, i%4+1)
	}
	for i := 25; i <= 30; i++ {
		fmt.Fprintf(&b, "docker network connect net%d c%d\n", (i+1)%4+1, i)
	}
	return b.String()
}

// frameOffsets is, for each object drawn in a network's frame, the frame
// and the object's offset from the frame's corner.
func frameOffsets(p *topoPlan) map[string]string {
	out := map[string]string{}
	for _, b := range p.blockOrder {
		for _, u := range b.members {
			box := p.boxes[u.key]
			out[u.key] = fmt.Sprintf("%s %+.1f %+.1f", blockKey(b), box.X-b.box.X, box.Y-b.box.Y)
		}
	}
	return out
}

// TestMemoryKeepsPlaces builds the curriculum and a churning host command
// by command into one Memory, as netviz serve draws a host that changes:
// every container that stays in its frame keeps its cell (the same
// offset from the frame's corner), frames keep their order and colour,
// and (but once for the churning host) no step lays the picture out
// afresh. Each picture is as readable
// as a fresh one must be.
func TestMemoryKeepsPlaces(t *testing.T) {
	scripts := map[string]string{"seed": seedScript(t), "churn": churn(), "c60": manyContainers(60, 3)}
	labs, _ := filepath.Glob(filepath.Join("..", "lab", "labs", "*.sh"))
	for _, l := range labs {
		text, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		scripts["lab-"+strings.TrimSuffix(filepath.Base(l), ".sh")] = string(text)
	}
	for name, text := range scripts {
		t.Run(name, func(t *testing.T) {
			models := stepModels(t, name, text, "20.10")
			var mem Memory
			var prevOff, prevCells map[string]string
			var prevDetail Detail
			reflows := 0
			var prevOrder []string
			prevColor := map[graph.NetworkID]int{}
			freshMoves, keptMoves := 0, 0
			var prevFresh map[string]draw.Box
			for i, m := range models {
				p := mem.plan(context.Background(), m, DetailAuto)
				s := p.scene(m, frameOpts{})
				for _, l := range draw.Lint(s) {
					t.Errorf("step %d: %s", i+1, l)
				}
				if px := fitTextPx(s); px < 9 {
					t.Errorf("step %d: smallest text %.1f px at fit, want ≥ 9", i+1, px)
				}
				reflowed := mem.Reflows() > reflows
				reflows = mem.Reflows()
				if reflowed {
					t.Logf("step %d: laid out afresh (%s → %s detail, scale %.3f)", i+1, prevDetail, p.detail, p.fitScale)
				}
				prevDetail = p.detail
				cells := gridCells(p)
				for k, c := range cells {
					if was, ok := prevCells[k]; ok && strings.Fields(was)[0] == strings.Fields(c)[0] && was != c && !reflowed {
						t.Errorf("step %d: %s changed cell: %s → %s", i+1, k, was, c)
					}
				}
				prevCells = cells
				off := frameOffsets(p)
				for k, o := range off {
					if was, ok := prevOff[k]; ok && was != o {
						keptMoves++
					}
				}
				var order []string
				for _, b := range p.blockOrder {
					order = append(order, blockKey(b))
				}
				if !sameRelativeOrder(prevOrder, order) && !reflowed {
					t.Errorf("step %d: frames reordered: %v → %v", i+1, prevOrder, order)
				}
				for _, n := range p.nets {
					if c, ok := prevColor[n.ID]; ok && c != p.color[n.ID] {
						t.Errorf("step %d: %s changed colour %d → %d", i+1, n.ID, c, p.color[n.ID])
					}
					prevColor[n.ID] = p.color[n.ID]
				}
				prevOff, prevOrder = off, order
				// For comparison: how much a fresh layout of each model moves.
				fresh := objects(planTopology([]*graph.Model{m}, DetailAuto).scene(m, frameOpts{}))
				for id, b := range fresh {
					if old, ok := prevFresh[id]; ok && old != b {
						freshMoves++
					}
				}
				prevFresh = fresh
			}
			// The churning host leaves holes: once, keeping them would
			// shrink its text under 10 px.
			if r, most := mem.Reflows(), map[string]int{"churn": 1}[name]; r > most {
				t.Errorf("%d of %d steps were laid out afresh, want at most %d", r, len(models), most)
			}
			t.Logf("%d steps: fresh layouts moved %d objects; kept, %d moved within their frames (a cell or header grew) and %d steps were laid out afresh",
				len(models), freshMoves, keptMoves, mem.Reflows())
		})
	}
}

// gridCells is, for each object in a frame, the frame, row and column.
func gridCells(p *topoPlan) map[string]string {
	out := map[string]string{}
	for _, b := range p.blockOrder {
		for i, u := range b.members {
			r, c := b.rc(i)
			out[u.key] = fmt.Sprintf("%s r%d c%d", blockKey(b), r, c)
		}
	}
	return out
}

// sameRelativeOrder reports whether the keys both lists hold come in the
// same order in each.
func sameRelativeOrder(a, b []string) bool {
	in := map[string]bool{}
	for _, k := range b {
		in[k] = true
	}
	var common []string
	for _, k := range a {
		if in[k] {
			common = append(common, k)
		}
	}
	j := 0
	for _, k := range b {
		if j < len(common) && k == common[j] {
			j++
		}
	}
	return j == len(common)
}

// TestMemoryIsIdempotent: drawing the same model again (the SVG and the
// PNG of one update, two pages) gives the same picture.
func TestMemoryIsIdempotent(t *testing.T) {
	models := stepModels(t, "churn", churn(), "20.10")
	var mem Memory
	for i, m := range models {
		a := svgOf(t, topology(context.Background(), m, Options{Memory: &mem}))
		b := svgOf(t, topology(context.Background(), m, Options{Memory: &mem}))
		if a != b {
			t.Fatalf("step %d: a second drawing of the same model differs", i+1)
		}
	}
}

// TestMemoryReflowsWhenCramped: a host that outgrows its kept layout by
// far is laid out afresh rather than drawn tiny.
func TestMemoryReflowsWhenCramped(t *testing.T) {
	small := simulate(t, "one", "docker network create a\ndocker run -d --name c1 --net a busybox\n", "20.10")
	big := simulate(t, "many", manyContainers(100, 1), "20.10")
	var mem Memory
	mem.plan(context.Background(), small, DetailAuto)
	p := mem.plan(context.Background(), big, DetailAuto)
	fresh := planTopology([]*graph.Model{big.Sorted()}, DetailAuto)
	if p.fitScale < reflowAt*fresh.fitScale {
		t.Errorf("kept layout scale %.3f, fresh %.3f: want within %.0f%%", p.fitScale, fresh.fitScale, 100*reflowAt)
	}
	t.Logf("reflows %d, scale %.3f (fresh %.3f)", mem.Reflows(), p.fitScale, fresh.fitScale)
}
