package render

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

func TestRenderOverlay(t *testing.T) {
	m := testkit.SeedModel(t)
	ov := &Overlay{
		Title: "probe alicek106",
		Paths: []OverlayPath{
			{Interfaces: []graph.InterfaceID{"ns:alias1/eth0", "host/veth5e6f", "host/br-3f4d5e6f7a8b"}, OK: true, Label: "alias1 → 172.18.0.3"},
			{Interfaces: []graph.InterfaceID{"ns:web/eth0", "host/veth1a2b", "host/docker0", "host/br-3f4d5e6f7a8b"}, OK: false, Label: "web → 172.18.0.2"},
		},
		Answers: []OverlayAnswer{{Name: "alicek106", Container: "ctr:alias1", Addr: "172.18.0.2", OK: true}},
	}
	var dot bytes.Buffer
	if err := RenderOverlay(context.Background(), &dot, m, FormatDOT, ov); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"ns:alias1":i1 -> "host/veth5e6f" [color="#1B9E3ECC"`,        // reached: green, from the eth0 row
		`"host/docker0" -> "host/br-3f4d5e6f7a8b" [color="#D62728CC"`, // failed: red
		`"answer:alicek106" -> "ns:alias1" [color="#1B9E3E"`,
	} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("overlay DOT lacks %s", want)
		}
	}
	var svg bytes.Buffer
	if err := RenderOverlay(context.Background(), &svg, m, FormatSVG, ov); err != nil {
		t.Fatal(err)
	}
	text, err := svgText(svg.Bytes())
	if err != nil {
		t.Fatalf("SVG: %v", err)
	}
	if !strings.Contains(text, "probe alicek106") || !strings.Contains(text, "\nweb\n") {
		t.Error("overlay SVG lacks the title or the topology")
	}
}

func TestRenderGrid(t *testing.T) {
	g := &Grid{
		Title: "reach on vm", Rows: []string{"a", "b"}, Cols: []string{"a@n", "b@n"},
		Cells:  [][]GridCell{{{Text: "✓", Color: "#1B9E3E"}, {Text: "·", Color: "#555555"}}, {{Text: "!", Color: "#D62728", Tooltip: "b → a <unexpected>"}, {Text: "✓", Color: "#1B9E3E"}}},
		Legend: []GridCell{{Text: "✓", Color: "#1B9E3E", Tooltip: "reached"}},
	}
	var svg bytes.Buffer
	if err := RenderGrid(context.Background(), &svg, g, FormatSVG); err != nil {
		t.Fatal(err)
	}
	text, err := svgText(svg.Bytes())
	if err != nil {
		t.Fatalf("SVG: %v", err)
	}
	for _, want := range []string{"reach on vm", "a@n", "!", "reached"} {
		if !strings.Contains(text, want) {
			t.Errorf("grid SVG lacks %q", want)
		}
	}
	if err := RenderGrid(context.Background(), &svg, g, FormatJSON); err == nil {
		t.Error("a grid cannot be JSON")
	}
}
