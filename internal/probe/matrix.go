package probe

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/netviz/netviz/internal/graph"
	"github.com/netviz/netviz/internal/reach"
)

// MatrixSchema versions the JSON of a reachability matrix.
const MatrixSchema = "netviz/reach/v1"

// Cell is one client × target address: what the model expects, what was
// measured, and whether they agree.
type Cell struct {
	Client   string            `json:"client"`
	Target   string            `json:"target"`
	Network  string            `json:"network"`
	Addr     netip.Addr        `json:"addr"`
	Expected reach.Expectation `json:"expected"`
	Measured EchoResult        `json:"measured"`
	// Agrees is false when a measurement contradicts the model.
	Agrees bool `json:"agrees"`
}

// Matrix is the all-pairs reachability of a host's running containers.
type Matrix struct {
	Schema  string        `json:"schema"`
	Host    string        `json:"host"`
	Elapsed time.Duration `json:"elapsedNs"`
	// SlowestReply is the longest round trip measured, and Silence how long
	// a request to a pair the model expects to be blocked went unanswered
	// before it counted as dropped (0: the full timeout every time).
	SlowestReply time.Duration `json:"slowestReplyNs,omitempty"`
	Silence      time.Duration `json:"silenceNs,omitempty"`
	Cells        []Cell        `json:"cells"`
}

// Counts summarises a matrix.
type Counts struct {
	Pairs, Reached, Blocked, NotMeasured, Failed, Unexpected int
}

// Counts tallies the cells.
func (m *Matrix) Counts() Counts {
	var c Counts
	for _, cell := range m.Cells {
		c.Pairs++
		switch cell.Measured.Outcome {
		case Reached:
			c.Reached++
		case Timeout, Unreachable:
			c.Blocked++
		case NotMeasured:
			c.NotMeasured++
		case Failed:
			c.Failed++
		}
		if !cell.Agrees {
			c.Unexpected++
		}
	}
	return c
}

// Opener opens a raw ICMP socket inside a container's network namespace.
type Opener func(c *graph.Container) (net.PacketConn, error)

// MeasureOptions bounds a measurement.
type MeasureOptions struct {
	Ping PingOptions
	// Concurrency is how many namespaces are probed at once.
	Concurrency int
	// Progress, if set, is called after each namespace with how many are done.
	Progress func(done, total int)
	// Neighbours, when set, keeps the sweep within the room the kernel's
	// shared neighbour table has and removes the entries the sweep created
	// (see NeighbourTable). nil measures without either, as tests with fake
	// sockets do.
	Neighbours NeighbourTable
	// Fixed waits the full Ping.Timeout for every silent pair instead of
	// deciding the silence of pairs the model expects to be blocked from the
	// round-trip times measured in the same sweep.
	Fixed bool
	// Clients and Targets, when not empty, restrict the sweep to the
	// containers of these names as clients and as targets: one
	// container's row ("whom can I reach") or column ("who can reach me").
	// Empty measures every pair.
	Clients, Targets []string
	// VIPs adds a cell per client and swarm service VIP on a network the
	// client is on (reach.VIPTargets), judged by IPVS on the client's node:
	// IPVS is each node's Host.IPVS by name (graph.Cluster.IPVS), nil for
	// one host's model.
	VIPs bool
	IPVS map[string]string
}

// maxAttempts is how often a client is measured when the kernel's neighbour
// table got in the way (ENOBUFS, or an overflow while it was measured).
const maxAttempts = 3

// job is one namespace's share of a sweep, or half of it: the targets on a
// bridge the client is on (each needs neighbour entries, and most answer at
// once) or those routed through its gateway (Docker's isolation drops most;
// their silence takes longest to establish, but they need no neighbour
// entries beyond the gateway's). Keeping the halves apart lets the slow,
// cheap half run wide while the neighbour budget paces the other.
type job struct {
	ns      graph.NamespaceID // the namespace measured
	client  *graph.Container  // its network owner
	onLink  bool
	addrs   []netip.Addr
	silent  []bool // the model expects no reply
	sources []netip.Addr
	// forget lists, per namespace, the addresses whose neighbour entries
	// the job's probes create there.
	forget map[graph.NamespaceID][]netip.Addr
}

