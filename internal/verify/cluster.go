package verify

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/discover"
	"github.com/netviz/netviz/internal/dockerctx"
	"github.com/netviz/netviz/internal/dockerrules"
	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/lab"
	"github.com/netviz/netviz/internal/probe"
	"github.com/netviz/netviz/internal/scenario"
)

// ClusterNode is one engine of a cluster Run builds a scenario on.
type ClusterNode struct {
	Client   *client.Client
	Endpoint *dockerctx.Endpoint
	// Location is where its kernel objects are (discover.Location).
	Location discover.Location
}

// ClusterRunOptions is what RunCluster needs: a swarm scenario, its
// simulation (sim.Engine.Cluster) and the engines of this machine it names.
type ClusterRunOptions struct {
	Name     string
	Scenario *scenario.Scenario
	Sim      *graph.Cluster
	Nodes    []ClusterNode
	// Owner is the io.netviz.owner label value of everything RunCluster
	// creates (verify:ID), and the only thing its teardown removes.
	Owner string
	// Warn is told what went wrong tearing down; the result stands.
	Warn func(msg string)
	// Compare says how strictly it compares; its IPVS is filled in from
	// the live cluster.
	Compare ClusterCompareOptions
	// Settle bounds how long RunCluster waits, after building, for the
	// nodes to agree (gossip brings each node the others' endpoints): 0
	// is 20 s.
	Settle time.Duration
}

// ClusterTimes is how long the phases of RunCluster took.
type ClusterTimes struct {
	Apply, Discover, Measure, Teardown time.Duration
}

// RunCluster builds a swarm scenario on several engines (lab.ClusterApplier),
// discovers each node once the overlays' forwarding entries of every
// remote endpoint have arrived (or Settle passed), asks the DNS names from
// inside every client, measures every pair and each client's VIPs over the
// flattened cluster and compares it all with the simulation
// (CompareCluster). Everything it created is removed before it returns,
// on success, failure and cancellation alike (lab.DownCluster).
func RunCluster(ctx context.Context, o ClusterRunOptions) (rep *Report, notices []string, times ClusterTimes, err error) {
	var nodes []lab.Node
	for _, n := range o.Nodes {
		nodes = append(nodes, lab.Node{Client: n.Client})
	}
	a := &lab.ClusterApplier{Nodes: nodes, Owner: o.Owner}
	if err := a.Preflight(ctx, o.Scenario); err != nil {
		return nil, nil, times, fmt.Errorf("refusing: %w", err)
	}
	defer func() {
		start := time.Now()
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer ccancel()
		down := func() error { _, err := lab.DownCluster(cctx, nodes, o.Owner); return err }
		if ctx.Err() != nil {
			down = func() error { return lab.DownClusterSettled(cctx, nodes, o.Owner) }
		}
		if err := down(); err != nil && o.Warn != nil {
			o.Warn(fmt.Sprintf("teardown: %v", err))
		}
		times.Teardown = time.Since(start)
	}()
	start := time.Now()
	if err := a.Apply(ctx, o.Scenario); err != nil {
		notices = a.Notices
		if ctx.Err() != nil {
			return nil, notices, times, ctx.Err()
		}
		return nil, notices, times, fmt.Errorf("the engines refused what the simulation accepted: %w", err)
	}
	notices = a.Notices
	times.Apply = time.Since(start)
	start = time.Now()
	live, err := settledCluster(ctx, o.Nodes, o.Sim, o.Settle)
	if err != nil {
		return nil, notices, times, err
	}
	times.Discover = time.Since(start)
	start = time.Now()
	flat := graph.Flatten(live)
	opts := o.Compare
	opts.IPVS = live.IPVS()
	dns := QueryClusterDNS(ctx, probe.LiveEnv(), live, o.Settle)
	mat := probe.Measure(ctx, flat, probe.OpenContainer, probe.MeasureOptions{
		Ping: probe.PingOptions{Timeout: 200 * time.Millisecond, Retries: 1}, VIPs: true, IPVS: opts.IPVS,
	})
	times.Measure = time.Since(start)
	if ctx.Err() != nil {
		return nil, notices, times, ctx.Err()
	}
	return CompareCluster(o.Name, o.Sim, live, ClusterObservations{DNS: dns, Matrix: mat}, opts), notices, times, nil
}

