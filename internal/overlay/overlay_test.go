package overlay

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/testkit"
)

// TestProbe: every planned path becomes a path over the topology, green
// where its ping got through; every answer a container holds becomes an
// answer edge to it; a client that probed an address (no lookup) gets no
// answer edges.
func TestProbe(t *testing.T) {
	a := netip.MustParseAddr
	plan := func(ifs ...graph.InterfaceID) []probe.Point {
		var out []probe.Point
		for _, i := range ifs {
			out = append(out, probe.Point{Interface: i})
		}
		return out
	}
	rep := &probe.Report{Target: "alicek106", Clients: []probe.ClientReport{{
		Client: "alias1", Via: "embedded-dns", Answers: []netip.Addr{a("172.18.0.2"), a("172.18.0.3"), a("10.9.9.9")},
		Pings: []probe.EchoResult{{Addr: a("172.18.0.3"), Outcome: probe.Reached}, {Addr: a("10.9.9.9"), Outcome: probe.Timeout}},
		Paths: []probe.PathReport{
			{Addr: a("172.18.0.3"), Plan: plan("ns:alias1/eth0", "host/veth5e6f", "host/br-3f4d5e6f7a8b")},
			{Addr: a("10.9.9.9"), Plan: plan("ns:alias1/eth0")},
		},
	}, {
		Client: "web", Via: "address", Answers: []netip.Addr{a("172.18.0.2")},
	}}}
	got := Probe(testkit.SeedModel(t), rep)
	want := &render.Overlay{
		Title: "probe alicek106",
		Paths: []render.OverlayPath{
			{Interfaces: []graph.InterfaceID{"ns:alias1/eth0", "host/veth5e6f", "host/br-3f4d5e6f7a8b"}, OK: true, Label: "alias1 → 172.18.0.3"},
			{Interfaces: []graph.InterfaceID{"ns:alias1/eth0"}, OK: false, Label: "alias1 → 10.9.9.9"},
		},
		Answers: []render.OverlayAnswer{
			{Name: "alicek106", Container: "ctr:alias1", Addr: "172.18.0.2", OK: false},
			{Name: "alicek106", Container: "ctr:alias2", Addr: "172.18.0.3", OK: true},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestReachGrid: one row per client and one column per target address in
// the order the matrix lists them, each cell coloured by what was measured
// and whether the model expected it, unmeasured pairs white.
func TestReachGrid(t *testing.T) {
	a := netip.MustParseAddr
	cell := func(client, target string, addr string, o probe.Outcome, agrees bool) probe.Cell {
		return probe.Cell{Client: client, Target: target, Network: "n", Addr: a(addr), Agrees: agrees,
			Expected: reach.Expectation{Detail: "both on n"}, Measured: probe.EchoResult{Outcome: o}}
	}
	mat := &probe.Matrix{Host: "vm", Cells: []probe.Cell{
		cell("a", "b", "10.0.0.3", probe.Reached, true),
		cell("a", "c", "10.0.0.4", probe.Timeout, true),
		cell("b", "a", "10.0.0.2", probe.Reached, false),
		cell("b", "c", "10.0.0.4", probe.NotMeasured, true),
		cell("c", "b", "10.0.0.3", probe.Failed, true),
	}}
	g := ReachGrid(mat)
	if g.Title != "reach on vm: 5 pairs, 2 reached, 1 blocked, 1 unexpected" {
		t.Errorf("title %q", g.Title)
	}
	if !reflect.DeepEqual(g.Rows, []string{"a", "b", "c"}) || !reflect.DeepEqual(g.Cols, []string{"b@n", "c@n", "a@n"}) {
		t.Errorf("rows %q, cols %q", g.Rows, g.Cols)
	}
	marks := make([]string, len(g.Rows))
	for r, row := range g.Cells {
		for _, c := range row {
			marks[r] += c.Text + c.Color + " "
		}
	}
	want := []string{
		"✓#1B9E3E ·#555555 #FFFFFF ",
		"#FFFFFF –#BBBBBB !#D62728 ",
		"?#E69F00 #FFFFFF #FFFFFF ",
	}
	if !reflect.DeepEqual(marks, want) {
		t.Errorf("cells\n%q\nwant\n%q", marks, want)
	}
	if tip := g.Cells[1][2].Tooltip; tip != "b → a (10.0.0.2): reached — both on n" {
		t.Errorf("tooltip %q", tip)
	}
	if len(g.Legend) != 5 {
		t.Errorf("legend has %d entries, want one per mark", len(g.Legend))
	}
}
