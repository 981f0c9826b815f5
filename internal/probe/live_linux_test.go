package probe_test

import (
	"errors"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/dockertest"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/reach"
)

// TestLiveReach measures the seed scenarios on a real engine: every cell must
// agree with the model, and the cases the curriculum teaches come out as
// taught.
func TestLiveReach(t *testing.T) {
	env := dockertest.RequireQuiet(t)
	mybridge := env.Network("mybridge", client.NetworkCreateOptions{Driver: "bridge"})
	var aliased []string
	for _, n := range []string{"alias1", "alias2", "alias3"} {
		aliased = append(aliased, env.Run(n, dockertest.Spec{Network: mybridge, Aliases: []string{"alicek106"}}))
	}
	pinger := env.Run("ping", dockertest.Spec{Network: mybridge})
	scratch := env.Run("scratch", dockertest.Spec{Network: mybridge, Image: dockertest.ScratchImage})
	db := env.Run("db", dockertest.Spec{})
	web := env.Run("web", dockertest.Spec{Links: []string{db + ":mysql"}})
	side := env.Run("side", dockertest.Spec{Network: "container:" + web})
	none := env.Run("none", dockertest.Spec{Network: "none"})
	noicc := env.Network("noicc", client.NetworkCreateOptions{Driver: "bridge", Options: map[string]string{"com.docker.network.bridge.enable_icc": "false"}})
	q1 := env.Run("q1", dockertest.Spec{Network: noicc})
	q2 := env.Run("q2", dockertest.Spec{Network: noicc})
	inside := env.Network("inside", client.NetworkCreateOptions{Driver: "bridge", Internal: true})
	in1 := env.Run("in1", dockertest.Spec{Network: inside})
	in2 := env.Run("in2", dockertest.Spec{Network: inside})

	m, err := discover.Discover(env.Ctx, discover.Options{Client: env.Client})
	if err != nil {
		t.Fatal(err)
	}
	// Only this test's containers: never probe anything else on the engine.
	m, err = graph.Subset(m, []string{mybridge, noicc, inside, "bridge", "none"})
	if err != nil {
		t.Fatal(err)
	}
	keep := map[string]bool{}
	for _, c := range []string{pinger, scratch, db, web, side, none, q1, q2, in1, in2} {
		keep[c] = true
	}
	for _, a := range aliased {
		keep[a] = true
	}
	var mine []*graph.Container
	for _, c := range m.Containers {
		if keep[c.Name] {
			mine = append(mine, c)
		}
	}
	m.Containers = mine

	mat := probe.Measure(env.Ctx, m, probe.OpenContainer, probe.MeasureOptions{Ping: probe.PingOptions{Timeout: 300 * time.Millisecond, Retries: 1}, Neighbours: probe.LiveNeighbours()})
	cell := func(client, target, network string) probe.Cell {
		t.Helper()
		for _, c := range mat.Cells {
			if c.Client == client && c.Target == target && c.Network == network {
				return c
			}
		}
		t.Fatalf("no cell %s → %s@%s", client, target, network)
		return probe.Cell{}
	}
	for _, c := range mat.Cells {
		if !c.Agrees {
			t.Errorf("%s → %s@%s (%s): measured %s, model expected reachable=%v (%s)", c.Client, c.Target, c.Network, c.Addr, c.Measured.Outcome, c.Expected.Reachable, c.Expected.Detail)
		}
		if c.Measured.Outcome == probe.Failed {
			t.Errorf("%s → %s: probe failed: %s", c.Client, c.Target, c.Measured.Detail)
		}
	}
	// An --internal network gives no default route from Docker 25: the
	// kernel refuses at once instead of the isolation rules dropping it.
	outOfInternal, outOfInternalWhy := probe.Unreachable, reach.NoDefaultRoute
	if dockerrules.For(env.Version()).InternalDefaultRoute {
		outOfInternal, outOfInternalWhy = probe.Timeout, reach.IsolatedBridges
	}
	tests := []struct {
		client, target, network string
		want                    probe.Outcome
		reason                  string
	}{
		{pinger, aliased[0], mybridge, probe.Reached, reach.SameNetwork},
		{scratch, pinger, mybridge, probe.Reached, reach.SameNetwork}, // from an image with no tools
		{pinger, scratch, mybridge, probe.Reached, reach.SameNetwork},
		{pinger, web, "bridge", probe.Timeout, reach.IsolatedBridges},
		{web, aliased[1], mybridge, probe.Timeout, reach.IsolatedBridges},
		{side, db, "bridge", probe.Reached, reach.SameNetwork}, // container:web behaves as web
		{side, web, "bridge", probe.Reached, reach.SameNamespace},
		{none, web, "bridge", probe.Unreachable, reach.NoneMode},
		{q1, q2, noicc, probe.Timeout, reach.ICCDisabled},
		{in1, in2, inside, probe.Reached, reach.SameNetwork},
		{in1, pinger, mybridge, outOfInternal, outOfInternalWhy},
	}
	for _, tt := range tests {
		c := cell(tt.client, tt.target, tt.network)
		if c.Measured.Outcome != tt.want || c.Expected.Reason != tt.reason {
			t.Errorf("%s → %s@%s: %s (%s), want %s (%s)", tt.client, tt.target, tt.network, c.Measured.Outcome, c.Expected.Reason, tt.want, tt.reason)
		}
	}
	// --net none has no address: nobody can even name it as a target.
	for _, c := range mat.Cells {
		if c.Target == none {
			t.Errorf("the none container appears as a target: %+v", c)
		}
	}
	// container:X rows equal X's rows.
	for _, c := range mat.Cells {
		if c.Client == side && c.Measured.Outcome != cell(web, c.Target, c.Network).Measured.Outcome {
			t.Errorf("%s and %s disagree on %s", side, web, c.Target)
		}
	}
	t.Logf("%d pairs in %v", len(mat.Cells), mat.Elapsed)
}

// TestLiveProbeAlias is the seed exercise: three containers under
// --net-alias alicek106; every container resolves all three through the
// embedded DNS, the first answer moves between queries, and every answer
// answers a ping. A --link alias on the default bridge resolves through
// /etc/hosts; an unknown name is an error naming what is known.
func TestLiveProbeAlias(t *testing.T) {
	env := dockertest.RequireQuiet(t)
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
