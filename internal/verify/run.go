package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/scenario"
)

// RunOptions is what Run needs: a scenario, its simulation and an engine on
// this machine (Run enters its containers' namespaces, so it needs root).
type RunOptions struct {
	// Name is how the report names the scenario (a path, lab:NAME).
	Name string
	// Scenario is what to build.
	Scenario *scenario.Scenario
	// Sim is the simulation of Scenario.
	Sim *graph.Model
	// Client talks to the engine (see connect.Lab: it has the lab image).
	Client *client.Client
	// Owner is the io.netviz.owner label value of everything Run creates
	// (verify:ID), and the only thing its teardown removes.
	Owner string
	// Parent is the macvlan/ipvlan parent; "" lets the applier create a veth.
	Parent string
	// Warn is told what went wrong tearing down; the result stands.
	Warn func(msg string)
	// Compare says how strictly addresses compare (a fresh engine).
	Compare CompareOptions
}

// Run builds the scenario on the real engine, discovers and measures what
// was built (addresses, DNS answers from inside every client, every pair's
// reachability) and compares it with the simulation. It refuses a scenario
// whose names are already taken, and removes everything it created before
// it returns — on success, failure and cancellation alike — so a caller
// prints the result with the engine already clean. notices say what the
// applier substituted (netviz's lab image for a missing one, for instance).
func Run(ctx context.Context, o RunOptions) (rep *Report, notices []string, err error) {
	a := &lab.Applier{Client: o.Client, Owner: o.Owner, Parent: o.Parent}
	if err := a.Preflight(ctx, o.Scenario); err != nil {
		return nil, nil, fmt.Errorf("refusing: %w", err)
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer ccancel()
		down := func() error { _, _, err := lab.Down(cctx, o.Client, o.Owner); return err }
		if ctx.Err() != nil { // interrupted: requests may still be landing
			down = func() error { return lab.DownSettled(cctx, o.Client, o.Owner) }
		}
		if err := down(); err != nil && o.Warn != nil {
			o.Warn(fmt.Sprintf("teardown: %v", err))
		}
	}()
	if err := a.Apply(ctx, o.Scenario); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("the engine refused what the simulation accepted: %w", err)
	}
	live, err := discover.Discover(ctx, discover.Options{Client: o.Client, All: true})
	if err != nil {
		return nil, nil, err
	}
	live = OnlyScenario(live, o.Sim)
	dns := QueryDNS(ctx, probe.LiveEnv(), o.Sim, live)
	mat := probe.Measure(ctx, live, probe.OpenContainer, probe.MeasureOptions{Ping: probe.PingOptions{Timeout: 200 * time.Millisecond, Retries: 1}, Neighbours: probe.LiveNeighbours()})
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	return Compare(o.Name, o.Sim, live, dns, mat, o.Compare), a.Notices, nil
}
