package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/textsafe"
	"github.com/netviz/netviz/internal/verify"
)

type verifyOptions struct {
	asJSON  bool
	parent  string
	timeout time.Duration
}

func newVerifyCmd(stdout, stderr io.Writer) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify SCENARIO|lab:NAME",
		Short: "Build a scenario on the real engine and check the simulation against it",
		Long: `Simulate SCENARIO, then apply it to the local Docker engine (every resource
labelled io.netviz.owner=verify:ID), discover and measure what was built, and
compare with the simulation check by check: each container's state and
namespace, each endpoint's address (exact where the scenario fixed the subnet,
position in the subnet otherwise: the engine's pool allocator keeps state) and
interface, the DNS answer set of every name for every client, and the
reachability of every pair. Prints the agreement and every difference; exits 1
on any difference. Everything is torn down afterwards, also on failure and
Ctrl-C. Refuses to run if a name the scenario needs already exists.

Needs root (namespaces, probes). Built-in labs: lab:alias, lab:macvlan, …`,
		Example: `  sudo netviz verify lab:alias
  sudo netviz verify my-scenario.sh --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return verifyFn(cmd.Context(), args[0], o, stdout, stderr)
		},
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print every check as JSON")
	cmd.Flags().StringVar(&o.parent, "parent", "", "macvlan parent `INTERFACE` (default: a veth netviz creates)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 3*time.Minute, "give up after this long")
	return cmd
}

func loadTarget(ctx context.Context, arg string) (*scenario.Scenario, error) {
	if name, ok := strings.CutPrefix(arg, "lab:"); ok {
		l, err := getLab(name)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		sc, err := l.Scenario()
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		return sc, nil
	}
	return loadScenario(ctx, arg)
}

func verifyFn(ctx context.Context, arg string, o *verifyOptions, stdout, stderr io.Writer) error {
	if err := checkDuration("timeout", o.timeout); err != nil {
		return err
	}
	start := time.Now()
	sc, err := loadTarget(ctx, arg)
	if err != nil {
		return err
	}
	eng := sim.New(sim.Options{})
	if err := eng.Apply(sc); err != nil {
		return usageErrorf("the simulation already refuses this scenario: %v", err)
	}
	simModel := eng.Model()
	for _, c := range simModel.Containers {
		if strings.HasPrefix(c.Name, "unnamed_") {
			return usageErrorf("verify needs every container named (--name): the engine names the others at random")
		}
	}
	if !discover.Root() {
		return usageErrorf("netviz verify needs root (it builds the scenario and probes inside namespaces): run it with sudo")
	}
	if err := checkPrivileges("verify"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ep, err := resolveEngine(ctx, stderr)
	if err != nil {
		return err
	}
	if !ep.Local {
		return usageErrorf("netviz verify probes inside this machine's network namespaces, but the engine at %s is not on this machine: run netviz on the engine's host", ep.Describe())
	}
	_, cli, err := labEngine(ctx, io.Discard)
	if err != nil {
		return err
	}
	defer cli.Close()
	id := make([]byte, 4)
	rand.Read(id)
	owner := "verify:" + hex.EncodeToString(id)
	a := &lab.Applier{Client: cli, Owner: owner, Parent: o.parent}
	if err := a.Preflight(ctx, sc); err != nil {
		return usageErrorf("refusing: %v", err)
	}
	// Teardown runs before anything is printed (a reader such as `| head`
	// may close stdout early), and again, deferred, on every other exit.
	tornDown := false
	teardown := func() {
		if tornDown {
			return
		}
		tornDown = true
		cctx, ccancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer ccancel()
		down := func() error { _, _, err := lab.Down(cctx, cli, owner); return err }
		if ctx.Err() != nil { // interrupted: requests may still be landing
			down = func() error { return lab.DownSettled(cctx, cli, owner) }
		}
		if err := down(); err != nil {
			fmt.Fprintf(stderr, "netviz: warning: teardown: %v\n", err)
		}
	}
	defer teardown()
	if err := a.Apply(ctx, sc); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return usageErrorf("the engine refused what the simulation accepted: %v", err)
	}
	live, err := discover.Discover(ctx, discover.Options{Client: cli, All: true})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	live = onlyScenario(live, simModel)
	dns := liveDNS(ctx, simModel, live)
	mat := probe.Measure(ctx, live, probe.OpenContainer, probe.MeasureOptions{Ping: probe.PingOptions{Timeout: 200 * time.Millisecond, Retries: 1}, Neighbours: probe.LiveNeighbours()})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	rep := verify.Compare(arg, simModel, live, dns, mat)
	teardown()
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "verify %s: %d/%d checks agree (%.1f%%) in %.1fs\n", textsafe.CleanN(arg, 256), rep.Agreed(), len(rep.Checks), rep.Percent(), time.Since(start).Seconds())
		counts := map[string][2]int{}
		for _, c := range rep.Checks {
			v := counts[c.Kind]
			v[1]++
			if c.OK {
				v[0]++
			}
			counts[c.Kind] = v
		}
		var kinds []string
		for k := range counts {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			fmt.Fprintf(stdout, "  %-9s %d/%d\n", k, counts[k][0], counts[k][1])
		}
		for _, c := range rep.Checks {
			if !c.OK {
				fmt.Fprintf(stdout, "  DIFFERS %s %s: simulated %q, real %q\n", c.Kind, clean(c.What), c.Sim, c.Live)
			}
		}
	}
	for _, n := range a.Notices {
		fmt.Fprintf(stderr, "netviz: note: %s\n", n)
	}
	if rep.Agreed() < len(rep.Checks) {
		return &exitError{code: exitFindings, err: fmt.Errorf("verify: %d difference(s) between simulation and engine", len(rep.Checks)-rep.Agreed())}
	}
	return nil
}

// onlyScenario keeps the scenario's networks and containers from a live
// model, so nothing else on the engine is compared or probed.
func onlyScenario(live, simModel *graph.Model) *graph.Model {
	var nets []string
	lx := graph.NewIndex(live)
	for _, n := range simModel.Networks {
		if lx.Network(n.ID) != nil {
			nets = append(nets, n.Name)
		}
	}
	sub, err := graph.Subset(live, nets)
	if err != nil {
		sub = live
	}
	names := map[graph.ContainerID]bool{}
	for _, c := range simModel.Containers {
		names[c.ID] = true
	}
	out := *sub
	out.Containers = slices.DeleteFunc(slices.Clone(sub.Containers), func(c *graph.Container) bool { return !names[c.ID] })
	out.Ports = slices.DeleteFunc(slices.Clone(sub.Ports), func(p *graph.Port) bool { return !names[p.Container] })
	out.Names, out.Edges = nil, slices.DeleteFunc(slices.Clone(sub.Edges), func(e graph.Edge) bool {
		return e.Kind == graph.EdgeResolvesTo || e.Kind == graph.EdgePortMap && !names[graph.ContainerID(e.To)]
	})
	graph.DeriveNames(&out)
	return &out
}

// liveDNS asks, from inside each live client, every name the simulation says
// it can resolve, and maps the answers to container names.
func liveDNS(ctx context.Context, simModel, live *graph.Model) verify.LiveDNS {
	owner := map[netip.Addr]string{}
	for _, c := range live.Containers {
		for _, ep := range c.Endpoints {
			if ep.IPv4.IsValid() {
				owner[ep.IPv4.Addr()] = c.Name
			}
		}
	}
	lx, sx := graph.NewIndex(live), graph.NewIndex(simModel)
	env := probe.LiveEnv()
	out := verify.LiveDNS{}
	for client, names := range verify.NamesToQuery(simModel) {
		c := lx.Container(graph.NewContainerID(client))
		if c == nil || !c.Running() {
			continue
		}
		got := map[string][]string{}
		for _, name := range names {
			var addrs []netip.Addr
			if verify.Via(sx, client, name) == graph.NameHosts {
				if hosts, err := env.Hosts(c); err == nil {
					addrs = probe.HostsLookup(hosts, name)
				}
			} else if conn, err := env.DNS(c); err == nil {
				addrs = probe.AnswerSet(probe.Resolve(ctx, conn, name, 3, 500*time.Millisecond))
				conn.Close()
			}
			var who []string
			for _, a := range addrs {
				if n := owner[a]; n != "" && !slices.Contains(who, n) {
					who = append(who, n)
				} else if n == "" {
					who = append(who, a.String())
				}
			}
			if len(who) == 0 {
				who = []string{"NXDOMAIN"}
			}
			got[name] = who
		}
		out[client] = got
	}
	return out
}
