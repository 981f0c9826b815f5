package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/connect"
	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/textsafe"
	"github.com/netviz/netviz/internal/verify"
)

// The commands that build a scenario on several engines (verify and lab
// up/down with --host): each --host an engine of a swarm, named in the
// scenario by its host name.

// hostEngine is one --host, connected, with the lab image.
type hostEngine struct {
	spec hostSpec
	ep   *dockerctx.Endpoint
	cli  *client.Client
}

// swarmHostsHelp is the help of --host for verify and lab.
const swarmHostsHelp = "an engine of the swarm the scenario names (repeatable, one per node): `ENGINE[,pid=PID]`, ENGINE a DOCKER_HOST URL or a context name, PID the engine's process when its namespaces are not netviz's; the scenario calls each by its host name"

// openHosts connects to every --host engine and, with labImage, makes
// sure each has the lab image. closeAll closes them all.
func openHosts(ctx context.Context, raw []string, labImage bool) (hosts []hostEngine, closeAll func(), err error) {
	if cn, _ := ctx.Value(contextFlagKey{}).(string); cn != "" {
		return nil, nil, usageErrorf("--context and --host: name the engines with --host only")
	}
	specs, err := parseHosts(raw)
	if err != nil {
		return nil, nil, err
	}
	closeAll = func() {
		for _, h := range hosts {
			h.cli.Close()
		}
	}
	for _, s := range specs {
		ep, err := s.endpoint()
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		open := connect.Engine
		if labImage {
			open = connect.Lab
		}
		cli, err := open(ctx, ep)
		if err != nil {
			closeAll()
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			return nil, nil, &exitError{code: exitUsage, err: fmt.Errorf("--host %s: %w", textsafe.CleanN(s.raw, 200), err)}
		}
		hosts = append(hosts, hostEngine{spec: s, ep: ep, cli: cli})
	}
	return hosts, closeAll, nil
}

func labNodes(hosts []hostEngine) []lab.Node {
	var out []lab.Node
	for _, h := range hosts {
		out = append(out, lab.Node{Client: h.cli})
	}
	return out
}

// needsHosts is the usage error of a swarm scenario given one engine.
func needsHosts(what string) error {
	return usageErrorf("%s names several engines (a swarm): give each node as --host ENGINE[,pid=PID], e.g. on the test bed of .ci/swarm: --host unix:///run/nvz-sw1/docker.sock,pid=$(cat /run/nvz-sw1/docker.pid) and likewise nvz-sw2, nvz-sw3", what)
}

// verifyHostsFn is verify of a swarm scenario over the --host engines:
// simulated as their release and with their manager as the default node,
// built, discovered, measured, compared (verify.RunCluster), torn down.
func verifyHostsFn(ctx context.Context, arg string, sc *scenario.Scenario, o *verifyOptions, start time.Time, stdout, stderr io.Writer) error {
	if !sc.UsesSwarm() {
		return usageErrorf("--host is for a scenario of several engines (docker --context NODE …, a swarm); this one has none: drop --host")
	}
	if o.parent != "" {
		return usageErrorf("--parent and --host: netviz builds no macvlan network on a node of several engines")
	}
	if err := connect.CheckPrivileges("verify"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	hosts, closeAll, err := openHosts(ctx, o.hosts, true)
	if err != nil {
		return err
	}
	defer closeAll()
	var nodes []verify.ClusterNode
	version := ""
	for _, h := range hosts {
		if !h.ep.Local {
			return usageErrorf("--host %s: netviz verify probes inside this machine's network namespaces, but the engine is not on this machine", textsafe.CleanN(h.spec.raw, 200))
		}
		sv, err := h.cli.ServerVersion(ctx, client.ServerVersionOptions{})
		if err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("--host %s: ask the engine its version: %w", textsafe.CleanN(h.spec.raw, 200), err)}
		}
		switch {
		case version == "":
			version = sv.Version
		case version != sv.Version:
			return usageErrorf("the engines run different releases (%s and %s): the simulation reproduces one", textsafe.Clean(version), textsafe.Clean(sv.Version))
		}
		if o.freshEngine {
			if err := checkFreshNode(ctx, h); err != nil {
				return err
			}
		}
		nodes = append(nodes, verify.ClusterNode{Client: h.cli, Endpoint: h.ep, Location: discover.Location{PID: h.spec.pid}})
	}
	if err := dockerrules.CheckEngineVersion(version); err != nil {
		return usageErrorf("verify: the engines run %v", err)
	}
	// The default node of the simulation is the engine a command naming
	// none goes to: the swarm's manager.
	names := &lab.ClusterApplier{Nodes: labNodes(hosts)}
	if err := names.Prepare(ctx); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	// The swarm's allocator starts from the overlays it has: so does the
	// simulation (they are left out of the comparison).
	var mgr *client.Client
	for i, n := range names.Names() {
		if n == names.Manager() {
			mgr = hosts[i].cli
		}
	}
	seed, foreign, err := verify.SwarmSeed(ctx, mgr, sc)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if len(foreign) > 0 {
		fmt.Fprintf(stderr, "netviz: note: the swarm has %d overlay(s) of its own (%s): the simulation starts from their subnets, and leaves them out\n", len(foreign), textsafe.CleanN(strings.Join(foreign, ", "), 200))
	}
	eng := sim.New(sim.Options{Hostname: names.Manager(), EngineVersion: version})
	if err := eng.Apply(verify.SeedScenario(sc, seed)); err != nil {
		return usageErrorf("the simulation of Docker %s already refuses this scenario: %v", version, err)
	}
	simc := verify.WithoutNetworks(eng.Cluster(), foreign)
	for _, m := range simc.Hosts {
		if err := needNames(m); err != nil {
			return err
		}
		if name := graph.NodeName(m); !strings.Contains(","+strings.Join(names.Names(), ",")+",", ","+name+",") {
			return usageErrorf("the scenario names node %s, which is none of the --host engines (%s)", textsafe.Quote(name), strings.Join(names.Names(), ", "))
		}
	}
	id := make([]byte, 4)
	rand.Read(id)
	rep, notices, times, err := verify.RunCluster(ctx, verify.ClusterRunOptions{
		Name: arg, Scenario: sc, Sim: simc, Nodes: nodes, Owner: "verify:" + hex.EncodeToString(id),
		Warn: func(msg string) { fmt.Fprintf(stderr, "netviz: warning: %s\n", msg) },
		Compare: verify.ClusterCompareOptions{CompareOptions: verify.CompareOptions{FreshEngine: o.freshEngine}, FreshSwarm: o.freshEngine,
			ScaledDown: verify.ScaledDown(sc)},
	})
	for _, n := range notices {
		fmt.Fprintf(stderr, "netviz: note: %s\n", n)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &exitError{code: exitUsage, err: err}
	}
	phases := fmt.Sprintf("  %d nodes: built in %.1fs, discovered in %.1fs, measured in %.1fs, removed in %.1fs",
		len(nodes), times.Apply.Seconds(), times.Discover.Seconds(), times.Measure.Seconds(), times.Teardown.Seconds())
	if err := writeVerifyReport(stdout, rep, o.asJSON, start, phases); err != nil {
		return err
	}
	if rep.Agreed() < len(rep.Checks) {
		return &exitError{code: exitFindings, err: fmt.Errorf("verify: %d difference(s) between simulation and engines", len(rep.Checks)-rep.Agreed())}
	}
	return nil
}

