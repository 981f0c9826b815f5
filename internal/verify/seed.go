package verify

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/scenario"
)

// SwarmSeed reads the overlays the swarm already has, besides the ingress
// and the scenario's own, from its manager: the simulation must start
// from them, as the swarm's allocator does (rule swarm.overlay-pool: a new
// overlay takes the lowest subnet of the pool no overlay has). seed
// creates each with its subnet on the scenario's manager; foreign names
// them, for the comparison to leave out.
func SwarmSeed(ctx context.Context, mgr *client.Client, sc *scenario.Scenario) (seed []scenario.Command, foreign []string, err error) {
	own := map[string]bool{}
	node := ""
	for _, c := range sc.Commands {
		if c.Network != nil {
			own[c.Network.Name] = true
		}
		if c.Verb == scenario.VerbSwarmInit && node == "" {
			node = c.Node
		}
	}
	nets, err := mgr.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("driver", "overlay")})
	if err != nil {
		return nil, nil, fmt.Errorf("list the swarm's networks: %w", err)
	}
	for _, n := range nets.Items {
		if n.Ingress || n.Scope != "swarm" || own[n.Name] {
			continue
		}
		spec := &scenario.NetworkSpec{Name: n.Name, Driver: "overlay", Attachable: n.Attachable, Internal: n.Internal, Options: map[string]string{}}
		for _, cfg := range n.IPAM.Config {
			if cfg.Subnet.Addr().Is4() && spec.Subnet == "" {
				spec.Subnet = cfg.Subnet.String()
			}
		}
		if spec.Subnet == "" {
			continue // nothing of the pool taken
		}
		seed = append(seed, scenario.Command{Pos: scenario.Pos{File: "the swarm as found"}, Text: "an overlay the swarm has: " + n.Name,
			Verb: scenario.VerbNetworkCreate, Node: node, Network: spec})
		foreign = append(foreign, n.Name)
	}
	slices.SortFunc(seed, func(a, b scenario.Command) int { return cmp.Compare(a.Network.Name, b.Network.Name) })
	slices.Sort(foreign)
	return seed, foreign, nil
}

// SeedScenario is sc with the seed commands right after its first swarm
// init (where the swarm comes into being in the simulation); sc itself
// when there is no seed or no swarm init.
func SeedScenario(sc *scenario.Scenario, seed []scenario.Command) *scenario.Scenario {
	if len(seed) == 0 {
		return sc
	}
	i := slices.IndexFunc(sc.Commands, func(c scenario.Command) bool { return c.Verb == scenario.VerbSwarmInit })
	if i < 0 {
		return sc
	}
	out := *sc
	out.Commands = slices.Concat(sc.Commands[:i+1], seed, sc.Commands[i+1:])
	return &out
}

// WithoutNetworks is c without the named networks (the swarm's overlays
// that are not the scenario's), on every host.
func WithoutNetworks(c *graph.Cluster, names []string) *graph.Cluster {
	if len(names) == 0 {
		return c
	}
	out := &graph.Cluster{Schema: c.Schema}
	for _, m := range c.Hosts {
		cp := *m
		cp.Networks = slices.DeleteFunc(slices.Clone(m.Networks), func(n *graph.Network) bool { return slices.Contains(names, n.Name) })
		out.Hosts = append(out.Hosts, &cp)
	}
	return out
}