// settledCluster discovers every node, again until each overlay's vxlan0
// on each node holds the forwarding entry of every endpoint the other
// nodes have (gossip brings them a moment after the tasks run), or until
// settle passed; it returns the cluster as last read, kept to what the
// simulation has (OnlyScenarioCluster).
func settledCluster(ctx context.Context, nodes []ClusterNode, simc *graph.Cluster, settle time.Duration) (*graph.Cluster, error) {
	if settle <= 0 {
		settle = 20 * time.Second
	}
	deadline := time.Now().Add(settle)
	for {
		c, err := DiscoverCluster(ctx, nodes)
		if err != nil {
			return nil, err
		}
		live := OnlyScenarioCluster(c, simc)
		if clusterSettled(live) || time.Now().After(deadline) {
			return live, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// DiscoverCluster discovers every node at once (stopped containers too)
// and joins them.
func DiscoverCluster(ctx context.Context, nodes []ClusterNode) (*graph.Cluster, error) {
	models := make([]*graph.Model, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() {
			models[i], errs[i] = discover.Discover(ctx, discover.Options{All: true, Client: n.Client, Endpoint: n.Endpoint, Location: n.Location})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("discover %s: %w", nodes[i].Client.DaemonHost(), err)
		}
		if models[i].Host.Engine == "" {
			return nil, fmt.Errorf("discover %s: no engine answered", nodes[i].Client.DaemonHost())
		}
	}
	return graph.NewCluster(models...)
}

// clusterSettled reports whether every node's vxlan0 on every overlay
// holds the entries of every other node's endpoints there.
func clusterSettled(c *graph.Cluster) bool {
	v := &clusterView{c: c}
	for _, m := range c.Hosts {
		for _, n := range m.Networks {
			if n.Overlay == nil || n.Overlay.VXLAN == "" {
				continue
			}
			vx := iface(m, n.Overlay.VXLAN)
			if vx == nil || vx.VXLAN == nil {
				return false
			}
			have := map[string]bool{}
			for _, e := range vx.VXLAN.FDB {
				if e.Permanent {
					have[e.MAC] = true
				}
			}
			for _, h := range v.c.Hosts {
				if h == m {
					continue
				}
				for _, a := range endpointsOn(h, n.Name) {
					if !have[dockerrules.OverlayMAC(a)] {
						return false
					}
				}
			}
		}
	}
	return true
}

// OnlyScenarioCluster keeps, on each live node, the scenario's containers
// (by name, and the tasks of its services) and services with their ports
// and names: nothing else on the engines is compared or probed. Networks,
// namespaces and interfaces stay: an overlay's namespace and the nodes'
// own are what the comparison reads.
func OnlyScenarioCluster(live, simc *graph.Cluster) *graph.Cluster {
	names := map[graph.ContainerID]bool{}
	services := map[string]bool{}
	for _, m := range simc.Hosts {
		for _, c := range m.Containers {
			if c.Task == nil {
				names[c.ID] = true
			} else {
				services[serviceName(c.Task.Service)] = true
			}
		}
		for _, s := range m.Services {
			services[s.Name] = true
		}
	}
	out := &graph.Cluster{Schema: live.Schema}
	for _, m := range live.Hosts {
		cp := *m
		keep := map[graph.ContainerID]bool{}
		cp.Containers = slices.DeleteFunc(slices.Clone(m.Containers), func(c *graph.Container) bool {
			ok := c.Task == nil && names[c.ID] || c.Task != nil && services[serviceName(c.Task.Service)]
			keep[c.ID] = ok
			return !ok
		})
		cp.Ports = slices.DeleteFunc(slices.Clone(m.Ports), func(p *graph.Port) bool { return !keep[p.Container] })
		cp.Services = slices.DeleteFunc(slices.Clone(m.Services), func(s *graph.Service) bool { return !services[s.Name] })
		cp.Names = nil
		cp.Edges = slices.DeleteFunc(slices.Clone(m.Edges), func(e graph.Edge) bool {
			return e.Kind == graph.EdgeResolvesTo || e.Kind == graph.EdgePortMap && !keep[graph.ContainerID(e.To)]
		})
		dockerrules.DeriveNames(&cp)
		out.Hosts = append(out.Hosts, &cp)
	}
	return out
}

// QueryClusterDNS asks, from inside each running client of the live
// cluster, the names a client of its role asks (dnsNames: the services on
// its networks and tasks.NAME, the other containers there, a task's own
// name), and returns the addresses each answered. A node learns the
// others' names by gossip, a while after they started (measured: an
// attached container's name unknown on the other nodes for over half a
// second after its forwarding entries were there): an answer that is not
// yet what the live cluster's own records say is asked again until it
// is, or settle (0: 20 s) has passed. The way in is env's (probe.LiveEnv
// on a real host).
func QueryClusterDNS(ctx context.Context, env probe.Env, live *graph.Cluster, settle time.Duration) map[string]map[string][]netip.Addr {
	if settle <= 0 {
		settle = 20 * time.Second
	}
	deadline := time.Now().Add(settle)
	v := newClusterView(live)
	out := map[string]map[string][]netip.Addr{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, c := range v.flat.Containers {
		if !c.Running() {
			continue
		}
		keys := dnsNames(v, c)
		if len(keys) == 0 {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			got := map[string][]netip.Addr{}
			for _, k := range keys {
				name := asked(c, k)
				want := addrList(simAnswer(v, c, name))
				for {
					conn, err := env.DNS(c)
					if err != nil {
						break
					}
					got[name] = probe.AnswerSet(probe.Resolve(ctx, conn, name, 3, 500*time.Millisecond))
					conn.Close()
					if addrList(got[name]) == want || time.Now().After(deadline) || ctx.Err() != nil {
						break
					}
					select {
					case <-ctx.Done():
					case <-time.After(250 * time.Millisecond):
					}
				}
			}
			mu.Lock()
			out[c.Name] = got
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}
