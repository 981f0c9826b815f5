package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/connect"
	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
	"github.com/netviz/netviz/internal/sim"
	"github.com/netviz/netviz/internal/textsafe"
	"github.com/netviz/netviz/internal/verify"
)

type verifyOptions struct {
	asJSON      bool
	parent      string
	timeout     time.Duration
	freshEngine bool
	hosts       []string
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

The simulation reproduces the engine's own release (20.10 to 29: pools, MACs,
gateways, interface names and the rest of README's version table). With
--fresh-engine, on an engine that never made a network, subnets, gateways and
the MACs the simulation claims are compared exactly too.

A swarm scenario (docker --context NODE …, swarm init/join, overlays,
services) is verified over several engines, one --host per node, each named
in the scenario by its host name: the nodes must be in the swarm already
(swarm init and join are checked and skipped). Tasks compare as sets per
service — which node runs the extra replica and which task got which
address are the swarm's to pick — and so do DNS answers and reachability,
by role (a task of a service, or a container), service VIPs included; each
node's overlays are compared down to br0, vxlan0 and its forwarding entries.

Needs root (namespaces, probes). Built-in labs: lab:alias, lab:macvlan, …`,
		Example: `  sudo netviz verify lab:alias
  sudo netviz verify my-scenario.sh --json
  sudo netviz verify --fresh-engine versions.sh
  sudo netviz verify lab:overlay --host unix:///run/nvz-sw1/docker.sock,pid=$(cat /run/nvz-sw1/docker.pid) \
                                 --host unix:///run/nvz-sw2/docker.sock,pid=$(cat /run/nvz-sw2/docker.pid) \
                                 --host unix:///run/nvz-sw3/docker.sock,pid=$(cat /run/nvz-sw3/docker.pid)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return verifyFn(cmd.Context(), args[0], o, stdout, stderr)
		},
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print every check as JSON")
	cmd.Flags().StringVar(&o.parent, "parent", "", "macvlan parent `INTERFACE` (default: a veth netviz creates)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 3*time.Minute, "give up after this long")
	cmd.Flags().StringArrayVar(&o.hosts, "host", nil, swarmHostsHelp)
	cmd.Flags().BoolVar(&o.freshEngine, "fresh-engine", false, "the engine has never made a network: compare default-pool subnets and addresses exactly (the pool order depends on the engine's history)")
	return cmd
}

func loadTarget(ctx context.Context, arg string) (*scenario.Scenario, error) {
	if name, ok := strings.CutPrefix(arg, "lab:"); ok {
		_, sc, err := labScenario(name)
		return sc, err
	}
	return loadScenario(ctx, arg)
}

// checkFresh refuses --fresh-engine on an engine that has networks of its
// own beyond bridge, host and none: its pools are not where a fresh one's
// are. (One whose networks were all removed cannot be told apart: up to
// Docker 26 its round-robin cursor has moved on.)
func checkFresh(ctx context.Context, cli *client.Client) error {
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("list the engine's networks: %w", err)}
	}
	var made []string
	for _, n := range nets.Items {
		if n.Name != "bridge" && n.Name != "host" && n.Name != "none" {
			made = append(made, textsafe.CleanN(n.Name, 64))
		}
	}
	if len(made) == 0 {
		return nil
	}
	slices.Sort(made)
	shown := strings.Join(made[:min(3, len(made))], ", ")
	if len(made) > 3 {
		shown += ", …"
	}
	return usageErrorf("--fresh-engine: the engine already has %d network(s) of its own (%s): its address pools are not a fresh engine's; drop --fresh-engine or use a new engine (.ci/engine up)", len(made), shown)
}

// needNames refuses a scenario with unnamed containers: the engine names
// them at random, so nothing could be compared.
func needNames(m *graph.Model) error {
	for _, c := range m.Containers {
		if strings.HasPrefix(c.Name, "unnamed_") {
			return usageErrorf("verify needs every container named (--name): the engine names the others at random")
		}
	}
	return nil
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
	// A first look, before root and the engine: the default release's
	// simulation. Its refusal is final only when the engine cannot be asked
	// its own version (a scenario of Docker 28 options is fine on 29).
	pre := sim.New(sim.Options{})
	preErr := pre.Apply(sc)
	if preErr == nil {
		if err := needNames(pre.Model()); err != nil {
			return err
		}
	}
	if sc.UsesSwarm() && len(o.hosts) == 0 {
		return needsHosts("this scenario")
	}
	if !discover.Root() {
		if preErr != nil {
			return usageErrorf("the simulation already refuses this scenario: %v", preErr)
		}
		return usageErrorf("netviz verify needs root (it builds the scenario and probes inside namespaces): run it with sudo")
	}
	if len(o.hosts) > 0 {
		return verifyHostsFn(ctx, arg, sc, o, start, stdout, stderr)
	}
	if err := connect.CheckPrivileges("verify"); err != nil {
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
	if o.freshEngine {
		if err := checkFresh(ctx, cli); err != nil {
			return err
		}
	}
	// The simulation reproduces the engine at hand: its version decides MACs,
	// pools, gateways, interface numbers (package dockerrules).
	sv, err := cli.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("ask the engine its version: %w", err)}
	}
	if err := dockerrules.CheckEngineVersion(sv.Version); err != nil {
		return usageErrorf("verify: the engine runs %v", err)
	}
	eng := sim.New(sim.Options{EngineVersion: sv.Version})
	if err := eng.Apply(sc); err != nil {
		return usageErrorf("the simulation of Docker %s already refuses this scenario: %v", sv.Version, err)
	}
	simModel := eng.Model()
	if err := needNames(simModel); err != nil {
		return err
	}
	id := make([]byte, 4)
	rand.Read(id)
	rep, notices, err := verify.Run(ctx, verify.RunOptions{
		Name: arg, Scenario: sc, Sim: simModel, Client: cli, Owner: "verify:" + hex.EncodeToString(id), Parent: o.parent,
		Warn:    func(msg string) { fmt.Fprintf(stderr, "netviz: warning: %s\n", msg) },
		Compare: verify.CompareOptions{FreshEngine: o.freshEngine},
	})
	if err != nil {
		return err
	}
	if err := writeVerifyReport(stdout, rep, o.asJSON, start, ""); err != nil {
		return err
	}
	for _, n := range notices {
		fmt.Fprintf(stderr, "netviz: note: %s\n", n)
	}
	if rep.Agreed() < len(rep.Checks) {
		return &exitError{code: exitFindings, err: fmt.Errorf("verify: %d difference(s) between simulation and engine", len(rep.Checks)-rep.Agreed())}
	}
	return nil
}

// writeVerifyReport prints a verify report as JSON or text; extra, if
// any, is a line after the text.
func writeVerifyReport(stdout io.Writer, rep *verify.Report, asJSON bool, start time.Time, extra string) error {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	// A reader that stops early (| head) does not change the verdict.
	_ = verify.WriteText(stdout, rep, time.Since(start))
	if extra != "" {
		fmt.Fprintln(stdout, extra)
	}
	return nil
}