// need is how many neighbour entries the job creates at most: two per
// target on a shared bridge (the client's for it and its for the client),
// and two per network of the client (its gateway's, and the host's for it).
func (j *job) need() int {
	n := 2*len(j.sources) + 2
	if j.onLink {
		n += 2 * len(j.addrs)
	}
	return n
}

// Measure pings every target address from every client namespace (once per
// namespace: container:X members share X's measurement) and sets each
// result beside the model's expectation. Pairs whose packets would leave the
// host are never sent; they are reported as not measured.
func Measure(ctx context.Context, m *graph.Model, open Opener, opts MeasureOptions) *Matrix {
	start := time.Now()
	if opts.Concurrency <= 0 {
		opts.Concurrency = 16
	}
	x := graph.NewIndex(m)
	targets := reach.Targets(x)
	clients := reach.Clients(x)
	if len(opts.Clients) > 0 {
		clients = slices.DeleteFunc(clients, func(c *graph.Container) bool { return !slices.Contains(opts.Clients, c.Name) })
	}
	if len(opts.Targets) > 0 {
		targets = slices.DeleteFunc(targets, func(t reach.Target) bool { return !slices.Contains(opts.Targets, t.Container.Name) })
	}

	onLink, offLink := planJobs(x, clients, targets)
	if !opts.Fixed && opts.Ping.Silence == nil {
		opts.Ping.Silence = &SilenceEstimator{}
	}
	var sw *neighbourSweep
	if opts.Neighbours != nil {
		sw = startNeighbourSweep(ctx, opts.Neighbours, x, append(slices.Clone(onLink), offLink...), targets, opts.Concurrency)
		defer sw.close()
	}

	results := map[graph.NamespaceID]map[netip.Addr]EchoResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, opts.Concurrency)
	total, done := len(onLink)+len(offLink), 0
	dispatch := func(list []*job) {
		defer wg.Done()
		for _, j := range list {
			// The budget first, then a socket slot: a job waiting for room
			// in the neighbour table must not keep others from running.
			if sw.acquire(ctx, j.need()) != nil {
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				sw.release(j.need())
				return
			}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				res := measureJob(ctx, j, open, opts, sw)
				mu.Lock()
				if results[j.ns] == nil {
					results[j.ns] = map[netip.Addr]EchoResult{}
				}
				maps.Copy(results[j.ns], res)
				done++
				n := done
				mu.Unlock()
				if opts.Progress != nil {
					opts.Progress(n, total)
				}
			}()
		}
	}
	wg.Add(2)
	go dispatch(onLink)
	go dispatch(offLink)
	wg.Wait()

	out := &Matrix{Schema: MatrixSchema, Host: m.Host.Name}
	for _, c := range clients {
		for _, t := range targets {
			exp := reach.Expect(x, c, t)
			cell := Cell{Client: c.Name, Target: t.Container.Name, Network: t.Network.Name, Addr: t.Addr, Expected: exp, Agrees: true}
			if !exp.Local {
				cell.Measured = EchoResult{Addr: t.Addr, Outcome: NotMeasured, Detail: "not sent: the packet would leave this host"}
			} else if r, ok := results[c.Namespace][t.Addr]; ok {
				cell.Measured = r
				if r.Outcome == Reached || r.Outcome == Timeout || r.Outcome == Unreachable {
					cell.Agrees = (r.Outcome == Reached) == exp.Reachable
				}
			} else {
				cell.Measured = EchoResult{Addr: t.Addr, Outcome: Failed, Detail: fmt.Sprintf("%s was not probed (interrupted)", c.Name)}
			}
			out.Cells = append(out.Cells, cell)
		}
	}
	if opts.VIPs {
		out.Cells = append(out.Cells, measureVIPs(ctx, x, clients, open, opts)...)
	}
	out.Elapsed = time.Since(start)
	if opts.Ping.Silence != nil {
		out.SlowestReply = opts.Ping.Silence.Slowest()
		if w := opts.Ping.Silence.Wait(0, opts.Ping.Timeout); w < opts.Ping.Timeout {
			out.Silence = w
		}
	}
	return out
}