// checkFreshNode is checkFresh for a swarm node: besides bridge, host and
// none, only what joining a swarm makes (docker_gwbridge, ingress).
func checkFreshNode(ctx context.Context, h hostEngine) error {
	nets, err := h.cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("--host %s: list the engine's networks: %w", textsafe.CleanN(h.spec.raw, 200), err)}
	}
	var made []string
	for _, n := range nets.Items {
		switch n.Name {
		case "bridge", "host", "none", dockerrules.GatewayBridgeNetwork, dockerrules.IngressNetwork:
		default:
			made = append(made, textsafe.CleanN(n.Name, 64))
		}
	}
	if len(made) > 0 {
		return usageErrorf("--fresh-engine: --host %s already has network(s) of its own (%s): its pools and the swarm's VXLAN IDs are not a fresh one's; drop --fresh-engine", textsafe.CleanN(h.spec.raw, 200), strings.Join(made[:min(3, len(made))], ", "))
	}
	return nil
}

// labUpHostsFn builds a lab over the --host engines (lab.ClusterApplier);
// a failure or Ctrl-C removes what was built.
func labUpHostsFn(ctx context.Context, l lab.Lab, sc *scenario.Scenario, raw []string, pull bool, stdout, stderr io.Writer) error {
	hosts, closeAll, err := openHosts(ctx, raw, true)
	if err != nil {
		return err
	}
	defer closeAll()
	nodes := labNodes(hosts)
	a := &lab.ClusterApplier{Nodes: nodes, Owner: lab.Owner(l.Name), Pull: pull}
	if err := a.Preflight(ctx, sc); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return usageErrorf("%v", err)
	}
	start := time.Now()
	if err := a.Apply(ctx, sc); err != nil {
		cctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if derr := lab.DownClusterSettled(cctx, nodes, lab.Owner(l.Name)); derr != nil {
			fmt.Fprintf(stderr, "netviz: warning: cleanup: %v\n", derr)
		}
		for _, n := range a.Notices {
			fmt.Fprintf(stderr, "netviz: note: %s\n", n)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return usageErrorf("lab %s: %v (everything it had created was removed)", l.Name, err)
	}
	for _, n := range a.Notices {
		fmt.Fprintf(stderr, "netviz: note: %s\n", n)
	}
	var flags []string
	for _, h := range hosts {
		flags = append(flags, "--host "+h.spec.raw)
	}
	hf := strings.Join(flags, " ")
	fmt.Fprintf(stdout, "lab %s is up on %d nodes in %.1fs: %s\n", l.Name, len(hosts), time.Since(start).Seconds(), l.Title)
	fmt.Fprintf(stdout, "  look:   sudo netviz graph %s -o %s.svg\n  probe:  sudo netviz reach %s\n  remove: sudo netviz lab down %s %s\n", hf, l.Name, hf, l.Name, hf)
	return nil
}

// labDownHostsFn removes a lab (every lab without a name) from the
// --host engines.
func labDownHostsFn(ctx context.Context, owner string, raw []string, stdout io.Writer) error {
	hosts, closeAll, err := openHosts(ctx, raw, false)
	if err != nil {
		return err
	}
	defer closeAll()
	start := time.Now()
	r, err := lab.DownCluster(ctx, labNodes(hosts), owner)
	what := "every lab"
	if owner != "" {
		what = "lab " + strings.TrimPrefix(owner, "lab:")
	}
	fmt.Fprintf(stdout, "%s: removed %d services, %d containers, %d networks from %d nodes in %.1fs\n", what, r.Services, r.Containers, r.Networks, len(hosts), time.Since(start).Seconds())
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}
