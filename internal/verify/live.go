package verify

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/probe"
)

// OnlyScenario keeps the scenario's networks and containers from a live
// model, so nothing else on the engine is compared or probed.
func OnlyScenario(live, simModel *graph.Model) *graph.Model {
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
	dockerrules.DeriveNames(&out)
	return &out
}

// QueryDNS asks, from inside each live client, every name the simulation
// says it can resolve, and maps the answers to container names. The way in
// is env's (probe.LiveEnv on a real host): Docker's embedded DNS for names
// the simulation resolves there, the client's /etc/hosts for --link names.
func QueryDNS(ctx context.Context, env probe.Env, simModel, live *graph.Model) LiveDNS {
	owner := map[netip.Addr]string{}
	for _, c := range live.Containers {
		for _, ep := range c.Endpoints {
			if ep.IPv4.IsValid() {
				owner[ep.IPv4.Addr()] = c.Name
			}
		}
	}
	lx, sx := graph.NewIndex(live), graph.NewIndex(simModel)
	out := LiveDNS{}
	for client, names := range NamesToQuery(simModel) {
		c := lx.Container(graph.NewContainerID(client))
		if c == nil || !c.Running() {
			continue
		}
		got := map[string][]string{}
		for _, name := range names {
			var addrs []netip.Addr
			if Via(sx, client, name) == graph.NameHosts {
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
