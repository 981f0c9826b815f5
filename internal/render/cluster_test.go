package render

import (
	"context"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/draw"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/testkit"
)

func swarmCluster(t testing.TB, nodes, tasks int) *graph.Cluster {
	t.Helper()
	var ms []*graph.Model
	for i := 1; i <= nodes; i++ {
		m := testkit.SwarmNode(i, nodes, tasks)
		if err := graph.Validate(m); err != nil {
			t.Fatalf("node%d: %v", i, err)
		}
		ms = append(ms, m)
	}
	c, err := graph.NewCluster(ms...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClusterPicture: every host in a box of its own, each with its
// overlay frame, and the overlay as one tunnel joining them, labelled
// with its VNI, port and VTEPs; nothing overlaps, nothing is cut.
func TestClusterPicture(t *testing.T) {
	for _, nodes := range []int{2, 3, 5} {
		c := swarmCluster(t, nodes, 2)
		s := ClusterScene(context.Background(), c, Options{})
		for _, p := range draw.Lint(s) {
			t.Errorf("%d nodes: %s", nodes, p)
		}
		hosts, tunnels, frames := 0, 0, 0
		var label string
		s.Walk(func(it draw.Item) {
			switch v := it.(type) {
			case *draw.Group:
				if v.Class == "host" {
					hosts++
				}
				if v.Class == "net" && v.Data["obj"] == "net:appnet" {
					frames++
				}
			case *draw.Line:
				if strings.HasPrefix(v.Data["obj"], "tunnel:appnet:") {
					tunnels++
				}
			case *draw.Text:
				if v.Class == "tunnel-label" {
					label = v.S
				}
			}
		})
		if hosts != nodes || frames != nodes || tunnels != nodes {
			t.Errorf("%d nodes: %d host boxes, %d appnet frames, %d tunnel drops", nodes, hosts, frames, tunnels)
		}
		for _, want := range []string{"overlay appnet", "VNI 4097", "UDP 4789", "node1 10.252.0.1"} {
			if !strings.Contains(label, want) {
				t.Errorf("%d nodes: tunnel label %q lacks %q", nodes, label, want)
			}
		}
		if px := fitTextPx(s); px < 6 {
			t.Errorf("%d nodes: smallest text %.1f px at fit", nodes, px)
		}
		t.Logf("%d nodes: %.0f×%.0f, smallest text %.1f px at 1920×1080", nodes, s.W, s.H, fitTextPx(s))
	}
}