// planJobs splits the local pairs by client namespace into the on-link and
// the routed halves (see job).
func planJobs(x *graph.Index, clients []*graph.Container, targets []reach.Target) (onLink, offLink []*job) {
	type pair struct{ on, off *job }
	byNS := map[graph.NamespaceID]*pair{}
	for _, c := range clients {
		p := byNS[c.Namespace]
		if p == nil {
			owner := x.NetworkOwner(c)
			mk := func(on bool) *job {
				return &job{ns: c.Namespace, client: owner, onLink: on, sources: sourceAddrs(x, owner), forget: map[graph.NamespaceID][]netip.Addr{}}
			}
			p = &pair{mk(true), mk(false)}
			byNS[c.Namespace] = p
			onLink, offLink = append(onLink, p.on), append(offLink, p.off)
		}
		for _, t := range targets {
			exp := reach.Expect(x, c, t)
			if !exp.Local || containsAddr(p.on.addrs, t.Addr) || containsAddr(p.off.addrs, t.Addr) {
				continue
			}
			j := p.off
			switch exp.Reason {
			case reach.SameNetwork, reach.ICCDisabled, reach.HostMode:
				j = p.on
				// The target learns the client from its ARP request.
				j.forget[t.Container.Namespace] = appendNew(j.forget[t.Container.Namespace], j.sources...)
			}
			j.addrs = append(j.addrs, t.Addr)
			j.silent = append(j.silent, !exp.Reachable)
		}
	}
	for _, j := range append(slices.Clone(onLink), offLink...) {
		if j.onLink {
			j.forget[j.client.Namespace] = append(j.forget[j.client.Namespace], j.addrs...) // unique already
		}
		j.forget[j.client.Namespace] = append(j.forget[j.client.Namespace], gateways(x, j.client)...)
		// The host's bridge learns the client when it asks for its gateway.
		j.forget[graph.HostNamespaceID] = appendNew(j.forget[graph.HostNamespaceID], j.sources...)
	}
	drop := func(list []*job) []*job {
		return slices.DeleteFunc(list, func(j *job) bool { return len(j.addrs) == 0 })
	}
	return drop(onLink), drop(offLink)
}

// measureJob pings a job's targets — its first attempt's neighbour budget
// already reserved — and tries again what the kernel's table got in the way
// of.
func measureJob(ctx context.Context, j *job, open Opener, opts MeasureOptions, sw *neighbourSweep) map[netip.Addr]EchoResult {
	res := map[netip.Addr]EchoResult{}
	addrs, silent := j.addrs, j.silent
	need := j.need()
	for attempt := 1; len(addrs) > 0 && ctx.Err() == nil; attempt++ {
		if attempt > 1 && sw.acquire(ctx, need) != nil {
			break
		}
		overflows := sw.overflows()
		sw.begin(j)
		conn, err := open(j.client)
		var got []EchoResult
		if err != nil {
			for _, a := range addrs {
				got = append(got, EchoResult{Addr: a, Outcome: Failed, Detail: err.Error()})
			}
		} else {
			ping := opts.Ping
			ping.ExpectSilent = silent
			got = PingAll(ctx, conn, addrs, ping)
			conn.Close()
		}
		tainted := sw.overflows() != overflows
		sw.end(j)
		sw.release(need)
		var again []netip.Addr
		var againSilent []bool
		for i, r := range got {
			retry := r.tableFull || tainted && r.Outcome == Timeout
			if retry && attempt < maxAttempts {
				again, againSilent = append(again, r.Addr), append(againSilent, silent[i])
				continue
			}
			if retry {
				r.Outcome, r.tableFull = NotMeasured, false
				r.Detail = fmt.Sprintf("the host's neighbour table was full (%s) each of %d times this was tried; netviz does not change that sysctl", sw.limitText(), maxAttempts)
			}
			res[r.Addr] = r
		}
		addrs, silent = again, againSilent
	}
	return res
}

