package overlay

import (
	"bytes"
	"context"
	"github.com/netviz/netviz/internal/render"
	"html"
	"net/netip"
	"reflect"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/render/matrix"
	"github.com/netviz/netviz/internal/testkit"
)

// TestReachGrid: one row per client, its networks those of its namespace
// (a container:X member X's, host and none modes by name); one column per
// target address in matrix order; each probe outcome its own look, timeout
// and unreachable apart, a contradiction flagged whatever was measured;
// the tooltip the pair, what came back and the model's reason.
func TestReachGrid(t *testing.T) {
	m := testkit.SeedModel(t)
	a := netip.MustParseAddr
	cell := func(client, target, network, addr string, o probe.Outcome, agrees bool) probe.Cell {
		return probe.Cell{Client: client, Target: target, Network: network, Addr: a(addr), Agrees: agrees,
			Expected: reach.Expectation{Reachable: o == probe.Reached == agrees, Detail: "the model's reason " + client + "→" + target},
			Measured: probe.EchoResult{Outcome: o, Detail: map[probe.Outcome]string{probe.Unreachable: "host unreachable from 172.17.0.1"}[o]}}
	}
	mat := &probe.Matrix{Host: "vm", Cells: []probe.Cell{
		cell("alias1", "alias2", "mybridge", "172.18.0.3", probe.Reached, true),
		cell("alias1", "web", "bridge", "172.17.0.3", probe.Timeout, true),
		cell("db", "alias2", "mybridge", "172.18.0.3", probe.Unreachable, true),
		cell("db", "web", "bridge", "172.17.0.3", probe.Reached, false),
		cell("sidecar", "alias2", "mybridge", "172.18.0.3", probe.Timeout, false),
		cell("hostnet", "mac1", "my_macvlan", "192.168.77.2", probe.NotMeasured, true),
		cell("isolated", "web", "bridge", "172.17.0.3", probe.Failed, true),
		cell("isolated", "alias2", "mybridge", "172.18.0.3", probe.Outcome("odd"), true),
		cell("mac1", "web", "bridge", "172.17.0.3", probe.Unreachable, false),
	}}
	for _, tc := range []struct {
		name  string
		model *graph.Model
		nets  map[string][]string
	}{
		{"model", m, map[string][]string{"alias1": {"mybridge"}, "db": {"bridge"}, "sidecar": {"bridge"}, "hostnet": {"host"}, "isolated": {"none"}, "mac1": {"my_macvlan"}}},
		// Without a model only a client's own addresses in the matrix tell
		// its networks: none of these clients is its own target.
		{"no model", nil, map[string][]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := ReachGrid(tc.model, mat)
			if g.Title != "reach on vm" {
				t.Errorf("title %q", g.Title)
			}
			var names []string
			for _, r := range g.Rows {
				names = append(names, r.Name)
				if !reflect.DeepEqual(r.Networks, tc.nets[r.Name]) {
					t.Errorf("%s: networks %q, want %q", r.Name, r.Networks, tc.nets[r.Name])
				}
			}
			if want := []string{"alias1", "db", "sidecar", "hostnet", "isolated", "mac1"}; !reflect.DeepEqual(names, want) {
				t.Errorf("rows %q, want %q", names, want)
			}
			wantCols := []matrix.GridCol{{Name: "alias2", Addr: "172.18.0.3", Network: "mybridge"}, {Name: "web", Addr: "172.17.0.3", Network: "bridge"}, {Name: "mac1", Addr: "192.168.77.2", Network: "my_macvlan"}}
			if !reflect.DeepEqual(g.Cols, wantCols) {
				t.Errorf("cols %+v", g.Cols)
			}
			looks := map[string]string{}
			for r, row := range g.Cells {
				for c, gc := range row {
					if gc.Look != "" {
						looks[g.Rows[r].Name+"→"+g.Cols[c].Name] = gc.Outcome() + "/" + string(gc.Look)
					}
				}
			}
			want := map[string]string{
				"alias1→alias2":   "reached/reached",
				"alias1→web":      "timeout/timeout",
				"db→alias2":       "unreachable/unreachable",
				"db→web":          "unexpected/reached",
				"sidecar→alias2":  "unexpected/timeout",
				"hostnet→mac1":    "not-measured/not-measured",
				"isolated→web":    "failed/failed",
				"isolated→alias2": "failed/failed", // an outcome netviz does not know: could not run
				"mac1→web":        "unexpected/unreachable",
			}
			if !reflect.DeepEqual(looks, want) {
				t.Errorf("looks\n%v\nwant\n%v", looks, want)
			}
			tips := map[string]string{
				"db→web":    "UNEXPECTED: db → web (172.17.0.3) @ bridge\nmeasured: reached\nmodel: blocked — the model's reason db→web",
				"db→alias2": "db → alias2 (172.18.0.3) @ mybridge\nmeasured: ICMP unreachable: host unreachable from 172.17.0.1\nmodel: blocked — the model's reason db→alias2",
			}
			for r, row := range g.Cells {
				for c, gc := range row {
					if want, ok := tips[g.Rows[r].Name+"→"+g.Cols[c].Name]; ok && gc.Tip != want {
						t.Errorf("tooltip %q\nwant    %q", gc.Tip, want)
					}
				}
			}
		})
	}
}

// TestReachGridSeed draws the seed host's matrix as the model predicts it,
// end to end: every client × target a cell with the model's reason in its
// tooltip, macvlan pairs not measured, and the picture an SVG that holds
// them all.
func TestReachGridSeed(t *testing.T) {
	m := testkit.SeedModel(t)
	x := graph.NewIndex(m)
	mat := &probe.Matrix{Host: m.Host.Name}
	for _, c := range reach.Clients(x) {
		for _, tg := range reach.Targets(x) {
			exp := reach.Expect(x, c, tg)
			cell := probe.Cell{Client: c.Name, Target: tg.Container.Name, Network: tg.Network.Name, Addr: tg.Addr, Expected: exp, Agrees: true}
			switch {
			case !exp.Local:
				cell.Measured.Outcome = probe.NotMeasured
			case exp.Reachable:
				cell.Measured.Outcome = probe.Reached
			default:
				cell.Measured.Outcome = probe.Timeout
			}
			mat.Cells = append(mat.Cells, cell)
		}
	}
	g := ReachGrid(m, mat)
	n := 0
	for r, row := range g.Cells {
		for c, cell := range row {
			if cell.Look == "" {
				t.Errorf("%s → %s: no cell", g.Rows[r].Name, g.Cols[c].Name)
				continue
			}
			n++
		}
	}
	if n != len(mat.Cells) || len(g.Rows)*len(g.Cols) != n {
		t.Errorf("%d cells for %d pairs (%d×%d)", n, len(mat.Cells), len(g.Rows), len(g.Cols))
	}
	var svg bytes.Buffer
	if err := matrix.RenderGrid(context.Background(), &svg, g, render.FormatSVG); err != nil {
		t.Fatal(err)
	}
	for _, cell := range mat.Cells {
		if !bytes.Contains(svg.Bytes(), []byte(html.EscapeString(cell.Expected.Detail))) {
			t.Errorf("the SVG does not give the reason %q", cell.Expected.Detail)
		}
	}
	if got := bytes.Count(svg.Bytes(), []byte(`class="cell node"`)); got != n {
		t.Errorf("the SVG has %d cells, want %d", got, n)
	}
	if !bytes.Contains(svg.Bytes(), []byte("not measured")) {
		t.Error("the macvlan pairs are not drawn as not measured")
	}
}
