package lab

import (
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/sim"
)

// TestLabsSimulate: every lab parses, simulates without a daemon error, has a
// title and an explanation, and names every container (verify needs that).
func TestLabsSimulate(t *testing.T) {
	labs := List()
	if len(labs) != 10 {
		t.Fatalf("%d labs, want the ten of the curriculum", len(labs))
	}
	for _, l := range labs {
		t.Run(l.Name, func(t *testing.T) {
			if l.Title == "" || l.About == "" {
				t.Errorf("title %q about %q", l.Title, l.About)
			}
			sc, err := l.Scenario()
			if err != nil {
				t.Fatal(err)
			}
			e := sim.New(sim.Options{})
			if err := e.Apply(sc); err != nil {
				t.Fatal(err)
			}
			m := e.Model()
			if err := graph.Validate(m); err != nil {
				t.Fatal(err)
			}
			for _, c := range m.Containers {
				if strings.HasPrefix(c.Name, "unnamed_") {
					t.Errorf("container without --name")
				}
			}
		})
	}
	if _, err := Get("nope"); err == nil || !strings.Contains(err.Error(), "labs: alias") {
		t.Errorf("Get(nope) = %v", err)
	}
}

func TestVethNames(t *testing.T) {
	a, b := VethNames("lab:macvlan")
	if len(a) > 15 || len(b) > 15 || !strings.HasPrefix(a, "nvzl") || a == b {
		t.Errorf("%q %q", a, b)
	}
	if c, _ := VethNames("lab:other"); c == a {
		t.Error("different owners share a veth name")
	}
}