// sourceAddrs are the addresses a client's packets carry: its endpoints',
// or for the host every bridge's own address (the gateways).
func sourceAddrs(x *graph.Index, c *graph.Container) []netip.Addr {
	if c.Namespace == graph.HostNamespaceID {
		var out []netip.Addr
		for _, n := range x.Model.Networks {
			for _, s := range n.Subnets {
				if s.Gateway.Is4() {
					out = appendNew(out, s.Gateway)
				}
			}
		}
		return out
	}
	var out []netip.Addr
	for _, ep := range c.Endpoints {
		if ep.IPv4.IsValid() {
			out = appendNew(out, ep.IPv4.Addr())
		}
	}
	return out
}

// gateways are the gateway addresses of a client's networks.
func gateways(x *graph.Index, c *graph.Container) []netip.Addr {
	var out []netip.Addr
	for _, ep := range c.Endpoints {
		n := x.Network(ep.Network)
		if n == nil {
			continue
		}
		for _, s := range n.Subnets {
			if s.Gateway.Is4() {
				out = appendNew(out, s.Gateway)
			}
		}
	}
	return out
}

func appendNew(list []netip.Addr, addrs ...netip.Addr) []netip.Addr {
	for _, a := range addrs {
		if !containsAddr(list, a) {
			list = append(list, a)
		}
	}
	return list
}

func containsAddr(list []netip.Addr, a netip.Addr) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}

// measureVIPs pings each service VIP from each client namespace on its
// network (the name resolves to it there), beside what IPVS on the
// client's node predicts.
func measureVIPs(ctx context.Context, x *graph.Index, clients []*graph.Container, open Opener, opts MeasureOptions) []Cell {
	vips := reach.VIPTargets(x)
	if len(opts.Targets) > 0 {
		vips = slices.DeleteFunc(vips, func(v reach.VIPTarget) bool { return !slices.Contains(opts.Targets, v.Service.Name) })
	}
	var out []Cell
	measured := map[graph.NamespaceID]map[netip.Addr]EchoResult{}
	for _, c := range clients {
		owner := x.NetworkOwner(c)
		var addrs []netip.Addr
		var silent []bool
		var exps []reach.Expectation
		var mine []reach.VIPTarget
		for _, v := range vips {
			exp := reach.ExpectVIP(x, c, v, opts.IPVS)
			if exp.Reason == reach.OtherNode || exp.Reason == reach.NotRunning {
				continue // not on the VIP's network: no cell
			}
			mine, exps = append(mine, v), append(exps, exp)
			addrs, silent = append(addrs, v.Addr), append(silent, !exp.Reachable)
		}
		if len(mine) == 0 {
			continue
		}
		res, ok := measured[owner.Namespace]
		if !ok && ctx.Err() == nil {
			res = map[netip.Addr]EchoResult{}
			conn, err := open(owner)
			if err != nil {
				for _, a := range addrs {
					res[a] = EchoResult{Addr: a, Outcome: Failed, Detail: err.Error()}
				}
			} else {
				ping := opts.Ping
				ping.ExpectSilent = silent
				for _, r := range PingAll(ctx, conn, addrs, ping) {
					res[r.Addr] = r
				}
				conn.Close()
			}
			measured[owner.Namespace] = res
		}
		for i, v := range mine {
			cell := Cell{Client: c.Name, Target: v.Service.Name, Network: v.Network.Name, Addr: v.Addr, Expected: exps[i], Agrees: true}
			if r, ok := res[v.Addr]; ok {
				cell.Measured = r
				if r.Outcome == Reached || r.Outcome == Timeout || r.Outcome == Unreachable {
					cell.Agrees = (r.Outcome == Reached) == exps[i].Reachable
				}
			} else {
				cell.Measured = EchoResult{Addr: v.Addr, Outcome: Failed, Detail: fmt.Sprintf("%s was not probed (interrupted)", c.Name)}
			}
			out = append(out, cell)
		}
	}
	return out
}
