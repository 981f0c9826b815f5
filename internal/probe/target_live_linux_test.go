package probe_test

import (
	"errors"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
)

// TestLiveProbeAlias is the seed exercise: three containers under
// --net-alias alicek106; every container resolves all three through the
// embedded DNS, the first answer moves between queries, and every answer
// answers a ping. A --link alias on the default bridge resolves through
// /etc/hosts; an unknown name is an error naming what is known.
func TestLiveProbeAlias(t *testing.T) {
	env := dockertest.Require(t)
	net := env.Network("mybridge", client.NetworkCreateOptions{Driver: "bridge"})
	var group []string
	for _, n := range []string{"c1", "c2", "c3"} {
		group = append(group, env.Run(n, dockertest.Spec{Network: net, Aliases: []string{"alicek106"}}))
	}
	pinger := env.Run("ping", dockertest.Spec{Network: net, Image: dockertest.ScratchImage})
	db := env.Run("db", dockertest.Spec{})
	wp := env.Run("wp", dockertest.Spec{Links: []string{db + ":mysql"}})

	m, err := discover.Discover(env.Ctx, discover.Options{Client: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	opts := probe.TargetOptions{Count: 12, Timeout: 500 * time.Millisecond, Retries: 1, From: append([]string{pinger}, group...), Capture: true}
	rep, err := probe.Probe(env.Ctx, m, "alicek106", probe.LiveEnv(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Clients) != 4 {
		t.Fatalf("%d clients, want 4", len(rep.Clients))
	}
	for _, c := range rep.Clients {
		if c.Err != "" || c.Via != "embedded-dns" {
			t.Errorf("%s: via %s, error %s", c.Client, c.Via, c.Err)
		}
		if len(c.Answers) != 3 {
			t.Errorf("%s: answers %v, want the three alias members", c.Client, c.Answers)
		}
		if len(c.FirstAnswers) < 2 {
			t.Errorf("%s: first answers %v over 12 queries: Docker should rotate them", c.Client, c.FirstAnswers)
		}
		for _, p := range c.Pings {
			if p.Outcome != probe.Reached {
				t.Errorf("%s → %s: %s %s", c.Client, p.Addr, p.Outcome, p.Detail)
			}
		}
		// The capture saw each ping at every point the model planned, the
		// bridge switching it between ports, and the planned veths are the
		// ones the kernel pairs with the two containers.
		for _, p := range c.Paths {
			if p.Hops.StoppedAfter != "" || len(p.Hops.Request) != len(p.Plan) || len(p.Hops.Reply) == 0 {
				t.Errorf("%s → %s: hops %+v over plan %+v", c.Client, p.Addr, p.Hops, p.Plan)
				continue
			}
			x := graph.NewIndex(m)
			clientIf := p.Plan[0].Interface
			if len(p.Plan) == 1 {
				continue // its own address, over lo
			}
			if p.Plan[1].Interface != x.Peer(clientIf) || !p.Plan[2].Bridge || p.Plan[2].Interface != x.Network(graph.NewNetworkID(net)).Bridge {
				t.Errorf("%s → %s: plan %+v", c.Client, p.Addr, p.Plan)
			}
		}
	}
	if len(rep.Frames) == 0 {
		t.Error("no frames captured for --pcap")
	}

	// Across bridges the capture shows where Docker's isolation drops it.
	rep, err = probe.Probe(env.Ctx, m, "mysql", probe.LiveEnv(), probe.TargetOptions{From: []string{wp}})
	if err != nil {
		t.Fatal(err)
	}
	_, dbIPs := rep, rep.Clients[0].Answers
	cross, err := probe.Probe(env.Ctx, m, dbIPs[0].String(), probe.LiveEnv(), probe.TargetOptions{From: []string{pinger}, Capture: true, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if p := cross.Clients[0].Paths[0]; cross.Clients[0].Pings[0].Outcome != probe.Timeout || p.Hops.StoppedAfter == "" || len(p.Hops.Reply) != 0 {
		t.Errorf("cross-bridge: ping %+v, hops %+v", cross.Clients[0].Pings[0], p.Hops)
	}

	rep, err = probe.Probe(env.Ctx, m, "mysql", probe.LiveEnv(), probe.TargetOptions{From: []string{wp}})
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Clients[0]; c.Via != "hosts" || len(c.Answers) != 1 || len(c.Pings) != 1 || c.Pings[0].Outcome != probe.Reached {
		t.Errorf("--link alias: %+v", c)
	}

	_, err = probe.Probe(env.Ctx, m, "no-such-name-"+env.Prefix, probe.LiveEnv(), probe.TargetOptions{})
	var unknown *probe.UnknownTargetError
	if !errors.As(err, &unknown) {
		t.Errorf("unknown name: err = %v", err)
	}
}
