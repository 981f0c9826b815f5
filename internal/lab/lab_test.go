package lab

import (
	"context"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
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

// TestPreflightOnSim runs lab's preflight against the simulator, a real
// implementation of the engine it asks: a fresh engine takes every lab; an
// engine that already holds a lab refuses it again at the first name it
// needs; a name that is only a prefix of a container's ID is not taken.
func TestPreflightOnSim(t *testing.T) {
	ctx := context.Background()
	for _, l := range List() {
		sc, err := l.Scenario()
		if err != nil {
			t.Fatal(err)
		}
		e := sim.New(sim.Options{})
		if err := preflight(ctx, e, sc); err != nil {
			t.Errorf("%s on a fresh engine: %v", l.Name, err)
		}
		if err := e.Apply(sc); err != nil {
			t.Fatal(err)
		}
		err = preflight(ctx, e, sc)
		if err == nil || !strings.HasPrefix(err.Error(), "lab:"+l.Name+":") || !strings.Contains(err.Error(), "already exists on this engine") {
			t.Errorf("%s applied twice: %v", l.Name, err)
		}
	}
	e := sim.New(sim.Options{})
	web, err := scenario.ParseShell(strings.NewReader("docker run -d --name web img\n"), "a.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Apply(web); err != nil {
		t.Fatal(err)
	}
	prefix := e.Model().Containers[0].DockerID[:6]
	again, err := scenario.ParseShell(strings.NewReader("docker network create web\ndocker run -d --name "+prefix+" img\ndocker run -d --name web img\n"), "b.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := preflight(ctx, e, again); err == nil || err.Error() != "b.sh:3:1: container web already exists on this engine; remove it or run `netviz lab down`" {
		t.Errorf("preflight: %v", err)
	}
}
