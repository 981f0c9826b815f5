package lab

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
)

// TestLabsSimulate: every lab parses, simulates without a daemon error, has a
// title and an explanation, and names every container (verify needs that);
// the ten of the curriculum build on one engine, overlay is a swarm of the
// test bed's three nodes.
func TestLabsSimulate(t *testing.T) {
	labs := List()
	if len(labs) != 11 {
		t.Fatalf("%d labs, want the ten of the curriculum and overlay", len(labs))
	}
	for _, l := range labs {
		t.Run(l.Name, func(t *testing.T) {
			if l.Title == "" || l.About == "" {
				t.Errorf("title %q about %q", l.Title, l.About)
			}
			if l.Swarm != (l.Name == "overlay") {
				t.Errorf("Swarm = %v", l.Swarm)
			}
			sc, err := l.Scenario()
			if err != nil {
				t.Fatal(err)
			}
			e := sim.New(sim.Options{})
			if err := e.Apply(sc); err != nil {
				t.Fatal(err)
			}
			hosts := []*graph.Model{e.Model()}
			if l.Swarm {
				hosts = e.Cluster().Hosts
				var names []string
				for _, m := range hosts {
					names = append(names, graph.NodeName(m))
				}
				if strings.Join(names, " ") != "nvz-sw1 nvz-sw2 nvz-sw3" {
					t.Errorf("nodes %q, want the test bed's (.ci/swarm up 3)", names)
				}
			}
			for _, m := range hosts {
				if err := graph.Validate(m); err != nil {
					t.Fatal(err)
				}
				for _, c := range m.Containers {
					if strings.HasPrefix(c.Name, "unnamed_") {
						t.Errorf("container without --name")
					}
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
		if l.Swarm {
			testClusterPreflightOnSim(t, l, e, sc)
			continue
		}
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

// simNode answers clusterPreflight's questions from one simulated node; a
// service exists when a node of the simulated cluster lists it.
type simNode struct {
	*sim.Engine
	cluster *sim.Engine
}

func (n simNode) ServiceExists(_ context.Context, name string) bool {
	for _, m := range n.cluster.Cluster().Hosts {
		for _, s := range m.Services {
			if s.Name == name {
				return true
			}
		}
	}
	return false
}

// testClusterPreflightOnSim: a swarm lab's preflight, node by node, takes
// a fresh simulated swarm and refuses the swarm that holds the lab at the
// first name it needs (its overlay, on the manager).
func testClusterPreflightOnSim(t *testing.T, l Lab, e *sim.Engine, sc *scenario.Scenario) {
	t.Helper()
	ctx := context.Background()
	on := func(node string) (clusterNames, error) {
		tg, err := e.On(ctx, node)
		if err != nil {
			return nil, err
		}
		return simNode{tg.(*sim.Engine), e}, nil
	}
	if err := clusterPreflight(ctx, on, sc); err != nil {
		t.Errorf("%s on a fresh swarm: %v", l.Name, err)
	}
	if err := e.Apply(sc); err != nil {
		t.Fatal(err)
	}
	err := clusterPreflight(ctx, on, sc)
	if err == nil || !strings.HasPrefix(err.Error(), "lab:"+l.Name+":") || !strings.Contains(err.Error(), "network appnet already exists on node nvz-sw1") {
		t.Errorf("%s applied twice: %v", l.Name, err)
	}
	refuse := func(node string) (clusterNames, error) { return nil, errors.New("no such node") }
	if err := clusterPreflight(ctx, refuse, sc); err == nil || !strings.Contains(err.Error(), ":11:1: no such node") {
		t.Errorf("a node none of the engines is: %v", err)
	}
}

// TestClusterPreflightServices: a service name the swarm has is refused
// at the command that needs it, read-only commands are not asked about.
func TestClusterPreflightServices(t *testing.T) {
	ctx := context.Background()
	e := sim.New(sim.Options{})
	setup := "docker --context m1 swarm init\ndocker --context m1 network create -d overlay ov\ndocker --context m1 service create --name api --network ov img\n"
	sc, err := scenario.ParseShell(strings.NewReader(setup), "setup.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Apply(sc); err != nil {
		t.Fatal(err)
	}
	on := func(node string) (clusterNames, error) {
		tg, err := e.On(ctx, node)
		if err != nil {
			return nil, err
		}
		return simNode{tg.(*sim.Engine), e}, nil
	}
	for _, tt := range []struct{ script, want string }{
		{"docker --context m1 service ls\ndocker --context m1 service create --name web img\n", ""},
		{"docker --context m1 service create --name api img\n", "t.sh:1:1: service api already exists in the swarm"},
		{"docker --context m1 network create -d overlay ov2\ndocker --context m1 network create -d overlay ov\n", "t.sh:2:1: network ov already exists on node m1"},
	} {
		sc, err := scenario.ParseShell(strings.NewReader(tt.script), "t.sh")
		if err != nil {
			t.Fatal(err)
		}
		err = clusterPreflight(ctx, on, sc)
		if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q: %v, want %q", tt.script, err, tt.want)
		}
	}
}

func TestOwnerMatch(t *testing.T) {
	for _, tt := range []struct {
		owner  string
		labels map[string]string
		want   bool
	}{
		{"lab:overlay", map[string]string{OwnerLabel: "lab:overlay"}, true},
		{"lab:overlay", map[string]string{OwnerLabel: "lab:alias"}, false},
		{"lab:overlay", map[string]string{"other": "lab:overlay"}, false},
		{"", map[string]string{OwnerLabel: "lab:alias"}, true},
		{"", map[string]string{OwnerLabel: "verify:12ab"}, false},
		{"", map[string]string{OwnerLabel: "test"}, false},
		{"verify:12ab", map[string]string{OwnerLabel: "verify:12ab"}, true},
		{"", nil, false},
	} {
		if got := ownerMatch(tt.owner)(tt.labels); got != tt.want {
			t.Errorf("ownerMatch(%q)(%v) = %v", tt.owner, tt.labels, got)
		}
	}
}
